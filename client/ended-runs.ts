// A run that ended without finishing its OpsRequest — terminated, timed out, or gone from Temporal — leaves it
// Pending or Progressing, perhaps with its database paused, and every later request for that database would wait
// behind it for ever. The watcher looks at the claimed, unfinished OpsRequests (after each list, and every
// `everyMs`: Temporal tells no one of a termination), and for each whose run is no longer running: resumes the
// database if this request paused it, and marks the request Failed naming what became of its run. The queue then
// moves on: waiting runs watch the OpsRequests of their database.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { databaseActivities } from '../activities/database.ts';
import { claimAnnotation, opsRequestActivities } from '../activities/ops-request.ts';
import { databaseResource, opsRequestResource } from '../activities/resources.ts';
import { findCondition } from '../model/conditions.ts';
import type { DatabaseProfile } from '../model/profiles.ts';
import type { Database, OpsRequest } from '../model/types.ts';
import { isNotFound, type Kube } from '../platform/kube.ts';
import { readCustom } from '../platform/status.ts';

const finished = new Set(['Successful', 'Failed', 'Skipped']);

/** What became of a run, or undefined while it runs. */
async function endOf(client: Client, workflowId: string): Promise<string | undefined> {
  try {
    const { status } = await client.workflow.getHandle(workflowId).describe();
    if (status.name === 'RUNNING') return undefined;
    return status.name === 'TERMINATED' ? 'was terminated' : status.name === 'TIMED_OUT' ? 'timed out' : `ended (${status.name}) without recording the outcome`;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return 'is not known to Temporal (deleted, or past its retention)';
    throw err;
  }
}

/** Ends the OpsRequests among `requests` whose claiming run is no longer running; returns their names. */
export async function endAbandonedRequests(kube: Kube, client: Client, logger: Logger, p: DatabaseProfile, requests: Iterable<OpsRequest>): Promise<string[]> {
  const ended: string[] = [];
  for (const ops of requests) {
    const workflowId = ops.metadata.annotations?.[claimAnnotation];
    if (!workflowId || finished.has(ops.status?.phase ?? '')) continue;
    const end = await endOf(client, workflowId);
    if (!end) continue;
    const ref = { kind: p.opsRequest.kind, namespace: ops.metadata.namespace!, name: ops.metadata.name! };
    // Read again: a run writes the outcome before it completes, and the list may not show that write yet.
    const fresh = await readCustom<OpsRequest>(kube, opsRequestResource(ref)).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
    if (!fresh || finished.has(fresh.status?.phase ?? '') || fresh.metadata.annotations?.[claimAnnotation] !== workflowId) continue;
    const target = ops.spec?.[p.opsRequest.targetField]?.name;
    let resumed = '';
    if (target) {
      const dbRef = { kind: p.kind, namespace: ref.namespace, name: target };
      const db = await readCustom<Database>(kube, databaseResource(dbRef)).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      // Only a pause this request made: another request's pause is that one's to lift.
      if (findCondition(db?.status?.conditions, 'Paused')?.message === `paused by opsflow for ${ref.kind} ${ref.namespace}/${ref.name}`) {
        await databaseActivities(kube).resumeDatabase(dbRef);
        resumed = ` ${p.kind} ${target} was resumed; what the run had changed is as it left it.`;
      }
    }
    const message = `the run ${workflowId} ${end} before the request finished.${resumed} Apply the request again (under a new name) to carry it out.`;
    await opsRequestActivities(kube).recordStatus(ref, { phase: 'Failed', conditions: [{ type: 'Failed', status: 'True', reason: 'RunEnded', message }] });
    logger.warn({ workflowId, opsRequest: `${ref.namespace}/${ref.name}` }, message);
    ended.push(ref.name);
  }
  return ended;
}
