// The watcher: every OpsRequest that is not finished gets one workflow run, and every database with TLS gets
// its certificates made. The IDs are deterministic (see workflow-ids.ts) and Temporal refuses a second run under
// one ID, so resyncs, restarts and duplicate events are harmless; the in-memory map only saves round trips. An
// OpsRequest claimed by another run (one started by hand, or from Temporal Web with a whole OpsRequest) is that
// run's: the watcher starts none for it. A deleted OpsRequest's run is cancelled (see deletions.ts); one whose
// run ended without finishing it is ended (see ended-runs.ts).
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { stringify } from 'yaml';
import { claimAnnotation } from '../activities/ops-request.ts';
import type { DatabaseRef, OpsRequestRef } from '../activities/refs.ts';
import { databaseApiVersion, databaseKinds, profiles, type DatabaseProfile } from '../model/profiles.ts';
import type { Database, OpsRequest } from '../model/types.ts';
import { apiMessage, type Kube } from '../platform/kube.ts';
import { observe, type Observation } from '../platform/watch.ts';
import type { databaseCertificatesWorkflow } from '../workflows/certificates.ts';
import type { opsRequestWorkflow } from '../workflows/ops-request.ts';
import { opsDatabase, opsPhase, opsRequest, opsType } from '../workflows/search-attributes.ts';
import { cancelRunsOfDeletedRequests, onOpsRequestDeleted } from './deletions.ts';
import { endAbandonedRequests } from './ended-runs.ts';
import { certificatesWorkflowId, opsRequestWorkflowId } from './workflow-ids.ts';

export interface WatcherOptions {
  kube: Kube;
  client: Client;
  taskQueue: string;
  logger: Logger;
  /** Watch one namespace only (default: all). */
  namespace?: string;
  signal: AbortSignal;
  /** Delay before a start that failed (Temporal unreachable) is tried again. */
  retryDelayMs?: number;
  /** How often the runs of unfinished OpsRequests are checked for having ended without finishing them (see ended-runs.ts). */
  endedRunCheckMs?: number;
  /** How long a worker may hold a run's workflow task before the server gives it to another (Temporal's default: 10 s). */
  workflowTaskTimeoutMs?: number;
}

const finished = new Set(['Successful', 'Failed', 'Skipped']);

export async function runWatcher(o: WatcherOptions): Promise<void> {
  // The run last started for each object (by uid): one entry per live object, forgotten when it is deleted or
  // its request finished, so a watcher running for months does not grow with every request and generation.
  const started = new Map<string, string>();
  const retryDelayMs = o.retryDelayMs ?? 2000;

  async function start(uid: string, id: string, what: string, begin: () => Promise<unknown>): Promise<void> {
    if (started.get(uid) === id || o.signal.aborted) return;
    started.set(uid, id);
    try {
      await begin();
      o.logger.info({ workflowId: id }, `started workflow for ${what}`);
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return; // an earlier run exists: nothing to do
      if (started.get(uid) === id) started.delete(uid);
      o.logger.warn({ workflowId: id, err: (err as Error).message }, `could not start workflow for ${what}; retrying`);
      setTimeout(() => void start(uid, id, what, begin), retryDelayMs).unref();
    }
  }

  const deletions = { kube: o.kube, client: o.client, taskQueue: o.taskQueue, logger: o.logger, namespace: o.namespace };

  // The OpsRequests as last listed, per kind, for the periodic check of their runs.
  const requests = new Map<DatabaseProfile, Map<string, OpsRequest>>();
  const checking = new Set<DatabaseProfile>();
  const checkEndedRuns = (p: DatabaseProfile) => {
    if (checking.has(p)) return;
    checking.add(p);
    void endAbandonedRequests(o.kube, o.client, o.logger, p, [...(requests.get(p)?.values() ?? [])])
      .catch((err) => o.logger.warn({ err: (err as Error).message }, `could not check the runs of ${p.opsRequest.plural}`))
      .finally(() => checking.delete(p));
  };
  const timer = setInterval(() => {
    for (const p of requests.keys()) checkEndedRuns(p);
  }, o.endedRunCheckMs ?? 30_000);
  timer.unref();
  o.signal.addEventListener('abort', () => clearInterval(timer), { once: true });

  function onOpsRequest(p: DatabaseProfile) {
    return ({ objects, object, type }: Observation<OpsRequest>) => {
      // After each list (start, or a re-list): runs whose OpsRequest went away unseen are cancelled.
      requests.set(p, objects);
      if (type === 'SYNC') {
        void cancelRunsOfDeletedRequests(deletions, p).catch((err) => o.logger.warn({ err: (err as Error).message }, `could not check the runs of deleted ${p.opsRequest.plural}`));
        checkEndedRuns(p);
      }
      for (const ops of object ? [object] : objects.values()) {
        const ref: OpsRequestRef = { kind: p.opsRequest.kind, namespace: ops.metadata.namespace!, name: ops.metadata.name! };
        const id = opsRequestWorkflowId(ref, ops.metadata.uid!);
        if (type === 'DELETED') {
          started.delete(ops.metadata.uid!);
          void onOpsRequestDeleted(deletions, p, ops);
          continue;
        }
        if (finished.has(ops.status?.phase ?? '')) {
          started.delete(ops.metadata.uid!);
          continue;
        }
        const owner = ops.metadata.annotations?.[claimAnnotation];
        if (owner && owner !== id) continue; // another run claimed it and carries it out
        const target = ops.spec?.[p.opsRequest.targetField]?.name;
        void start(ops.metadata.uid!, id, `${ref.kind} ${ref.namespace}/${ref.name}`, () =>
          o.client.workflow.start<typeof opsRequestWorkflow>('opsRequestWorkflow', {
            workflowId: id,
            taskQueue: o.taskQueue,
            args: [ref],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            ...(o.workflowTaskTimeoutMs ? { workflowTaskTimeout: o.workflowTaskTimeoutMs } : {}),
            staticSummary: `${ops.spec?.type ?? 'OpsRequest'} of ${p.kind} ${ref.namespace}/${target ?? '?'} (${ref.kind} ${ref.name})`,
            staticDetails: '```yaml\n' + stringify(ops.spec) + '```',
            // Listed (opsflow list, Temporal Web) from the start, while it still waits for its turn.
            typedSearchAttributes: [
              { key: opsRequest, value: `${ref.namespace}/${ref.name}` },
              { key: opsPhase, value: 'Pending' },
              ...(target ? [{ key: opsDatabase, value: `${p.kind}/${ref.namespace}/${target}` }] : []),
              ...(ops.spec?.type ? [{ key: opsType, value: ops.spec.type }] : []),
            ],
          }),
        );
      }
    };
  }

  function onDatabase(p: DatabaseProfile) {
    return ({ objects, object, type }: Observation<Database>) => {
      if (type === 'DELETED') {
        started.delete(object!.metadata.uid!);
        return;
      }
      for (const db of object ? [object] : objects.values()) {
        if (!db.spec?.tls?.issuerRef) continue;
        const ref: DatabaseRef = { kind: p.kind, namespace: db.metadata.namespace!, name: db.metadata.name! };
        const id = certificatesWorkflowId(ref, db.metadata.uid!, db.metadata.generation ?? 1);
        void start(db.metadata.uid!, id, `the certificates of ${p.kind} ${ref.namespace}/${ref.name}`, () =>
          o.client.workflow.start<typeof databaseCertificatesWorkflow>('databaseCertificatesWorkflow', {
            workflowId: id,
            taskQueue: o.taskQueue,
            args: [ref],
            workflowIdConflictPolicy: 'USE_EXISTING',
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            ...(o.workflowTaskTimeoutMs ? { workflowTaskTimeout: o.workflowTaskTimeoutMs } : {}),
            staticSummary: `Certificates of ${p.kind} ${ref.namespace}/${ref.name}`,
          }),
        );
      }
    };
  }

  const onError = (what: string) => (err: unknown) => o.logger.warn({ err: apiMessage(err) }, `watch of ${what} failed; re-listing`);
  await Promise.all(
    databaseKinds.flatMap((kind) => {
      const p = profiles[kind];
      return [
        observe<OpsRequest>(o.kube, { apiVersion: 'ops.kubedb.com/v1alpha1', kind: p.opsRequest.kind, plural: p.opsRequest.plural, namespace: o.namespace }, {}, onOpsRequest(p), o.signal, onError(p.opsRequest.plural)),
        observe<Database>(o.kube, { apiVersion: databaseApiVersion(p), kind: p.kind, plural: p.plural, namespace: o.namespace }, {}, onDatabase(p), o.signal, onError(p.plural)),
      ];
    }),
  );
}
