// The opsflow worker: serves the workflows and the activities (bound to one Kubernetes connection) on a task queue.
import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkerOptions as SdkWorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.ts';
import type { Kube } from '../platform/kube.ts';
import { connectionOptions, type TemporalSettings } from '../platform/temporal.ts';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerOptions {
  temporal: TemporalSettings;
  kube: Kube;
  /** A bundle made beforehand with bundleWorkflowCode (tests share one); otherwise the worker bundles at start. */
  workflowBundlePath?: string;
  /** Interceptors around the activities, and how soon a lost worker's cached runs go to another (default 10 s). */
  extra?: Pick<SdkWorkerOptions, 'interceptors' | 'stickyQueueScheduleToStartTimeout'>;
}

export async function createWorker({ temporal, kube, workflowBundlePath, extra }: WorkerOptions) {
  const connection = await NativeConnection.connect(connectionOptions(temporal));
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue: temporal.taskQueue,
    ...(workflowBundlePath ? { workflowBundle: { codePath: workflowBundlePath } } : { workflowsPath }),
    activities: createActivities(kube),
    // On SIGTERM/SIGINT in-flight activities get this long to finish before they are handed back.
    shutdownGraceTime: '20s',
    ...extra,
  });
  return { worker, connection };
}
