// One OpsRequest, carried out: admit → gate → pause → change → restart → resume, with compensation.
// Pure orchestration: every read and write of the world is an activity. One workflow serves every kind;
// what differs per kind is data in model/profiles.ts, read by the activities.
import {
  ApplicationFailure,
  type ActivityOptions,
  CancellationScope,
  isCancellation,
  proxyActivities,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Reissued } from '../activities/certificates.ts';
import type { Settings, StatusUpdate } from '../activities/ops-request.ts';
import type { DatabaseRef, OpsRequestRef } from '../activities/refs.ts';
import type { Replacement } from '../activities/pods.ts';
import type { OpsRequestKind } from '../model/profiles.ts';
import type { OpsPhase } from '../model/types.ts';
import { Progress } from './progress.ts';
import { Compensations } from './saga.ts';
import { StatusWriter } from './status-writer.ts';
import { opsDatabase, opsPhase, opsRequest, opsType } from './search-attributes.ts';
import { StepFailed, StepRunner, rootMessage } from './steps.ts';

/** The one JSON object a run takes — from the watcher, the CLI or Temporal Web's "Start Workflow" form. */
export interface OpsRequestInput {
  kind: OpsRequestKind;
  namespace: string;
  name: string;
}

export interface OpsRequestResult {
  phase: OpsPhase | 'AlreadyHandled';
  message: string;
  certificates?: Reissued[];
  restarts?: (Replacement & { previousUid: string })[];
}

const opsKinds: OpsRequestKind[] = ['MySQLOpsRequest', 'PerconaXtraDBOpsRequest', 'ProxySQLOpsRequest', 'PgpoolOpsRequest'];

// Bookkeeping must land even when Kubernetes is briefly away: retried until it does (404 and the like fail fast).
const bookkeepingOptions: ActivityOptions = {
  startToCloseTimeout: 30_000,
  retry: { initialInterval: 500, backoffCoefficient: 2, maximumInterval: 30_000 },
};
const bookkeeping = proxyActivities<Activities>(bookkeepingOptions);

// Waiting in the database's queue (as Pending) takes as long as the requests before it: no step limit applies.
const queueOptions: ActivityOptions = {
  startToCloseTimeout: '30 days',
  heartbeatTimeout: 30_000,
  retry: { initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000 },
};
const queue = proxyActivities<Activities>(queueOptions);

/** Records status on the OpsRequest, labelled on Temporal Web's timeline with what it records. */
const recordStatus = (ref: OpsRequestRef, update: StatusUpdate) =>
  bookkeeping.recordStatus.executeWithOptions(
    { ...bookkeepingOptions, summary: [update.phase && `phase ${update.phase}`, ...update.conditions.map((c) => `${c.type}=${c.status}`)].filter(Boolean).join(', ') },
    [ref, update],
  );

function checkInput(input: OpsRequestInput): OpsRequestRef {
  const problems = [
    !opsKinds.includes(input?.kind) && `input.kind must be one of ${opsKinds.join(', ')} (got ${JSON.stringify(input?.kind)})`,
    !input?.namespace && 'input.namespace is required',
    !input?.name && 'input.name is required',
  ].filter(Boolean);
  if (problems.length) {
    throw ApplicationFailure.nonRetryable(
      `${problems.join('; ')}. Example input: {"kind":"MySQLOpsRequest","namespace":"demo","name":"myops-rotate"}`,
      'InvalidInput',
    );
  }
  return { kind: input.kind, namespace: input.namespace, name: input.name };
}

export async function opsRequestWorkflow(input: OpsRequestInput): Promise<OpsRequestResult> {
  const ref = checkInput(input);
  const workflowId = workflowInfo().workflowId;
  const status = new StatusWriter((update) => recordStatus(ref, update));
  const admission = await bookkeeping.admit(ref, workflowId);

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
  const turn = await queue.awaitTurn
    .executeWithOptions({ ...queueOptions, summary: `wait for the turn of ${ref.name} on ${db.name}` }, [ref, workflowId])
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
  const progress = new Progress(`${admission.type} (rotate certificates) of ${db.kind} ${db.namespace}/${db.name}`);
  const steps = new StepRunner(admission.settings, progress, (update) => status.background(update));
  const saga = new Compensations();

  try {
    const result = await rotateCertificates(ref, db, admission.settings, steps, saga, progress);
    await status.final({
      phase: 'Successful',
      conditions: [
        { type: 'ReconfigureTLS', status: 'True', reason: 'ReconfigureTLS', message: 'certificates rotated and every pod restarted' },
        { type: 'Successful', status: 'True', reason: 'OpsRequestProcessedSuccessfully', message: `${ref.kind} ${ref.name} succeeded` },
      ],
    });
    upsertSearchAttributes([{ key: opsPhase, value: 'Successful' }]);
    return { phase: 'Successful', message: 'certificates rotated; every pod restarted once', ...result };
  } catch (err) {
    const failed = err instanceof StepFailed ? err : undefined;
    const message = failed ? `${failed.step.label} failed: ${failed.message}` : rootMessage(err);
    await CancellationScope.nonCancellable(async () => {
      const undoFailures = await saga.compensate();
      const conditions: StatusUpdate['conditions'] = [];
      if (failed) conditions.push({ type: failed.step.condition, status: 'False', reason: failed.cancelled ? 'Cancelled' : 'StepFailed', message: failed.message });
      conditions.push({
        type: 'Failed',
        status: 'True',
        reason: failed?.cancelled ? 'OpsRequestCancelled' : 'OpsRequestFailed',
        message: undoFailures.length ? `${message}; could not undo: ${undoFailures.join('; ')}` : message,
      });
      await status.final({ phase: 'Failed', conditions });
      upsertSearchAttributes([{ key: opsPhase, value: 'Failed' }]);
    });
    throw ApplicationFailure.nonRetryable(message, failed?.cancelled ? 'OpsRequestCancelled' : 'OpsRequestFailed');
  }
}

/** ReconfigureTLS with rotateCertificates: re-issue every certificate, then restart every pod once. */
async function rotateCertificates(
  ref: OpsRequestRef,
  db: DatabaseRef,
  settings: Settings,
  steps: StepRunner,
  saga: Compensations,
  progress: Progress,
): Promise<Pick<OpsRequestResult, 'certificates' | 'restarts'>> {
  if (settings.apply === 'IfReady') {
    await steps.run({ condition: 'DatabaseReady', label: 'Wait for the database to be Ready' }, () => steps.call('waitDatabaseReady', `wait until ${db.name} is Ready`, db), () => `${db.name} is Ready`);
  }
  // Pushed before pausing: a pause that took effect although its activity then failed is undone too.
  saga.push('resume the database', () => bookkeeping.resumeDatabase.executeWithOptions({ ...bookkeepingOptions, summary: `resume ${db.name}` }, [db]));
  await steps.run({ condition: 'DatabasePauseSucceeded', label: 'Pause the database' }, () => steps.call('pauseDatabase', `pause ${db.name}`, db, ref), () => `${db.kind} ${db.name} is paused`);

  const certs = await steps.run(
    { condition: 'GetCertificate', label: 'Find the certificates' },
    () => steps.call('listDatabaseCertificates', `list certificates of ${db.name}`, db),
    (list) => list.map((c) => c.name).join(', '),
  );
  const certificates = await steps.run(
    { condition: 'IssueCertificatesSucceeded', label: 'Re-issue the certificates' },
    () => Promise.all(certs.map((c) => steps.call('reissueCertificate', `re-issue ${c.name}`, db.namespace, c.name))),
    (issued) => issued.map((c) => `${c.name}: serial ${c.oldSerial ?? 'none'} → ${c.newSerial}`).join('; '),
  );
  steps.mark({ condition: 'CertificateSynced', label: 'Certificates synced' }, 'every Secret holds its new certificate');

  const plan = await steps.run(
    { condition: 'RestartPodsPlanned', label: 'Plan the restart' },
    () => steps.call('planRestart', `plan the restart of ${db.name}`, db),
    (p) => p.map((s) => `${s.pod} (${s.why})`).join(', '),
  );
  for (const s of plan) progress.set(`Restart ${s.pod}`, 'pending', s.why);
  const restarts: OpsRequestResult['restarts'] = [];
  for (const s of plan) {
    progress.set(`Restart ${s.pod}`, 'running', s.why);
    await steps.run({ condition: `EvictPod--${s.pod}`, label: `Evict ${s.pod}` }, () => steps.call('evictPod', `evict ${s.pod}`, db.namespace, s.pod, s.uid), (e) => `${e.pod}: ${e.outcome}`);
    const replaced = await steps.run(
      { condition: `CheckPodRunning--${s.pod}`, label: `Wait for ${s.pod} to be Ready` },
      () => steps.call('waitPodReplaced', `wait for ${s.pod} to come back Ready`, db.namespace, s.pod, s.uid),
      (r) => `${r.pod} is Ready (new uid ${r.uid})`,
    );
    restarts.push({ ...replaced, previousUid: s.uid });
    progress.set(`Restart ${s.pod}`, 'done', s.why);
  }
  steps.mark({ condition: 'RestartPods', label: 'Restart the pods' }, `${restarts.length} pods restarted one at a time: ${restarts.map((x) => x.pod).join(', ')}`);
  await steps.run({ condition: 'ResumeDatabase', label: 'Resume the database' }, () => saga.runNow('resume the database'), () => `${db.kind} ${db.name} is resumed`);
  return { certificates, restarts };
}
