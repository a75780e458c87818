// The OpsRequest itself: admission (read, claim, validate), its turn on the database, and status updates.
// The claim (an annotation naming the workflow) is what makes every entry point converge: a second workflow
// for the same OpsRequest, started by hand under another ID, finds it claimed and does nothing.
import { ApplicationFailure } from '@temporalio/common';
import { upsertCondition } from '../model/conditions.ts';
import { parseDuration } from '../model/duration.ts';
import { statusEvents, turnEvents, type EventContext } from '../model/events.ts';
import { profileForOpsKind, type DatabaseProfile } from '../model/profiles.ts';
import type { Condition, Database, OpsPhase, OpsRequest } from '../model/types.ts';
import { targetName, validateAgainstDatabase, validateSpec } from '../model/validation.ts';
import { turnOf, type QueuedRequest, type Turn } from '../model/queue.ts';
import { isConflict, isNotFound, mergePatch, type Kube } from '../platform/kube.ts';
import { RecentMap } from '../platform/recent-map.ts';
import { readCustom, updateStatus } from '../platform/status.ts';
import { waitFor } from '../platform/watch.ts';
import { emitEvents } from './events.ts';
import { asActivityFailure, kubeCall } from './failures.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';
import { whileHeartbeating } from './heartbeat.ts';
import { databaseResource, opsRequestResource } from './resources.ts';

export const claimAnnotation = 'opsflow.dev/workflow-id';
/** How long a run whose step failed waits for `retryFailedStep` before it puts things back (default: it does not wait). */
export const retryGraceAnnotation = 'opsflow.dev/retry-grace-period';
export const defaultStepTimeoutMs = 10 * 60_000;
const terminal: OpsPhase[] = ['Successful', 'Failed', 'Skipped'];

export interface Settings {
  /** `spec.timeout`: the limit for each step. */
  stepTimeoutMs: number;
  /** `spec.maxRetries`: how often a failed step is retried. */
  maxRetries: number;
  /**
   * How long a failed step waits for a retry (the workflow Update `retryFailedStep`, `opsflow retry NAME`)
   * before the run compensates: the annotation opsflow.dev/retry-grace-period, else the worker's
   * OPSFLOW_RETRY_GRACE_PERIOD. Absent (the default): a failed step fails the run at once.
   */
  retryGraceMs?: number;
}

export type Admission =
  | { verdict: 'admitted'; uid: string; type: string; database: DatabaseRef; settings: Settings; generation: number }
  | { verdict: 'rejected'; field: string; message: string }
  | { verdict: 'finished'; phase: OpsPhase }
  | { verdict: 'claimed'; workflowId: string };

export interface StatusUpdate {
  phase?: OpsPhase;
  conditions: Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>[];
  /** When it happened (the workflow's clock), for the conditions' transition times; else when it is written. */
  at?: string;
  /** The step whose condition this is: its label, when its run started and which run it is (read by `opsflow history`). */
  step?: { label: string; startedAt: string; endedAt?: string; attempt: number };
  /** The generation of the OpsRequest the run carries out (the one admitted): its status's observedGeneration. */
  generation?: number;
}

export type Validation = { ok: true; database: DatabaseRef; db: Database } | { ok: false; field: string; message: string };

/**
 * Admission's checks of an OpsRequest, as KubeDB's webhook makes them: the spec on its own, then against its
 * database, which must exist. The workflow's admission and `opsflow plan` both decide with this.
 */
export async function validateOpsRequest(kube: Kube, p: DatabaseProfile, ops: OpsRequest): Promise<Validation> {
  const spec = validateSpec(p, ops);
  if (!spec.ok) return spec;
  const database: DatabaseRef = { kind: p.kind, namespace: ops.metadata.namespace!, name: targetName(p, ops)! };
  const db = await kubeCall(`reading ${p.kind} ${database.namespace}/${database.name}`, () =>
    readCustom<Database>(kube, databaseResource(database)).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))),
  );
  const target = validateAgainstDatabase(p, ops, db);
  if (!target.ok) return target;
  return { ok: true, database, db: db! };
}

/** The retry grace period of a request: its annotation, else the worker's setting; undefined when it is off. */
export function retryGraceOf(ops: OpsRequest, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = ops.metadata.annotations?.[retryGraceAnnotation] ?? env.OPSFLOW_RETRY_GRACE_PERIOD;
  const ms = text ? parseDuration(text) : undefined;
  return ms ? ms : undefined;
}

/** Who an OpsRequest's events are about. */
export function eventContext(p: DatabaseProfile, ops: OpsRequest): EventContext {
  return {
    opsKind: p.opsRequest.kind,
    namespace: ops.metadata.namespace!,
    opsName: ops.metadata.name!,
    dbKind: p.kind,
    dbName: targetName(p, ops) ?? '',
    type: ops.spec?.type,
  };
}

const describe = (ref: OpsRequestRef) => `${ref.kind} ${ref.namespace}/${ref.name}`;

const queued = (o: OpsRequest): QueuedRequest => ({
  name: o.metadata.name!,
  type: o.spec?.type ?? '',
  phase: o.status?.phase,
  created: o.metadata.creationTimestamp!,
});

/** The condition a run adds once it sees its OpsRequest's spec edited after admission. */
const specEdited = (admitted: number, now: number): StatusUpdate['conditions'][number] => ({
  type: 'SpecEditIgnored',
  status: 'True',
  reason: 'SpecIsImmutable',
  message: `the spec was edited after this request was admitted (generation ${admitted} → ${now}); the run carries out generation ${admitted}: for the change, apply a new OpsRequest`,
});

// Each OpsRequest's status as this worker last wrote it, and the UID of its database (for its events): opsflow is
// the status's only writer while a run goes on, so the next write starts from it instead of reading first (a
// change by anyone else fails that write with 409, and it reads). Forgotten once the run has ended (a database
// made again under the same name has another UID); bounded, for runs that move to another worker.
const rememberedWrites = 1000;

export function opsRequestActivities(kube: Kube) {
  const lastWritten = new RecentMap<string, { ops: OpsRequest; dbUid?: string }>(rememberedWrites);
  const remember = (key: string, ops: OpsRequest, dbUid: string | undefined) => {
    if (terminal.includes(ops.status?.phase as OpsPhase)) lastWritten.delete(key);
    else lastWritten.set(key, { ops, dbUid });
  };

  async function claim(ref: OpsRequestRef, ops: OpsRequest, workflowId: string): Promise<string> {
    const owner = ops.metadata.annotations?.[claimAnnotation];
    if (owner) return owner;
    try {
      await kube.custom.patchNamespacedCustomObject(
        {
          ...opsRequestResource(ref),
          body: { metadata: { resourceVersion: ops.metadata.resourceVersion, annotations: { [claimAnnotation]: workflowId } } },
        },
        mergePatch,
      );
      return workflowId;
    } catch (err) {
      // Someone changed it meanwhile (perhaps another run claimed it): retry the activity, which reads again.
      if (isConflict(err)) throw ApplicationFailure.retryable(`${describe(ref)} changed while being claimed`, 'ClaimConflict');
      throw asActivityFailure(err, `claiming ${describe(ref)}`);
    }
  }

  return {
    async admit(ref: OpsRequestRef, workflowId: string): Promise<Admission> {
      const p = profileForOpsKind(ref.kind);
      if (!p) throw ApplicationFailure.nonRetryable(`unknown OpsRequest kind "${ref.kind}"`, 'InvalidInput');
      const ops = await kubeCall(`reading ${describe(ref)}`, () => readCustom<OpsRequest>(kube, opsRequestResource(ref)));
      const phase = ops.status?.phase;
      if (phase && terminal.includes(phase)) return { verdict: 'finished', phase };
      const owner = await claim(ref, ops, workflowId);
      if (owner !== workflowId) return { verdict: 'claimed', workflowId: owner };

      const valid = await validateOpsRequest(kube, p, ops);
      if (!valid.ok) return { verdict: 'rejected', field: valid.field, message: valid.message };

      const retryGraceMs = retryGraceOf(ops);
      return {
        verdict: 'admitted',
        uid: ops.metadata.uid!,
        type: ops.spec!.type!,
        generation: ops.metadata.generation ?? 1,
        database: valid.database,
        settings: {
          stepTimeoutMs: ops.spec?.timeout ? parseDuration(ops.spec.timeout)! : defaultStepTimeoutMs,
          maxRetries: ops.spec?.maxRetries ?? 1,
          ...(retryGraceMs ? { retryGraceMs } : {}),
        },
      };
    },

    /**
     * Waits (watching the namespace's OpsRequests) until it is this request's turn on its database, as
     * model/queue.ts decides; marks it Pending meanwhile and Progressing (condition Running) when its turn comes.
     */
    async awaitTurn(ref: OpsRequestRef, workflowId: string): Promise<Turn> {
      const p = profileForOpsKind(ref.kind)!;
      const collection = { apiVersion: 'ops.kubedb.com/v1alpha1', kind: ref.kind, plural: p.opsRequest.plural, namespace: ref.namespace };
      const mark = (phase: 'Pending' | 'Progressing', message: string) =>
        kubeCall(`marking ${describe(ref)} ${phase}`, async () => {
          let changed = false;
          const written = await updateStatus<OpsRequest>(kube, opsRequestResource(ref), (cur) =>
            cur.status?.phase === phase
              ? undefined
              : ((changed = true), {
                  ...cur.status,
                  phase,
                  observedGeneration: cur.metadata.generation,
                  conditions: upsertCondition(
                    cur.status?.conditions,
                    { type: 'Running', status: phase === 'Progressing' ? 'True' : 'False', reason: phase, message, observedGeneration: cur.metadata.generation },
                    new Date().toISOString(),
                  ),
                }),
          );
          if (changed) await emitEvents(kube, eventContext(p, written), turnEvents(eventContext(p, written), phase, waiting), { ops: written.metadata.uid });
        });
      let waiting: string | undefined;
      let pendingWrite: Promise<unknown> = Promise.resolve(); // awaited before the outcome is written
      const turn = await whileHeartbeating(
        (signal) =>
          waitFor<OpsRequest, Turn>(
            kube,
            collection,
            {},
            (all) => {
              const me = all.find((o) => o.metadata.name === ref.name);
              if (!me) throw ApplicationFailure.nonRetryable(`${describe(ref)} was deleted while waiting for its turn`, 'OpsRequestDeleted');
              const target = targetName(p, me);
              const turn = turnOf(ref.name, all.filter((o) => targetName(p, o) === target).map(queued));
              if (turn.action !== 'wait') return turn;
              if (waiting !== turn.behind) {
                waiting = turn.behind;
                const message = `waiting for ${ref.kind} ${waiting} on the same database to finish`;
                pendingWrite = pendingWrite.then(() => mark('Pending', message)).catch(() => {});
              }
              return undefined;
            },
            signal,
          ),
        () => ({ waiting }),
      );
      await pendingWrite;
      if (turn.action === 'run') await mark('Progressing', `opsflow is carrying out ${ref.kind} ${ref.name} (workflow ${workflowId})`);
      return turn;
    },

    /**
     * Sets the phase (if given) and replaces conditions by type, observing the generation the run admitted. Emits
     * the events of what it recorded (see model/events.ts). An OpsRequest deleted meanwhile has no status to
     * write: that is not an error (its run is being cancelled). Returns `update`, so that the run's history keeps
     * what was written (a local activity's input is not kept there).
     */
    async recordStatus(ref: OpsRequestRef, update: StatusUpdate): Promise<StatusUpdate> {
      const p = profileForOpsKind(ref.kind)!;
      const now = update.at ?? new Date().toISOString();
      const key = `${ref.kind}/${ref.namespace}/${ref.name}`;
      const remembered = lastWritten.get(key);
      const emit = (ops: OpsRequest, dbUid: string | undefined) => {
        const context = eventContext(p, ops);
        const events = statusEvents(context, update).map((e) => (context.dbName ? e : { ...e, on: e.on.filter((t) => t !== 'Database') }));
        return emitEvents(kube, context, events, { ops: ops.metadata.uid, db: dbUid });
      };
      // An OpsRequest this worker wrote before is known (its name, UID, target: what the Events need), so its
      // Events go out beside the status write, one round trip where there were two; the first write of a run
      // waits for the OpsRequest it writes to. emitEvents never throws, and an attempt retried after its write
      // failed does not count its Events again (events.ts knows the occurrence).
      const early = remembered ? emit(remembered.ops, remembered.dbUid) : undefined;
      let written: OpsRequest;
      try {
        written = await updateStatus<OpsRequest>(kube, opsRequestResource(ref), (cur) => {
          // A spec edited while the run goes on is not carried out (KubeDB refuses such edits; so does
          // deploy/opsflow/admission-policy.yaml, where installed): the status observes the admitted generation.
          const observedGeneration = update.generation ?? cur.metadata.generation;
          const edited = update.generation !== undefined && (cur.metadata.generation ?? 1) > update.generation;
          let conditions = cur.status?.conditions;
          for (const c of [...update.conditions, ...(edited ? [specEdited(update.generation!, cur.metadata.generation!)] : [])]) {
            conditions = upsertCondition(conditions, { ...c, observedGeneration }, now);
          }
          return { ...cur.status, ...(update.phase ? { phase: update.phase } : {}), observedGeneration, conditions };
        }, { known: remembered?.ops });
      } catch (err) {
        await early;
        lastWritten.delete(key);
        if (isNotFound(err)) return update;
        throw asActivityFailure(err, `updating the status of ${describe(ref)}`);
      }
      const uids = await (early ?? emit(written, undefined));
      remember(key, written, uids.db);
      return update;
    },
  };
}
