// deploy/opsflow/admission-policy.yaml in the local API server: each rule refuses its bad request with its
// message, a good request of each kind passes, and an OpsRequest's spec cannot be changed once created. The
// policy is bound to this test's namespace only (other tests make bad requests on purpose, for opsflow's own
// refusals).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { apiMessage, isNotFound, mergePatch } from '../../platform/kube.ts';
import { createNamespace, deleteNamespace, kube } from '../helpers/cluster.ts';

let ns: string;
const [policy, binding] = parseAllDocuments(await readFile(new URL('../../deploy/opsflow/admission-policy.yaml', import.meta.url), 'utf8')).map((d) => d.toJS() as KubernetesObject & { spec: any });
const testBinding = () => ({ ...binding!, metadata: { name: `opsflow-opsrequests-${ns}` }, spec: { ...binding!.spec, matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } } });

const request = (kind: string, name: string, spec: object) => ({ apiVersion: 'ops.kubedb.com/v1alpha1', kind, metadata: { name, namespace: ns }, spec });
const create = (o: object) => kube.objects.create(o as KubernetesObject).then(() => undefined, (err: unknown) => apiMessage(err));

before(async () => {
  ns = await createNamespace('policy');
  await kube.objects.create(policy!).catch((err) => (/already exists/.test(apiMessage(err)) ? kube.objects.replace({ ...policy!, metadata: { ...policy!.metadata, resourceVersion: undefined } } as KubernetesObject) : Promise.reject(err)));
  await kube.objects.create(testBinding() as KubernetesObject);
  // The policy takes effect once the API server has compiled it: until a bad request is refused.
  for (let i = 0; ; i++) {
    const refused = await create(request('MySQLOpsRequest', `probe-${i}`, { type: 'ReconfigureTLS', databaseRef: { name: 'db' } }));
    if (refused) break;
    assert.ok(i < 100, 'the policy took effect');
    await sleep(100);
  }
});
after(async () => {
  await kube.objects.delete(testBinding() as KubernetesObject).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
  await deleteNamespace(ns);
});

const refusals: [string, string, object, RegExp][] = [
  ['ReconfigureTLS without tls', 'MySQLOpsRequest', { type: 'ReconfigureTLS', databaseRef: { name: 'db' } }, /spec\.tls is required when spec\.type is ReconfigureTLS/],
  ['Reconfigure without configuration', 'PgpoolOpsRequest', { type: 'Reconfigure', databaseRef: { name: 'db' } }, /spec\.configuration is required when spec\.type is Reconfigure/],
  ['an empty target name', 'MySQLOpsRequest', { type: 'ReconfigureTLS', databaseRef: { name: '' }, tls: { rotateCertificates: true } }, /spec\.databaseRef\.name is required/],
  ['an empty proxyRef name', 'ProxySQLOpsRequest', { type: 'ReconfigureTLS', proxyRef: { name: '' }, tls: { rotateCertificates: true } }, /spec\.proxyRef\.name is required/],
  ['remove with rotate', 'MySQLOpsRequest', { type: 'ReconfigureTLS', databaseRef: { name: 'db' }, tls: { remove: true, rotateCertificates: true } }, /remove and rotateCertificates cannot go together/],
  ['PerconaXtraDB: rotate with an update', 'PerconaXtraDBOpsRequest', { type: 'ReconfigureTLS', databaseRef: { name: 'db' }, tls: { rotateCertificates: true, requireSSL: true } }, /exactly one of remove, rotateCertificates, or an update/],
  ['ProxySQL: nothing asked of tls', 'ProxySQLOpsRequest', { type: 'ReconfigureTLS', proxyRef: { name: 'p' }, tls: {} }, /exactly one of remove, rotateCertificates, or an update/],
  ['removeCustomConfig with configSecret', 'MySQLOpsRequest', { type: 'Reconfigure', databaseRef: { name: 'db' }, configuration: { removeCustomConfig: true, configSecret: { name: 'x' } } }, /removeCustomConfig and configSecret contradict each other/],
  ['PerconaXtraDB: two at once', 'PerconaXtraDBOpsRequest', { type: 'Reconfigure', databaseRef: { name: 'db' }, configuration: { configSecret: { name: 'x' }, applyConfig: { 'a.cnf': '[mysqld]' } } }, /does one of configSecret, applyConfig, removeCustomConfig at a time/],
];
for (const [name, kind, spec, words] of refusals) {
  test(`refused: ${name}`, async () => {
    const refused = await create(request(kind, `bad-${refusals.findIndex((r) => r[0] === name)}`, spec));
    assert.ok(refused, 'refused');
    assert.match(refused, words);
  });
}

test('good requests of each kind pass, MySQL rotating while it updates', async () => {
  for (const [kind, spec] of [
    ['MySQLOpsRequest', { type: 'ReconfigureTLS', databaseRef: { name: 'db' }, tls: { rotateCertificates: true, requireSSL: true } }],
    ['PerconaXtraDBOpsRequest', { type: 'Reconfigure', databaseRef: { name: 'db' }, configuration: { applyConfig: { 'a.cnf': '[mysqld]\n' } } }],
    ['ProxySQLOpsRequest', { type: 'Reconfigure', proxyRef: { name: 'p' }, configuration: { mysqlVariables: { max_connections: 10 } } }],
    ['PgpoolOpsRequest', { type: 'Reconfigure', databaseRef: { name: 'db' }, configuration: { applyConfig: { 'pgpool.conf': 'max_pool = 75' }, configSecret: { name: 'x' } } }],
  ] as const) {
    assert.equal(await create(request(kind, `good-${kind.toLowerCase()}`, spec)), undefined, kind);
  }
});

test('the spec cannot change once created; metadata can', async () => {
  const r = { group: 'ops.kubedb.com', version: 'v1alpha1', namespace: ns, plural: 'mysqlopsrequests', name: 'good-mysqlopsrequest' };
  const changed = await kube.custom.patchNamespacedCustomObject({ ...r, body: { spec: { tls: { rotateCertificates: false } } } }, mergePatch).then(() => undefined, (err: unknown) => apiMessage(err));
  assert.match(changed ?? '', /spec is immutable: create a new OpsRequest/);
  await kube.custom.patchNamespacedCustomObject({ ...r, body: { metadata: { annotations: { note: 'fine' } } } }, mergePatch);
});
