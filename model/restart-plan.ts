// The order in which a database's pods restart (CloudNativePG-style: replicas by ordinal, the primary last):
// as planned, for the dry run, and again before each pod from the pods as they are then, so a primary that
// moved meanwhile is still last and a pod already on the new revision is never restarted twice.
import type { DatabaseProfile } from './profiles.ts';

export interface PodFacts {
  name: string;
  uid: string;
  role?: string;
}

export interface RestartStep {
  pod: string;
  uid: string;
  why: string;
}

const ordinal = (name: string) => Number(/-(\d+)$/.exec(name)?.[1] ?? Number.MAX_SAFE_INTEGER);
const byOrdinal = (a: PodFacts, b: PodFacts) => ordinal(a.name) - ordinal(b.name) || a.name.localeCompare(b.name);

export function restartPlan(profile: DatabaseProfile, pods: PodFacts[]): RestartStep[] {
  const sorted = [...pods].sort(byOrdinal);
  if (profile.restartOrder === 'ordinal') {
    return sorted.map((p) => ({ pod: p.name, uid: p.uid, why: 'ordinal order' }));
  }
  const primaries = sorted.filter((p) => p.role === 'primary');
  const others = sorted.filter((p) => p.role !== 'primary');
  return [
    ...others.map((p) => ({ pod: p.name, uid: p.uid, why: p.role === 'standby' ? 'standby' : 'no role label' })),
    ...primaries.map((p) => ({ pod: p.name, uid: p.uid, why: 'primary, last' })),
  ];
}

/** A pod as the restart step sees it before each restart. */
export interface RestartCandidate extends PodFacts {
  /** Its `controller-revision-hash` label. */
  revision?: string;
  /** Its creationTimestamp (RFC 3339, whole seconds). */
  created: string;
}

export interface RestartCriteria {
  /** The workload's newest template revision: a pod on another one restarts. */
  updateRevision?: string;
  /**
   * When the certificates the pods mount were issued (the newest notBefore): a pod created then or before still
   * serves the old ones. Both are whole seconds, so a pod created in that same second restarts too.
   */
  certificatesIssued?: string;
  /** Pods this run already restarted: never again, whatever the above say. */
  restarted: string[];
}

export function needsRestart(pod: RestartCandidate, c: RestartCriteria): boolean {
  if (c.restarted.includes(pod.name)) return false;
  if (c.updateRevision && pod.revision !== c.updateRevision) return true;
  return c.certificatesIssued !== undefined && Date.parse(pod.created) <= Date.parse(c.certificatesIssued);
}

/** The pod to restart next, in the kind's order among those that need it; undefined when none does. */
export function nextRestart(profile: DatabaseProfile, pods: RestartCandidate[], c: RestartCriteria): RestartStep | undefined {
  return restartPlan(profile, pods.filter((p) => needsRestart(p, c)))[0];
}
