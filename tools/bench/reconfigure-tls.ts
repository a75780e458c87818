// `npm run bench:tls`: for each kind, an add TLS and a rotation from KubeDB's guides (deploy/examples/
// reconfigure-tls/<kind>/), one kind after another in the local environment: time from applying the
// OpsRequest to Successful, workflow activities and history events, and the Kubernetes API requests opsflow made.
import { readFile } from 'node:fs/promises';
import { Client, Connection } from '@temporalio/client';
import { parseHistory } from '../../client/cli/run-history.ts';
import { runWatcher } from '../../client/watcher.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { profiles, type DatabaseKind } from '../../model/profiles.ts';
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube } from '../../platform/kube.ts';
import { createLogger } from '../../platform/logger.ts';
import { connectionOptions, temporalSettings } from '../../platform/temporal.ts';
import { installRuntime } from '../../worker/runtime.ts';
import { createWorker } from '../../worker/worker.ts';
import { up } from '../localenv/lifecycle.ts';
import { RequestCounter, total } from './request-counter.ts';

await up(() => {});
loadLocalEnvDefaults();
const { apply, conditionOf, createNamespace, deleteNamespace, res, waitForObject } = await import('../../test/helpers/cluster.ts');
const { tlsKinds } = await import('../../test/helpers/tls-kinds.ts');

const kube = connectKube();
const counter = new RequestCounter(kube);

const logger = createLogger('bench', '/dev/null');
installRuntime(logger);
const temporal = { ...temporalSettings(), taskQueue: `bench-tls-${Date.now()}` };
const { worker, connection } = await createWorker({ temporal, kube });
const running = worker.run();
const client = new Client({ connection: await Connection.connect(connectionOptions(temporal)), namespace: temporal.namespace });

for (const k of tlsKinds) {
  const ns = await createNamespace(`bench-${k.dir}`);
  const stop = new AbortController();
  const watcher = runWatcher({ kube, client, taskQueue: temporal.taskQueue, logger, namespace: ns, signal: stop.signal });
  const example = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/${k.dir}/${file}`, import.meta.url), 'utf8');
  await apply(ns, await example('0-issuers.yaml'));
  await waitForObject<any, true>(res.certificate, ns, k.issuers.first.caSecret, (c) => (conditionOf(c, 'Ready')?.status === 'True' ? true : undefined));
  await apply(ns, await example(`1-${k.dir}.yaml`));
  await waitForObject<any, true>(k.database, ns, k.db, (db) => (db?.status?.phase === 'Ready' ? true : undefined));
  for (const [step, file, name] of [['add TLS', '2-add-tls.yaml', k.ops.add], ['rotate', '3-rotate.yaml', k.ops.rotate]] as const) {
    counter.start();
    const t0 = Date.now();
    await apply(ns, await example(file));
    const ops = await waitForObject<any, any>(k.opsRequest, ns, name, (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined), 300_000);
    const ms = Date.now() - t0;
    const requests = total(counter.stop());
    const ref = { kind: profiles[k.kind as DatabaseKind].opsRequest.kind, namespace: ns, name };
    // The OpsRequest says Successful before the run has closed: its history is read once it has.
    const handle = client.workflow.getHandle(opsRequestWorkflowId(ref, ops.metadata.uid));
    await handle.result().catch(() => {});
    const history = await handle.fetchHistory();
    const activities = parseHistory(history).activities.length;
    console.log(`${k.kind.padEnd(14)} ${step.padEnd(8)} ${ops.status.phase.padEnd(11)} ${String(ms).padStart(6)} ms ${String(requests).padStart(5)} API requests ${String(activities).padStart(4)} activities ${String(history.events!.length).padStart(4)} events`);
  }
  stop.abort();
  await watcher;
  await deleteNamespace(ns);
}

worker.shutdown();
await running;
await connection.close();
process.exit(0);
