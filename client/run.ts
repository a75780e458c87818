// Runs opsflow's long-lived parts — the worker, the watcher, or both — until SIGTERM/SIGINT.
// The worker finishes (or hands back) in-flight activities before it exits; the watcher just stops.
import { Client, Connection } from '@temporalio/client';
import { loadLocalEnvDefaults } from '../platform/env.ts';
import { connectKube } from '../platform/kube.ts';
import { createLogger } from '../platform/logger.ts';
import { connectionOptions, temporalSettings } from '../platform/temporal.ts';
import { serveHealth } from '../worker/health.ts';
import { installRuntime } from '../worker/runtime.ts';
import { createWorker } from '../worker/worker.ts';
import { runWatcher } from './watcher.ts';

export interface RunOptions {
  /** Log to this file instead of standard output. */
  logFile?: string;
  worker: boolean;
  watcher: boolean;
  namespace?: string;
  healthAddress?: string;
}

export async function runOpsflow(o: RunOptions): Promise<void> {
  loadLocalEnvDefaults();
  const logger = createLogger('opsflow', o.logFile);
  const temporal = temporalSettings();
  const kube = connectKube();
  logger.info({ temporal: temporal.address, namespace: temporal.namespace, taskQueue: temporal.taskQueue, kubernetes: kube.config.getCurrentCluster()?.server }, 'starting');

  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'shutting down');
      stop.abort();
    });
  }
  const running: Promise<void>[] = [];
  if (o.worker) {
    installRuntime(logger);
    // OPSFLOW_WORKFLOW_BUNDLE: a bundle made at build time, so the worker need not run webpack when it starts.
    const { worker, connection } = await createWorker({ temporal, kube, workflowBundlePath: process.env.OPSFLOW_WORKFLOW_BUNDLE });
    const health = o.healthAddress ? serveHealth(o.healthAddress, worker, connection) : undefined;
    // worker.run() returns once SIGTERM/SIGINT (the runtime's shutdown signals) has drained in-flight work;
    // the connection must then be closed too, or the process never exits.
    running.push(worker.run().finally(async () => {
      health?.close();
      await connection.close();
    }));
    logger.info({ taskQueue: temporal.taskQueue }, 'worker running');
  }
  if (o.watcher) {
    const connection = await Connection.connect(connectionOptions(temporal));
    const client = new Client({ connection, namespace: temporal.namespace });
    running.push(runWatcher({ kube, client, taskQueue: temporal.taskQueue, logger, namespace: o.namespace, signal: stop.signal }).finally(() => connection.close()));
    logger.info({ namespace: o.namespace ?? 'all namespaces' }, 'watcher running');
  }
  await Promise.all(running);
  logger.info('stopped');
}
