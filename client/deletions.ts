// A deleted OpsRequest's run is cancelled, and compensates (the database is resumed, what it changed before the
// first restart is put back). The watcher cancels on the DELETED event; and after every list of OpsRequests (its
// start, a re-list after a broken watch) it asks Temporal's visibility for the running runs of its namespace(s)
// and task queue (search attributes OpsDatabase and OpsRequest) and cancels those whose OpsRequest is gone —
// deletions it missed while it was down. A finished OpsRequest's deletion changes nothing.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { claimAnnotation } from '../activities/ops-request.ts';
import type { DatabaseProfile } from '../model/profiles.ts';
import type { OpsRequest } from '../model/types.ts';
import { isNotFound, type Kube } from '../platform/kube.ts';
import { readCustom } from '../platform/status.ts';
import { opsRequest as opsRequestAttribute } from '../workflows/search-attributes.ts';
import { opsRequestWorkflowId } from './workflow-ids.ts';

const finished = new Set(['Successful', 'Failed', 'Skipped']);

export interface DeletionOptions {
  kube: Kube;
  client: Client;
  taskQueue: string;
  logger: Logger;
  namespace?: string;
}

/** Cancels a run; one that has already ended (or never existed) is left as it is. */
export async function cancelRun(client: Client, workflowId: string): Promise<boolean> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return false;
    await handle.cancel();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** The run that carries out `ops`: the one that claimed it, else the watcher's own. */
export function runOf(p: DatabaseProfile, ops: OpsRequest): string {
  return ops.metadata.annotations?.[claimAnnotation] ?? opsRequestWorkflowId({ kind: p.opsRequest.kind, namespace: ops.metadata.namespace!, name: ops.metadata.name! }, ops.metadata.uid!);
}

/** On a DELETED event: the run of an OpsRequest that had not finished is cancelled. */
export async function onOpsRequestDeleted(o: DeletionOptions, p: DatabaseProfile, ops: OpsRequest): Promise<void> {
  if (finished.has(ops.status?.phase ?? '')) return;
  const workflowId = runOf(p, ops);
  try {
    if (await cancelRun(o.client, workflowId)) {
      o.logger.info({ workflowId }, `${p.opsRequest.kind} ${ops.metadata.namespace}/${ops.metadata.name} was deleted while it ran: run cancelled`);
    }
  } catch (err) {
    o.logger.warn({ workflowId, err: (err as Error).message }, 'could not cancel the run of a deleted OpsRequest');
  }
}

/** `Kind/ns/name/uid`, the watcher's deterministic ID: the UID of the OpsRequest it was started for. */
function uidFromWorkflowId(p: DatabaseProfile, workflowId: string, namespace: string, name: string): string | undefined {
  const prefix = `${p.opsRequest.kind}/${namespace}/${name}/`;
  return workflowId.startsWith(prefix) ? workflowId.slice(prefix.length) : undefined;
}

const quote = (s: string) => `'${s.replaceAll("'", "\\'")}'`;

/**
 * Cancels the running runs of kind `p` (in this watcher's namespace and task queue) whose OpsRequest is gone:
 * deleted, or re-created under the same name (another UID, or not claimed by the run). Each is decided from
 * the OpsRequest read afresh, not from a list that may be older than the run.
 */
export async function cancelRunsOfDeletedRequests(o: DeletionOptions, p: DatabaseProfile): Promise<string[]> {
  const query = [
    `WorkflowType = 'opsRequestWorkflow'`,
    `ExecutionStatus = 'Running'`,
    `TaskQueue = ${quote(o.taskQueue)}`,
    `OpsDatabase STARTS_WITH ${quote(`${p.kind}/${o.namespace ? `${o.namespace}/` : ''}`)}`,
    `OpsRequest IS NOT NULL`,
  ].join(' AND ');
  const cancelled: string[] = [];
  for await (const run of o.client.workflow.list({ query })) {
    const at = run.typedSearchAttributes.get(opsRequestAttribute);
    if (!at) continue;
    const [namespace, name] = at.split('/');
    const ops = await readCustom<OpsRequest>(o.kube, { group: 'ops.kubedb.com', version: 'v1alpha1', plural: p.opsRequest.plural, namespace, name }).catch((err) =>
      isNotFound(err) ? undefined : Promise.reject(err),
    );
    const uid = uidFromWorkflowId(p, run.workflowId, namespace, name);
    const gone = !ops || (uid !== undefined ? ops.metadata.uid !== uid : ops.metadata.annotations?.[claimAnnotation] !== run.workflowId);
    if (!gone) continue;
    if (await cancelRun(o.client, run.workflowId)) {
      cancelled.push(run.workflowId);
      o.logger.info({ workflowId: run.workflowId }, `${p.opsRequest.kind} ${namespace}/${name} is gone (deleted while the watcher was away): run cancelled`);
    }
  }
  return cancelled;
}
