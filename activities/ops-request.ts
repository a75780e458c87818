// The OpsRequest itself: admission (read, claim, validate, mark Progressing) and status updates.
// The claim (an annotation naming the workflow) is what makes every entry point converge: a second workflow
// for the same OpsRequest, started by hand under another ID, finds it claimed and does nothing.
import { ApplicationFailure } from '@temporalio/common';
import { upsertCondition } from '../model/conditions.ts';
import { parseDuration } from '../model/duration.ts';
import { profileForOpsKind } from '../model/profiles.ts';
import type { Condition, Database, OpsPhase, OpsRequest } from '../model/types.ts';
import { targetName, validateAgainstDatabase, validateSpec } from '../model/validation.ts';
import { isConflict, isNotFound, mergePatch, type Kube } from '../platform/kube.ts';
import { readCustom, updateStatus } from '../platform/status.ts';
import { asActivityFailure, kubeCall } from './failures.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';
import { databaseResource, opsRequestResource } from './resources.ts';

export const claimAnnotation = 'opsflow.dev/workflow-id';
export const defaultStepTimeoutMs = 10 * 60_000;
const terminal: OpsPhase[] = ['Successful', 'Failed', 'Skipped'];

export interface Settings {
  /** `spec.timeout`: the limit for each step. */
  stepTimeoutMs: number;
  /** `spec.maxRetries`: how often a failed step is retried. */
  maxRetries: number;
  apply: 'IfReady' | 'Always';
}

export type Admission =
  | { verdict: 'admitted'; uid: string; type: string; database: DatabaseRef; settings: Settings }
  | { verdict: 'rejected'; field: string; message: string }
  | { verdict: 'finished'; phase: OpsPhase }
  | { verdict: 'claimed'; workflowId: string };

export interface StatusUpdate {
  phase?: OpsPhase;
  conditions: Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>[];
}

const describe = (ref: OpsRequestRef) => `${ref.kind} ${ref.namespace}/${ref.name}`;

export function opsRequestActivities(kube: Kube) {
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

      const spec = validateSpec(p, ops);
      if (!spec.ok) return { verdict: 'rejected', field: spec.field, message: spec.message };
      const database: DatabaseRef = { kind: p.kind, namespace: ref.namespace, name: targetName(p, ops)! };
      const db = await kubeCall(`reading ${p.kind} ${database.namespace}/${database.name}`, () =>
        readCustom<Database>(kube, databaseResource(database)).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))),
      );
      const target = validateAgainstDatabase(p, ops, db);
      if (!target.ok) return { verdict: 'rejected', field: target.field, message: target.message };

      await kubeCall(`marking ${describe(ref)} Progressing`, () =>
        updateStatus<OpsRequest>(kube, opsRequestResource(ref), (cur) =>
          cur.status?.phase === 'Progressing'
            ? undefined
            : {
                phase: 'Progressing',
                observedGeneration: cur.metadata.generation,
                conditions: upsertCondition(
                  cur.status?.conditions,
                  { type: 'Running', status: 'True', reason: 'Running', message: `opsflow is carrying out ${ref.kind} ${ref.name} (workflow ${workflowId})`, observedGeneration: cur.metadata.generation },
                  new Date().toISOString(),
                ),
              },
        ),
      );
      return {
        verdict: 'admitted',
        uid: ops.metadata.uid!,
        type: ops.spec!.type!,
        database,
        settings: {
          stepTimeoutMs: ops.spec?.timeout ? parseDuration(ops.spec.timeout)! : defaultStepTimeoutMs,
          maxRetries: ops.spec?.maxRetries ?? 1,
          apply: ops.spec?.apply === 'Always' ? 'Always' : 'IfReady',
        },
      };
    },

    /** Sets the phase (if given) and replaces conditions by type; the generation is the OpsRequest's own. */
    async recordStatus(ref: OpsRequestRef, update: StatusUpdate): Promise<void> {
      const now = new Date().toISOString();
      await kubeCall(`updating the status of ${describe(ref)}`, () =>
        updateStatus<OpsRequest>(kube, opsRequestResource(ref), (cur) => {
          let conditions = cur.status?.conditions;
          for (const c of update.conditions) {
            conditions = upsertCondition(conditions, { ...c, observedGeneration: cur.metadata.generation }, now);
          }
          return { ...cur.status, ...(update.phase ? { phase: update.phase } : {}), observedGeneration: cur.metadata.generation, conditions };
        }),
      );
    },
  };
}
