// opsflow as the benchmarks run it: the worker and the watcher in the benchmark's process, on a task queue of
// their own, watching a namespace of their own (created here, deleted by stop()); the SDK's metrics on a free
// loopback port.
import { Client, Connection } from '@temporalio/client';
import { runWatcher } from '../../client/watcher.ts';
import type { Kube } from '../../platform/kube.ts';
import { createLogger } from '../../platform/logger.ts';
import { connectionOptions, temporalSettings } from '../../platform/temporal.ts';
import { installRuntime } from '../../worker/runtime.ts';
import { createWorker } from '../../worker/worker.ts';
import { freePort } from '../localenv/ports.ts';

/** Call after loadLocalEnvDefaults(): the test helpers it uses connect to the local environment when loaded. */
export async function startBenchOpsflow(name: string, kube: Kube) {
  const { createNamespace, deleteNamespace } = await import('../../test/helpers/cluster.ts');
  const logger = createLogger(name, '/dev/null');
  const metricsAddress = `127.0.0.1:${await freePort()}`;
  installRuntime(logger, { metricsAddress });
  const temporal = { ...temporalSettings(), taskQueue: `${name}-${Date.now()}` };
  const { worker, connection } = await createWorker({ temporal, kube });
  const running = worker.run();
  const client = new Client({ connection: await Connection.connect(connectionOptions(temporal)), namespace: temporal.namespace });
  const ns = await createNamespace(name);
  const stopWatcher = new AbortController();
  const watcher = runWatcher({ kube, client, taskQueue: temporal.taskQueue, logger, namespace: ns, signal: stopWatcher.signal });
  return {
    client,
    ns,
    logger,
    metricsAddress,
    taskQueue: temporal.taskQueue,
    async stop() {
      stopWatcher.abort();
      await watcher;
      worker.shutdown();
      await running;
      await connection.close();
      await deleteNamespace(ns);
    },
  };
}
