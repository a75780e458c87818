// The opsflow worker: serves the workflows and the activities (bound to one Kubernetes connection) on a task queue.
import { NativeConnection, Worker, type WorkerOptions as SdkWorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import type { Kube } from '../platform/kube.ts';
import { connectionOptions, type TemporalSettings } from '../platform/temporal.ts';
import { bundleInChildProcess } from './workflow-bundle.ts';

export interface WorkerOptions {
  temporal: TemporalSettings;
  kube: Kube;
  /** A bundle made beforehand (tests share one); otherwise the worker bundles at start, in a child process. */
  workflowBundlePath?: string;
  /** Interceptors around the activities, and how soon a lost worker's cached runs go to another (default 10 s). */
  extra?: Pick<SdkWorkerOptions, 'interceptors' | 'stickyQueueScheduleToStartTimeout'>;
}

/**
 * OPSFLOW_MAX_CACHED_WORKFLOWS: how many runs the worker keeps in memory between their workflow tasks. The SDK's
 * default follows the heap limit (about 2,400 for a 4 GB heap); a run not cached is replayed from its history
 * at its next task, which costs CPU.
 */
export function maxCachedWorkflows(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.OPSFLOW_MAX_CACHED_WORKFLOWS;
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 2) throw new Error(`OPSFLOW_MAX_CACHED_WORKFLOWS=${text}: give a whole number of runs, 2 or more (or leave it unset for the SDK's default)`);
  return n;
}

export async function createWorker({ temporal, kube, workflowBundlePath, extra }: WorkerOptions) {
  const cached = maxCachedWorkflows();
  const connection = await NativeConnection.connect(connectionOptions(temporal));
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    workflowBundle: workflowBundlePath ? { codePath: workflowBundlePath } : { code: await bundleInChildProcess() },
    activities: createActivities(kube),
    // On SIGTERM/SIGINT in-flight activities get this long to finish before they are handed back.
    shutdownGraceTime: '20s',
    ...(cached ? { maxCachedWorkflows: cached } : {}),
    ...extra,
  });
  return { worker, connection };
}
