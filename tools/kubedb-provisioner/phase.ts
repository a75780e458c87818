// A database's status as KubeDB's provisioner reports it, from how many of its pods are Ready: first the
// conditions (what is true of the pods now, plus `Provisioned`, which remembers that the database once
// accepted connections), then the phase derived from the conditions the way KubeDB derives it.
import type { Condition } from '../../model/types.ts';

export type DatabasePhase = 'Provisioning' | 'Ready' | 'Critical' | 'NotReady';

/** The condition types this provisioner owns; every other condition on the status belongs to someone else. */
export const provisionerConditionTypes = [
  'ProvisioningStarted',
  'ReplicaReady',
  'AcceptingConnection',
  'Ready',
  'Provisioned',
] as const;

export interface Readiness {
  /** `<Kind>: <namespace>/<name>`, as KubeDB's messages name a database. */
  subject: string;
  generation: number;
  replicas: number;
  ready: number;
  /** What the provisioner is waiting for before it can create or update the workload, if anything. */
  waitingFor?: string;
}

const isTrue = (conditions: Condition[], type: string) =>
  conditions.some((c) => c.type === type && c.status === 'True');

function condition(type: string, ok: boolean, generation: number, reason: string, message: string): Condition {
  return { type, status: ok ? 'True' : 'False', reason, message, observedGeneration: generation };
}

/** The provisioner's conditions (without transition times) for the current readiness. */
export function provisionerConditions(r: Readiness, previous: Condition[]): Condition[] {
  const g = r.generation;
  const ready = Math.min(r.ready, r.replicas);
  const allReady = ready >= r.replicas;
  const accepting = ready > 0;
  const waiting = r.waitingFor ? ` Waiting for ${r.waitingFor}.` : '';
  const conditions = [
    condition('ProvisioningStarted', true, g, 'DatabaseProvisioningStartedSuccessfully',
      `The KubeDB operator has started the provisioning of ${r.subject}`),
    allReady
      ? condition('ReplicaReady', true, g, 'AllReplicasReady', `All desired replicas are ready.${waiting}`)
      : condition('ReplicaReady', false, g, 'SomeReplicasNotReady', `${ready} of ${r.replicas} replicas are ready.${waiting}`),
    accepting
      ? condition('AcceptingConnection', true, g, 'DatabaseAcceptingConnectionRequest', `The ${r.subject} is accepting client requests.`)
      : condition('AcceptingConnection', false, g, 'DatabaseNotAcceptingConnectionRequest', `The ${r.subject} is not accepting client requests.`),
    allReady && accepting
      ? condition('Ready', true, g, 'ReadinessCheckSucceeded', `The ${r.subject} is ready.`)
      : condition('Ready', false, g, 'ReadinessCheckFailed', `The ${r.subject} is not ready.`),
  ];
  // Once provisioned, always provisioned: this is what tells NotReady (was up, is down) from Provisioning.
  if (accepting || isTrue(previous, 'Provisioned')) {
    conditions.push(condition('Provisioned', true, g, 'DatabaseSuccessfullyProvisioned', `The ${r.subject} is successfully provisioned.`));
  }
  return conditions;
}

/** KubeDB's phase from conditions: not provisioned → Provisioning; no connections → NotReady; degraded → Critical. */
export function phaseFromConditions(conditions: Condition[]): DatabasePhase {
  if (!isTrue(conditions, 'Provisioned')) return 'Provisioning';
  if (!isTrue(conditions, 'AcceptingConnection')) return 'NotReady';
  if (!isTrue(conditions, 'ReplicaReady') || !isTrue(conditions, 'Ready')) return 'Critical';
  return 'Ready';
}

/**
 * `existing` with the provisioner's conditions replaced by `ours`, each in its place (new ones appended);
 * conditions of other types are kept untouched. A condition keeps its lastTransitionTime while its status
 * stays the same.
 */
export function mergeConditions(existing: Condition[], ours: Condition[], now: string): Condition[] {
  const owned = new Set<string>(provisionerConditionTypes);
  const withTime = (c: Condition): Condition => {
    const before = existing.find((e) => e.type === c.type);
    const since = before?.status === c.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { ...c, lastTransitionTime: since };
  };
  const byType = new Map(ours.map((c) => [c.type, withTime(c)]));
  const merged = existing.flatMap((c) => {
    if (!owned.has(c.type)) return [c];
    const replacement = byType.get(c.type);
    byType.delete(c.type);
    return replacement ? [replacement] : [];
  });
  return [...merged, ...byType.values()];
}

export interface DatabaseStatus {
  phase: DatabasePhase;
  observedGeneration: number;
  conditions: Condition[];
}

/** The whole status to write: the other writers' conditions as they are, the provisioner's own brought up to date. */
export function desiredStatus(r: Readiness, existing: Condition[], now: string): DatabaseStatus {
  const conditions = mergeConditions(existing, provisionerConditions(r, existing), now);
  return { phase: phaseFromConditions(conditions), observedGeneration: r.generation, conditions };
}
