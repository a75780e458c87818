// An OpsRequest by name and the run that carries it out: the run that claimed it (annotation
// opsflow.dev/workflow-id), else the watcher's run for it (its deterministic ID); for an OpsRequest that is gone,
// its latest run found in Temporal's visibility by the search attribute OpsRequest.
import { WorkflowNotFoundError, type Client, type WorkflowExecutionDescription, type WorkflowExecutionInfo } from '@temporalio/client';
import { claimAnnotation } from '../../activities/ops-request.ts';
import type { DatabaseProfile } from '../../model/profiles.ts';
import type { OpsRequest } from '../../model/types.ts';
import { isNotFound } from '../../platform/kube.ts';
import { readCustom } from '../../platform/status.ts';
import { opsRequestWorkflowId } from '../workflow-ids.ts';
import type { Context } from './context.ts';
import { Failure } from './errors.ts';
import { profileFor } from './kinds.ts';
import type { TargetOptions } from './options.ts';
import { parseHistory, type RunHistory } from './run-history.ts';

export const finishedPhases = ['Successful', 'Failed', 'Skipped'];

export const describeRequest = (p: DatabaseProfile, namespace: string, name: string) => `${p.opsRequest.kind} ${namespace}/${name}`;

export async function readOpsRequest(ctx: Context, p: DatabaseProfile, namespace: string, name: string): Promise<OpsRequest | undefined> {
  return readCustom<OpsRequest>(ctx.kube, { group: 'ops.kubedb.com', version: 'v1alpha1', plural: p.opsRequest.plural, namespace, name }).catch((err) =>
    isNotFound(err) ? undefined : Promise.reject(err),
  );
}

/** The OpsRequest, or a Failure saying it does not exist. */
export async function requireOpsRequest(ctx: Context, p: DatabaseProfile, namespace: string, name: string): Promise<OpsRequest> {
  const ops = await readOpsRequest(ctx, p, namespace, name);
  if (!ops) throw new Failure(`${describeRequest(p, namespace, name)} not found`);
  return ops;
}

export interface RunRef {
  workflowId: string;
  runId?: string;
  info?: WorkflowExecutionInfo | WorkflowExecutionDescription;
}

const quote = (s: string) => `'${s.replaceAll("'", "\\'")}'`;

/** The run of `ops` (or of the OpsRequest `namespace/name` that is gone); undefined when none was started. */
export async function findRun(client: Client, p: DatabaseProfile, namespace: string, name: string, ops?: OpsRequest): Promise<RunRef | undefined> {
  if (ops) {
    const workflowId = ops.metadata.annotations?.[claimAnnotation] ?? opsRequestWorkflowId({ kind: p.opsRequest.kind, namespace, name }, ops.metadata.uid!);
    try {
      const info = await client.workflow.getHandle(workflowId).describe();
      return { workflowId, runId: info.runId, info };
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      if (ops.metadata.annotations?.[claimAnnotation]) return { workflowId };
      return undefined; // the watcher has not started it (yet)
    }
  }
  const query = `WorkflowType = 'opsRequestWorkflow' AND OpsRequest = ${quote(`${namespace}/${name}`)} AND OpsDatabase STARTS_WITH ${quote(`${p.kind}/`)}`;
  let latest: WorkflowExecutionInfo | undefined;
  for await (const run of client.workflow.list({ query })) {
    if (!latest || run.startTime > latest.startTime) latest = run;
  }
  return latest && { workflowId: latest.workflowId, runId: latest.runId, info: latest };
}

/**
 * The OpsRequest NAME of a command's target, not yet ended, and its run (if one exists): what `cancel` and
 * `retry` act on. An ended request is refused with `ifEnded`, the command's advice.
 */
export async function openRequest(ctx: Context, o: TargetOptions, name: string, ifEnded: string) {
  const p = profileFor(o.kind!);
  const ns = ctx.namespace(o.namespace);
  const what = describeRequest(p, ns, name);
  const ops = await requireOpsRequest(ctx, p, ns, name);
  if (finishedPhases.includes(ops.status?.phase ?? '')) throw new Failure(`${what} has already ended (${ops.status!.phase}): ${ifEnded}`);
  const client = await ctx.client();
  return { p, ns, what, client, run: await findRun(client, p, ns, name, ops) };
}

export async function readHistory(client: Client, run: RunRef): Promise<RunHistory> {
  return parseHistory(await client.workflow.getHandle(run.workflowId, run.runId).fetchHistory());
}
