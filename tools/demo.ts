// `npm run demo`: the local environment, opsflow's worker and watcher, a TLS MySQL with 3 pods, and a
// certificate rotation applied as KubeDB's YAML — shown live until it is done. opsflow keeps running after,
// for the user to explore (kubectl, Temporal Web, more OpsRequests in namespace demo); Ctrl-C stops it.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { opsRequestWorkflowId } from '../client/workflow-ids.ts';
import { runOpsflow } from '../client/run.ts';
import type { Condition, OpsRequest } from '../model/types.ts';
import { loadLocalEnvDefaults } from '../platform/env.ts';
import { connectKube, isConflict, isNotFound, pods, type Kube } from '../platform/kube.ts';
import { temporalSettings, workflowUrl } from '../platform/temporal.ts';
import { probeTLS } from '../platform/tls-probe.ts';
import { observe, waitFor } from '../platform/watch.ts';
import { up } from './localenv/lifecycle.ts';
import { repoRoot, stateDir } from './localenv/paths.ts';

const ns = 'demo';
const examples = join(repoRoot, 'deploy', 'examples', 'mysql-tls');
const secretNames = ['my-db-server-cert', 'my-db-client-cert', 'my-db-metrics-exporter-cert'];
const opsRequests = { apiVersion: 'ops.kubedb.com/v1alpha1', kind: 'MySQLOpsRequest', plural: 'mysqlopsrequests', namespace: ns };
const t0 = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${line}`);

async function applyFile(kube: Kube, file: string): Promise<void> {
  for (const doc of parseAllDocuments(await readFile(join(examples, file), 'utf8'))) {
    const obj = { ...doc.toJS(), metadata: { ...doc.toJS().metadata, namespace: ns } };
    await kube.objects.create(obj).catch((err) => (isConflict(err) ? undefined : Promise.reject(err)));
  }
  say(`applied deploy/examples/mysql-tls/${file}`);
}

async function serials(kube: Kube): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const name of secretNames) {
    const s = await kube.core.readNamespacedSecret({ namespace: ns, name });
    out.set(name, new X509Certificate(Buffer.from(s.data!['tls.crt'], 'base64')).serialNumber);
  }
  return out;
}

/** The serial each pod serves on port 3306, read by handshake as a client sees it (no server behind simulated pods). */
async function served(kube: Kube): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const pod of (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=my-db' })).items) {
    const got = await probeTLS(pod.status!.podIP!, 3306, 'mysql').catch((err: Error) => ({ tls: false as const, detail: err.message }));
    out.set(pod.metadata!.name!, got.tls ? got.certificate.serialNumber : `(${got.detail})`);
  }
  return out;
}

const isReady = (p: V1Pod) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Prints each step (condition) and each pod transition as it happens, until the OpsRequest is done. */
async function follow(kube: Kube, name: string): Promise<OpsRequest> {
  const stop = new AbortController();
  const seenConditions = new Map<string, string>();
  const podState = new Map<string, string>();
  const podWatch = observe<V1Pod>(kube, pods(ns), {}, ({ objects, type, object }) => {
    for (const p of type === 'SYNC' ? objects.values() : [object!]) {
      const key = p.metadata!.name!;
      const state = type === 'DELETED' ? 'deleted' : p.metadata?.deletionTimestamp ? 'terminating' : isReady(p) ? `Ready (uid ${p.metadata!.uid!.slice(0, 8)})` : 'starting';
      const role = p.metadata?.labels?.['kubedb.com/role'];
      if (podState.get(key) !== state && type !== 'SYNC') say(`   pod ${key}${role ? ` [${role}]` : ''}: ${state}`);
      podState.set(key, state);
    }
  }, stop.signal);
  const done = await waitFor<OpsRequest, OpsRequest>(kube, opsRequests, { fieldSelector: `metadata.name=${name}` }, ([ops]) => {
    for (const c of ops?.status?.conditions ?? ([] as Condition[])) {
      const line = `${c.status === 'True' ? '✔' : '✘'} ${c.type}: ${c.message ?? ''}`;
      if (seenConditions.get(c.type) !== line) say(line);
      seenConditions.set(c.type, line);
    }
    return ['Successful', 'Failed', 'Skipped'].includes(ops?.status?.phase ?? '') ? ops : undefined;
  });
  stop.abort();
  await podWatch;
  return done;
}

await up(say);
loadLocalEnvDefaults();
const kube = connectKube();
const logFile = join(stateDir, 'logs', 'opsflow.log');
// The watcher keeps to the demo's namespace, so tests and benchmarks on the same environment run on their own.
const opsflow = runOpsflow({ worker: true, watcher: true, namespace: ns, logFile });
say(`opsflow worker and watcher started (logs: ${logFile})`);

await kube.core.createNamespace({ body: { metadata: { name: ns } } }).catch((err) => (isConflict(err) ? undefined : Promise.reject(err)));
await applyFile(kube, '1-issuer.yaml');
await applyFile(kube, '2-mysql.yaml');
say('waiting for MySQL demo/my-db to be Ready (opsflow creates its certificates, the provisioner its 3 pods)…');
await waitFor(kube, { apiVersion: 'kubedb.com/v1', kind: 'MySQL', plural: 'mysqls', namespace: ns }, { fieldSelector: 'metadata.name=my-db' }, ([db]: any[]) =>
  db?.status?.phase === 'Ready' ? true : undefined,
);
const podList = (await kube.core.listNamespacedPod({ namespace: ns })).items;
say(`MySQL demo/my-db is Ready: ${podList.map((p) => `${p.metadata!.name} [${p.metadata?.labels?.['kubedb.com/role'] ?? '-'}]`).join(', ')}`);
const before = await serials(kube);
const servedBefore = await served(kube);

// A rotation applied by an earlier run of the demo is finished: remove it so this one runs afresh.
await kube.custom.deleteNamespacedCustomObject({ group: 'ops.kubedb.com', version: 'v1alpha1', plural: 'mysqlopsrequests', namespace: ns, name: 'myops-rotate' }).then(
  () => waitFor(kube, opsRequests, { fieldSelector: 'metadata.name=myops-rotate' }, (list) => (list.length === 0 ? true : undefined)),
  (err) => (isNotFound(err) ? undefined : Promise.reject(err)),
);
await applyFile(kube, '3-rotate.yaml');
const ops = await follow(kube, 'myops-rotate');
const after = await serials(kube);
const servedAfter = await served(kube);

const temporal = temporalSettings();
const workflowId = opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'myops-rotate' }, ops.metadata.uid!);
console.log(`\nMySQLOpsRequest demo/myops-rotate: ${ops.status?.phase}\n`);
console.log('certificate serials (before → after):');
for (const name of secretNames) console.log(`  ${name.padEnd(30)} ${before.get(name)} → ${after.get(name)}`);
console.log('served by each pod on 3306 (before → after):');
for (const [pod, serial] of [...servedAfter].sort()) console.log(`  ${pod.padEnd(30)} ${servedBefore.get(pod)} → ${serial}`);
console.log(`\nthe run in Temporal Web: ${workflowUrl(temporal, workflowId)}`);
console.log(`
opsflow keeps running (worker + watcher of namespace demo). Try:
  npm run kubectl -- get mysqlopsrequests,mysqls,certificates,pods -n demo
  npm run kubectl -- describe mysqlopsrequest myops-rotate -n demo
  npm run kubectl -- apply -n demo -f deploy/examples/mysql-tls/3-rotate.yaml   (after deleting the old one)
Ctrl-C stops opsflow; \`npm run env:down\` then stops the local environment and removes its state.`);
await opsflow;
process.exit(ops.status?.phase === 'Successful' ? 0 : 1);
