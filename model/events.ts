// The Kubernetes Events an OpsRequest's run leaves on the OpsRequest and on its database, worded as KubeDB's
// ops-manager words them ("Pausing MySQL database: demo/mysql", reason Starting or Successful; a step's own
// condition type as the reason of its event), so `kubectl describe` tells the story a KubeDB user expects.
// Pure: the activities that write status call it with what they wrote and emit what it returns.
import type { DatabaseKind, OpsRequestKind } from './profiles.ts';
import type { Condition, OpsPhase } from './types.ts';

export type EventType = 'Normal' | 'Warning';
export type EventTarget = 'OpsRequest' | 'Database';

export interface EventSpec {
  type: EventType;
  /** CamelCase, ≤ 128 characters: `Starting`, `Successful`, `Failed`, or the step's condition type. */
  reason: string;
  /** What opsflow did or tried (events.k8s.io's `action`). */
  action: string;
  message: string;
  /** The objects the event is about. */
  on: EventTarget[];
}

export interface EventContext {
  opsKind: OpsRequestKind;
  namespace: string;
  opsName: string;
  dbKind: DatabaseKind;
  dbName: string;
  /** The OpsRequest's spec.type. */
  type?: string;
}

const both: EventTarget[] = ['OpsRequest', 'Database'];
/** Kubernetes refuses an event note over 1 kB. */
const noteLimit = 1024;
const clip = (s: string) => (s.length > noteLimit ? `${s.slice(0, noteLimit - 1)}…` : s);

const opsOf = (c: EventContext) => `${c.opsKind}: ${c.namespace}/${c.opsName}`;
const dbOf = (c: EventContext) => `${c.dbKind} database: ${c.namespace}/${c.dbName}`;

/** "reconfigured MySQL TLS", as KubeDB says it, for the request's type. */
function didWhat(c: EventContext): { done: string; doing: string } {
  switch (c.type) {
    case 'ReconfigureTLS':
      return { done: `reconfigured ${c.dbKind} TLS`, doing: `reconfigure ${c.dbKind} TLS` };
    case 'Reconfigure':
      return { done: `reconfigured ${c.dbKind}`, doing: `reconfigure ${c.dbKind}` };
    default:
      return { done: `processed the ${c.opsKind}`, doing: `process the ${c.opsKind}` };
  }
}

/** The pod a per-pod condition (`EvictPod--my-db-1`) is about. */
const podOf = (type: string) => /^(?:GetPod|EvictPod|CheckPodRunning)--(.+)$/.exec(type)?.[1];

/** What each step condition's success says (the condition's own message follows after a colon). */
const successWording: Record<string, (c: EventContext) => string> = {
  DatabaseReady: (c) => `${c.dbKind} database ${c.namespace}/${c.dbName} is Ready`,
  UpdateCertificates: () => 'Successfully updated the certificates',
  IssueCertificatesSucceeded: () => 'Successfully issued all certificates',
  CheckIssuingCondition: () => 'Successfully issued all certificates',
  CertificateSynced: () => 'Successfully synced all certificates',
  UpdateStatefulSets: (c) => `Successfully reconciled the ${c.dbKind} StatefulSet with TLS`,
  UpdatePetSets: (c) => `Successfully reconciled the ${c.dbKind} PetSet with TLS`,
  UpdateConfigSecret: (c) => `Successfully updated the ${c.dbKind} configuration`,
  UpdateDatabase: (c) => `Successfully updated the ${c.dbKind} spec`,
  RestartPods: (c) => `Successfully restarted ${c.dbKind} pods for ${opsOf(c)}`,
  DeleteCertificates: () => 'Successfully deleted the certificates and their Secrets',
  ResumeDatabase: (c) => `Successfully resumed ${dbOf(c)}`,
};

/** Conditions whose events the activity that did the work emits itself (it knows more, and sooner). */
const emittedElsewhere = new Set(['DatabasePauseSucceeded', 'Running']);

/**
 * The events of one status write: one per condition it records (a step done, failed or waiting), and one for
 * the phase it ends in. The same write always gives the same events, so the emitter can aggregate them.
 */
export function statusEvents(c: EventContext, update: { phase?: OpsPhase; conditions: Pick<Condition, 'type' | 'status' | 'message'>[] }): EventSpec[] {
  const out: EventSpec[] = [];
  for (const cond of update.conditions) {
    const message = cond.message ?? '';
    if (emittedElsewhere.has(cond.type)) continue;
    if (cond.type === 'Successful') {
      out.push({ type: 'Normal', reason: 'Successful', action: 'Finish', on: both, message: clip(`Successfully ${didWhat(c).done} for ${opsOf(c)}: ${message}`) });
      continue;
    }
    if (cond.type === 'Failed') {
      out.push({ type: 'Warning', reason: 'Failed', action: 'Finish', on: both, message: clip(`Failed to ${didWhat(c).doing} for ${opsOf(c)}: ${message}`) });
      continue;
    }
    if (cond.type === 'Skipped') {
      out.push({ type: 'Normal', reason: 'Skipped', action: 'Skip', on: ['OpsRequest'], message: clip(`Skipped ${opsOf(c)}: ${message}`) });
      continue;
    }
    if (cond.status !== 'True') {
      out.push({ type: 'Warning', reason: cond.type, action: podOf(cond.type) ? 'RestartPod' : cond.type, on: both, message: clip(message) });
      continue;
    }
    const pod = podOf(cond.type);
    if (pod && cond.type.startsWith('GetPod--')) {
      // "my-db-0 (primary, last) is next": why this pod, now.
      const why = /\((.*)\) is next$/.exec(message)?.[1];
      out.push({ type: 'Normal', reason: 'Starting', action: 'RestartPod', on: both, message: clip(`Restarting Pod: ${c.namespace}/${pod}${why ? ` (${why})` : ''}`) });
    } else if (pod && cond.type.startsWith('EvictPod--')) {
      const how = /: (evicted|deleted|gone)$/.exec(message)?.[1];
      const text =
        how === 'deleted' ? `Deleted crash-looping Pod: ${c.namespace}/${pod}` : how === 'gone' ? `Pod ${c.namespace}/${pod} was already replaced` : `Evicted Pod: ${c.namespace}/${pod}`;
      out.push({ type: 'Normal', reason: cond.type, action: 'RestartPod', on: both, message: text });
    } else if (pod) {
      const uid = /\(new uid [^)]*\)/.exec(message)?.[0];
      out.push({ type: 'Normal', reason: cond.type, action: 'RestartPod', on: both, message: clip(`Pod ${c.namespace}/${pod} is running and Ready${uid ? ` ${uid}` : ''}`) });
    } else if (cond.type === c.type) {
      // The request's own type opens the run: "opsflow has started to …".
      out.push({ type: 'Normal', reason: cond.type, action: 'Start', on: both, message: clip(message) });
    } else {
      const wording = successWording[cond.type];
      const head = wording ? wording(c) : `Successfully finished ${cond.type}`;
      // ResumeDatabase's own event on the database comes from resuming it.
      const on: EventTarget[] = cond.type === 'ResumeDatabase' ? ['OpsRequest'] : both;
      // The wording says it all for these; the others add what the step did.
      const plain = cond.type === 'ResumeDatabase' || cond.type === 'DatabaseReady';
      out.push({ type: 'Normal', reason: cond.type, action: cond.type, on, message: clip(message && !plain ? `${head}: ${message}` : head) });
    }
  }
  return out;
}

/** When a request's turn comes, or while it waits for it. */
export function turnEvents(c: EventContext, phase: 'Pending' | 'Progressing', behind?: string): EventSpec[] {
  if (phase === 'Progressing') return [{ type: 'Normal', reason: 'Starting', action: 'Start', on: ['OpsRequest'], message: `Start processing for ${opsOf(c)}` }];
  return [{ type: 'Normal', reason: 'Pending', action: 'Wait', on: ['OpsRequest'], message: `Waiting for ${c.opsKind} ${c.namespace}/${behind} on ${c.dbKind} ${c.namespace}/${c.dbName} to finish` }];
}

/** Pausing and resuming, emitted by the activities that do it, on the database (and the OpsRequest that pauses). */
export const pauseEvents = {
  pausing: (c: EventContext): EventSpec => ({ type: 'Normal', reason: 'Starting', action: 'Pause', on: both, message: `Pausing ${dbOf(c)}` }),
  paused: (c: EventContext): EventSpec => ({ type: 'Normal', reason: 'Successful', action: 'Pause', on: both, message: `Successfully paused ${dbOf(c)} for ${c.opsKind}: ${c.opsName}` }),
};

export const resumeEvents = {
  resuming: (kind: DatabaseKind, namespace: string, name: string): EventSpec => ({ type: 'Normal', reason: 'Starting', action: 'Resume', on: ['Database'], message: `Resuming ${kind} database: ${namespace}/${name}` }),
  resumed: (kind: DatabaseKind, namespace: string, name: string): EventSpec => ({ type: 'Normal', reason: 'Successful', action: 'Resume', on: ['Database'], message: `Successfully resumed ${kind} database: ${namespace}/${name}` }),
};
