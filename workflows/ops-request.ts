// One OpsRequest, carried out: admit → wait for its turn → plan (an activity, so the plan is recorded) →
// execute the plan step by step → Successful, or compensate → Failed. Pure orchestration: every read and write
// of the world is an activity, every decision about kinds and variants is the planner's.
import {
  ApplicationFailure,
  type ActivityOptions,
  CancellationScope,
  isCancellation,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { StatusUpdate } from '../activities/ops-request.ts';
import type { OpsRequestRef } from '../activities/refs.ts';
import type { OpsPhase } from '../model/types.ts';
import { Dispatch } from './dispatch.ts';
import { PlanExecution, type Outcome } from './execute-plan.ts';
import { parseInput, type OpsRequestInput } from './input.ts';
import { Progress, type StepRecord } from './progress.ts';
import { RetryGate } from './retry.ts';
import { Compensations } from './saga.ts';
import { StatusWriter } from './status-writer.ts';
import { opsDatabase, opsPhase, opsRequest, opsType } from './search-attributes.ts';
import { StepFailed, StepRunner, rootMessage } from './steps.ts';
import { summarise } from './summary.ts';

/** The one JSON object a run takes — from the watcher, the CLI or Temporal Web's "Start Workflow" form (see input.ts). */
export type { OpsRequestInput } from './input.ts';

export interface OpsRequestResult extends Partial<Outcome> {
  phase: OpsPhase | 'AlreadyHandled';
  message: string;
  /** One line: what was done to which database, how long it took, how much it issued and restarted. */
  summary?: string;
  /** What changed, one change a line. */
  changes?: string[];
  /** The step list with durations and attempts. */
  steps?: StepRecord[];
}

// Bookkeeping must land even when Kubernetes is briefly away: retried until it does (404 and the like fail fast).
const bookkeepingOptions: ActivityOptions = {
  startToCloseTimeout: 30_000,
  retry: { initialInterval: 500, backoffCoefficient: 2, maximumInterval: 30_000 },
};

// Waiting in the database's queue (as Pending) takes as long as the requests before it: no step limit applies.
// A wait whose worker was lost goes to another within 10 s.
const queueOptions: ActivityOptions = {
  startToCloseTimeout: '30 days',
  heartbeatTimeout: 10_000,
  retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000 },
};

/** Records status on the OpsRequest, labelled on Temporal Web's timeline with what it records; `last`: the run's end. */
function recordStatus(dispatch: Dispatch, ref: OpsRequestRef, update: StatusUpdate, last = false) {
  const options = { ...bookkeepingOptions, summary: [update.phase && `phase ${update.phase}`, ...update.conditions.map((c) => `${c.type}=${c.status}`)].filter(Boolean).join(', ') };
  return last ? dispatch.callLast('recordStatus', options, ref, update) : dispatch.call('recordStatus', options, ref, update);
}

/** Creates the OpsRequest a whole-OpsRequest input gives (or adopts the one of that name with its spec), claimed by this run. */
async function adopt(dispatch: Dispatch, ref: OpsRequestRef, whole: Parameters<Activities['adoptOpsRequest']>[0], workflowId: string): Promise<void> {
  try {
    await dispatch.call('adoptOpsRequest', { ...bookkeepingOptions, summary: `create ${ref.kind} ${ref.namespace}/${ref.name}` }, whole, workflowId);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(rootMessage(err), 'InvalidInput');
  }
  // Listed from now on, and found by the watcher's check for runs whose OpsRequest was deleted.
  const target = whole.spec?.databaseRef?.name ?? whole.spec?.proxyRef?.name;
  upsertSearchAttributes([
    { key: opsRequest, value: `${ref.namespace}/${ref.name}` },
    ...(target ? [{ key: opsDatabase, value: `${ref.kind.replace(/OpsRequest$/, '')}/${ref.namespace}/${target}` }] : []),
    ...(whole.spec?.type ? [{ key: opsType, value: whole.spec.type }] : []),
  ]);
}

export async function opsRequestWorkflow(input: OpsRequestInput): Promise<OpsRequestResult> {
  const { ref, whole } = parseInput(input);
  const workflowId = workflowInfo().workflowId;
  const dispatch = new Dispatch();
  let generation: number | undefined; // the one admitted, once it is
  const admitted = (update: StatusUpdate) => (generation === undefined ? update : { ...update, generation });
  const status = new StatusWriter(
    (update) => recordStatus(dispatch, ref, admitted(update)),
    (update) => recordStatus(dispatch, ref, admitted(update), true),
  );
  dispatch.settleFirst(() => status.settled());
  if (whole) await adopt(dispatch, ref, whole, workflowId);
  const admission = await dispatch.call('admit', bookkeepingOptions, ref, workflowId);

  if (admission.verdict === 'finished') {
    return { phase: admission.phase, message: `${ref.kind} ${ref.namespace}/${ref.name} is already ${admission.phase}` };
  }
  if (admission.verdict === 'claimed') {
    return { phase: 'AlreadyHandled', message: `${ref.kind} ${ref.namespace}/${ref.name} is carried out by workflow ${admission.workflowId}` };
  }
  if (admission.verdict === 'rejected') {
    await status.final({ phase: 'Failed', conditions: [{ type: 'Failed', status: 'True', reason: 'InvalidOpsRequest', message: admission.message }] });
    upsertSearchAttributes([{ key: opsPhase, value: 'Failed' }]);
    throw ApplicationFailure.nonRetryable(admission.message, 'InvalidOpsRequest', { field: admission.field });
  }

  const db = admission.database;
  generation = admission.generation;
  const turn = await dispatch
    .call('awaitTurn', { ...queueOptions, summary: `wait for the turn of ${ref.name} on ${db.name}` }, ref, workflowId)
    .catch(async (err) => {
      // Nothing was touched yet; the OpsRequest must not be left Pending with no run behind it.
      const message = isCancellation(err) ? 'cancelled while waiting for its turn' : `waiting for its turn failed: ${rootMessage(err)}`;
      await CancellationScope.nonCancellable(() =>
        status.final({ phase: 'Failed', conditions: [{ type: 'Failed', status: 'True', reason: 'OpsRequestFailed', message }] }),
      );
      throw err;
    });
  if (turn.action === 'skip') {
    const message = `skipped: ${turn.supersededBy}, a newer ${admission.type} OpsRequest for ${db.kind} ${db.name}, runs instead`;
    await status.final({ phase: 'Skipped', conditions: [{ type: 'Skipped', status: 'True', reason: 'SupersededByNewerOpsRequest', message }] });
    upsertSearchAttributes([{ key: opsPhase, value: 'Skipped' }]);
    return { phase: 'Skipped', message };
  }
  upsertSearchAttributes([
    { key: opsDatabase, value: `${db.kind}/${db.namespace}/${db.name}` },
    { key: opsRequest, value: `${ref.namespace}/${ref.name}` },
    { key: opsType, value: admission.type },
    { key: opsPhase, value: 'Progressing' },
  ]);

  const planned = await dispatch
    .call('planOperation', { ...bookkeepingOptions, heartbeatTimeout: 5000, summary: `plan ${ref.name} from the facts of ${db.name}` }, ref, db, generation)
    .catch(async (err) => {
      const message = `planning failed before anything was changed: ${rootMessage(err)}`;
      await CancellationScope.nonCancellable(() =>
        status.final({ phase: 'Failed', conditions: [{ type: 'Failed', status: 'True', reason: 'OpsRequestFailed', message }] }),
      );
      throw err;
    });
  if (!planned.ok) {
    // Decided from the database as it is now, before anything was touched.
    await status.final({ phase: 'Failed', conditions: [{ type: 'Failed', status: 'True', reason: 'InvalidOpsRequest', message: planned.message }] });
    upsertSearchAttributes([{ key: opsPhase, value: 'Failed' }]);
    throw ApplicationFailure.nonRetryable(planned.message, 'InvalidOpsRequest', { field: planned.field });
  }
  const plan = planned.plan;
  const what = `${db.kind} ${db.namespace}/${db.name}`;
  status.background({ conditions: [{ type: plan.type, status: 'True', reason: plan.type, message: `opsflow has started to ${plan.summary} of ${what}` }] });
  const progress = new Progress(`${plan.type}: ${plan.summary} of ${what}`);
  const retry = new RetryGate(admission.settings.retryGraceMs);
  const retryHint = `\`opsflow retry ${ref.name} -n ${ref.namespace} --kind ${ref.kind}\` (the Update retryFailedStep)`;
  const steps = new StepRunner(admission.settings, dispatch, progress, (update) => status.background(update), { gate: retry, hint: retryHint });
  const saga = new Compensations();
  const execution = new PlanExecution({ ref, db, steps, saga, progress, dispatch });
  const began = Date.now();

  try {
    const outcome = await execution.run(plan);
    const result = summarise(plan, outcome, progress.records(), Date.now() - began);
    await status.final({
      phase: 'Successful',
      conditions: [{ type: 'Successful', status: 'True', reason: 'OpsRequestProcessedSuccessfully', message: plan.done.message }],
      at: new Date().toISOString(),
    });
    upsertSearchAttributes([{ key: opsPhase, value: 'Successful' }]);
    return { phase: 'Successful', message: plan.done.message, ...result, ...outcome };
  } catch (err) {
    const failed = err instanceof StepFailed ? err : undefined;
    const restarted = execution.outcome.restarts.map((r) => r.pod);
    const where = restarted.length
      ? ` Pods already restarted on the new configuration: ${restarted.join(', ')}; apply the request again to finish the others.`
      : execution.evicted.length
        ? ` ${execution.evicted.join(', ')} was evicted and is not back, so what the request changed stays (a pod that starts now runs it): fix what keeps it from starting, then apply the request again to finish.`
        : saga.committed
          ? ' What the request changed stays: it had passed the point where it can be put back.'
          : ' Nothing was restarted; what the request changed was put back.';
    const message = `${failed ? `${failed.step.label} failed: ${failed.message}` : rootMessage(err)}.${where}`;
    await CancellationScope.nonCancellable(async () => {
      const undoFailures = await saga.compensate();
      const conditions: StatusUpdate['conditions'] = [];
      if (failed) conditions.push({ type: failed.step.condition, status: 'False', reason: failed.cancelled ? 'Cancelled' : 'StepFailed', message: failed.message });
      conditions.push({
        type: 'Failed',
        status: 'True',
        reason: failed?.cancelled ? 'OpsRequestCancelled' : 'OpsRequestFailed',
        message: undoFailures.length ? `${message} Could not undo: ${undoFailures.join('; ')}` : message,
      });
      const step = failed ? steps.stepUpdate(failed.step, conditions[0]).step : undefined;
      await status.final({ phase: 'Failed', conditions, at: new Date().toISOString(), ...(step ? { step } : {}) });
      upsertSearchAttributes([{ key: opsPhase, value: 'Failed' }]);
    });
    // The run's failure message is the failed step's error; its details say what had changed by then.
    const result = summarise(plan, execution.outcome, progress.records(), Date.now() - began, failed?.step.label);
    throw ApplicationFailure.nonRetryable(message, failed?.cancelled ? 'OpsRequestCancelled' : 'OpsRequestFailed', {
      step: failed?.step.label,
      condition: failed?.step.condition,
      error: failed?.message ?? rootMessage(err),
      ...result,
    });
  }
}
