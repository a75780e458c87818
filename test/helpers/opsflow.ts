// opsflow as the tests run it: the real worker and watcher, in-process, on a task queue of the test's own and
// watching the test's namespace only, against the local environment's Temporal and Kubernetes.
import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { runWatcher } from '../../client/watcher.ts';
import { createLogger } from '../../platform/logger.ts';
import { connectionOptions, temporalSettings, type TemporalSettings } from '../../platform/temporal.ts';
import { installRuntime } from '../../worker/runtime.ts';
import { createWorker } from '../../worker/worker.ts';
import type { Kube } from '../../platform/kube.ts';
import { kube as adminKube } from './cluster.ts';

const logger = createLogger('opsflow-test');

export interface Opsflow {
  client: Client;
  temporal: TemporalSettings;
  /** Starts one more watcher on the same namespace (a restart or a second replica). */
  startWatcher(): AbortController;
  /** Stops every watcher (the worker keeps running): opsflow's watcher down. */
  stopWatchers(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * `worker: false` leaves the task queue to workers the test runs itself (e.g. in child processes); `kube`: the
 * client the worker and watcher act with (default: the environment's administrator).
 */
export async function startOpsflow(namespace: string, opts: { watcher?: boolean; worker?: boolean; kube?: Kube; workflowTaskTimeoutMs?: number } = {}): Promise<Opsflow> {
  const kube = opts.kube ?? adminKube;
  // Only for a worker in this process: the Temporal runtime, once installed, is shut down when the last worker
  // using it is, and one that never had a worker would keep the test process from exiting.
  if (opts.worker !== false) installRuntime(logger, { handleSignals: false });
  const temporal = { ...temporalSettings(), taskQueue: `opsflow-test-${randomBytes(4).toString('hex')}` };
  const inProcess = opts.worker === false ? undefined : await createWorker({ temporal, kube, workflowBundlePath: process.env.OPSFLOW_WORKFLOW_BUNDLE });
  const running = inProcess?.worker.run();
  const clientConnection = await Connection.connect(connectionOptions(temporal));
  const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
  const watchers: AbortController[] = [];
  const watchersDone: Promise<void>[] = [];
  const startWatcher = () => {
    const stop = new AbortController();
    watchers.push(stop);
    watchersDone.push(runWatcher({ kube, client, taskQueue: temporal.taskQueue, logger, namespace, signal: stop.signal, endedRunCheckMs: 1000, workflowTaskTimeoutMs: opts.workflowTaskTimeoutMs }));
    return stop;
  };
  if (opts.watcher !== false) startWatcher();
  return {
    client,
    temporal,
    startWatcher,
    async stopWatchers() {
      for (const w of watchers) w.abort();
      await Promise.all(watchersDone);
    },
    async stop() {
      for (const w of watchers) w.abort();
      await Promise.all(watchersDone);
      if (inProcess) {
        await shutdown(inProcess.worker, running!);
        await inProcess.connection.close();
      }
      await clientConnection.close();
    },
  };
}

async function shutdown(worker: Worker, running: Promise<void>) {
  if (worker.getState() === 'RUNNING') worker.shutdown();
  await running;
}
