// The roles MySQL's in-pod coordinator gives a database's pods: exactly one Ready pod is the primary, the
// others are standbys. A Ready primary keeps its role; when there is none, the lowest-ordinal Ready standby is
// promoted (a fresh pod, without a role, only when no standby is Ready). A pod that is not the primary is a
// standby: a demoted or returning primary too. A new pod gets no role while there is no primary to follow.
// A group that never formed (no pod has a role yet) is bootstrapped by its lowest-ordinal pod, as the
// coordinator bootstraps group replication on pod 0: it becomes the primary once Ready, and the others wait
// for it — whichever server happens to start first does not decide.

export type Role = 'primary' | 'standby';

export interface PodRoleInput {
  name: string;
  ordinal: number;
  ready: boolean;
  /** Being deleted: it can hold no role and is left alone. */
  terminating: boolean;
  role?: string;
}

export interface RoleChange {
  pod: string;
  from?: string;
  to: Role;
}

/** `<statefulset>-<ordinal>` → ordinal (NaN for a name without one). */
export const podOrdinal = (name: string): number => Number(/-(\d+)$/.exec(name)?.[1] ?? NaN);

export function roleChanges(pods: PodRoleInput[]): RoleChange[] {
  const live = pods.filter((p) => !p.terminating).sort((a, b) => a.ordinal - b.ordinal);
  const ready = live.filter((p) => p.ready);
  const formed = live.some((p) => p.role);
  const primary =
    ready.find((p) => p.role === 'primary') ?? ready.find((p) => p.role === 'standby') ?? (formed ? ready[0] : live[0]?.ready ? live[0] : undefined);
  const changes: RoleChange[] = [];
  for (const pod of live) {
    const to: Role | undefined = pod === primary ? 'primary' : pod.role || primary ? 'standby' : undefined;
    if (to && to !== pod.role) changes.push({ pod: pod.name, from: pod.role, to });
  }
  // Applied in this order, and stopped at the first that fails: demotions first, so there are never two
  // primaries, not even for a moment; then the promotion; then the pods joining as standbys, so that a pod
  // never follows a primary not yet named (had the bootstrap's promotion failed after its standbys were
  // labelled, the group would look formed, with no primary, and a standby would be promoted instead of pod 0).
  const rank = (c: RoleChange) => (c.from === 'primary' ? 0 : c.to === 'primary' ? 1 : 2);
  return changes.sort((a, b) => rank(a) - rank(b));
}
