// ReconfigureTLS when something goes wrong midway: before the first pod restarts, everything the request
// changed is put back; after it, the database is resumed, the OpsRequest says which pods run the new
// configuration, and applying the request again finishes the job without restarting those pods again.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { apply, conditionOf, get, kube, waitForObject } from '../helpers/cluster.ts';
import { isPaused } from '../helpers/fixtures.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { recordHistory } from '../helpers/record-history.ts';
import { scenario } from '../helpers/scenario.ts';
import { tlsKinds } from '../helpers/tls-kinds.ts';

const mysql = tlsKinds.find((k) => k.kind === 'MySQL')!;
const example = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/mysql/${file}`, import.meta.url), 'utf8');
const done = (ns: string, name: string) =>
  waitForObject<any, any>(mysql.opsRequest, ns, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined), 120_000);

test('a failure after the first restart: resumed, the restarted pods named; applied again, only the others restart', async (t) => {
  const { ns, opsflow } = await scenario(t, 'tls-midway', { database: false });
  await apply(ns, await example('0-issuers.yaml'));
  await apply(ns, await example('1-mysql.yaml'));
  await waitForObject<any, true>(mysql.database, ns, 'mysql', (db) => (db?.status?.phase === 'Ready' ? true : undefined));
  // The group's roles as they came up (the primary is usually mysql-0, not always): the second standby may not
  // be disrupted, so the restart of the standbys (the first, then the second) stops there.
  const roles = (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=mysql' })).items;
  const primary = roles.find((p) => p.metadata?.labels?.['kubedb.com/role'] === 'primary')!.metadata!.name!;
  const [standby1, standby2] = roles.map((p) => p.metadata!.name!).filter((n) => n !== primary).sort();
  await kube.config.makeApiClient((await import('@kubernetes/client-node')).PolicyV1Api).createNamespacedPodDisruptionBudget({
    namespace: ns,
    body: { metadata: { name: 'keep-standby-2' }, spec: { maxUnavailable: 0, selector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': standby2! } } } },
  });
  const add = (await example('2-add-tls.yaml')).replace('  type: ReconfigureTLS', '  type: ReconfigureTLS\n  timeout: 5s\n  maxRetries: 0');
  const first = await PodTimeline.start(ns, 'app.kubernetes.io/instance=mysql');
  await apply(ns, add);
  const failed = await done(ns, 'myops-add-tls');
  await first.close();

  assert.equal(failed.status.phase, 'Failed');
  assert.equal(conditionOf(failed, `EvictPod--${standby2}`)?.status, 'False', JSON.stringify(failed.status.conditions, null, 2));
  assert.match(conditionOf(failed, 'Failed').message, new RegExp(`Evict ${standby2} failed: did not finish within 5s \\(spec\\.timeout\\)\\. Pods already restarted on the new configuration: ${standby1}; apply the request again to finish the others\\.`));
  const db = await get(mysql.database, ns, 'mysql');
  assert.equal(isPaused(db), false, 'the database is resumed');
  assert.equal(db.spec.tls.issuerRef.name, 'my-issuer', `past the point of no return nothing is put back: the spec says TLS, as ${standby1} runs it`);
  assert.deepEqual(first.restartOrder(), [standby1], `only ${standby1} restarted`);

  await kube.config.makeApiClient((await import('@kubernetes/client-node')).PolicyV1Api).deleteNamespacedPodDisruptionBudget({ namespace: ns, name: 'keep-standby-2' });
  const second = await PodTimeline.start(ns, 'app.kubernetes.io/instance=mysql');
  await apply(ns, add.replace('name: myops-add-tls', 'name: myops-add-tls-again'));
  const finished = await done(ns, 'myops-add-tls-again');
  await second.close();
  assert.equal(finished.status.phase, 'Successful', JSON.stringify(finished.status.conditions, null, 2));
  assert.deepEqual(second.restartOrder(), [standby2, primary], 'applied again, it restarts the pods not yet on the new template, the primary last');
  assert.equal(conditionOf(finished, 'UpdateCertificates'), undefined, 'the certificates were already there');
  const id = (o: any) => opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: o.metadata.name }, o.metadata.uid);
  await recordHistory(opsflow.client, id(failed), 'add-tls-failed-after-first-restart');
  await recordHistory(opsflow.client, id(finished), 'add-tls-applied-again');
});

test('a failed issuance fails at once with cert-manager’s message, and everything is put back', async (t) => {
  const { ns } = await scenario(t, 'tls-issuance', { database: false });
  await apply(ns, await example('0-issuers.yaml'));
  await apply(ns, await example('1-mysql.yaml'));
  await waitForObject<any, true>(mysql.database, ns, 'mysql', (db) => (db?.status?.phase === 'Ready' ? true : undefined));
  // An Issuer whose CA Secret holds the CA's certificate with a key that is not its own: signing fails.
  const ca = await kube.core.readNamespacedSecret({ namespace: ns, name: 'my-ca' });
  const wrongKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  await kube.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'broken-ca' }, type: 'kubernetes.io/tls', data: { 'tls.crt': ca.data!['tls.crt'], 'tls.key': Buffer.from(wrongKey).toString('base64') } } });
  await apply(ns, 'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: broken-issuer}\nspec: {ca: {secretName: broken-ca}}\n');
  const sts = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'mysql' });
  const pods = async () => (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=mysql' })).items.map((p) => p.metadata!.uid).sort();
  const before = await pods();

  const started = Date.now();
  await apply(ns, (await example('2-add-tls.yaml')).replace('name: my-issuer', 'name: broken-issuer').replace('  type: ReconfigureTLS', '  type: ReconfigureTLS\n  timeout: 2m'));
  const ops = await done(ns, 'myops-add-tls');
  const elapsed = Date.now() - started;

  assert.equal(ops.status.phase, 'Failed');
  const step = conditionOf(ops, 'CheckIssuingCondition');
  assert.equal(step?.status, 'False', JSON.stringify(ops.status.conditions, null, 2));
  assert.match(step.message, /^cert-manager failed to issue Certificate mysql-[a-z-]+-cert: The certificate request has failed to complete and will be retried: Error signing certificate/);
  assert.match(conditionOf(ops, 'Failed').message, /Nothing was restarted; what the request changed was put back\./);
  assert.ok(elapsed < 60_000, `failed at once, not after its 2m limit (${elapsed} ms)`);
  const certs = await kube.custom.listNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'certificates', namespace: ns, labelSelector: 'app.kubernetes.io/instance=mysql' });
  assert.equal(certs.items.length, 0, 'the Certificates it created are deleted again');
  const db = await get(mysql.database, ns, 'mysql');
  assert.equal(db.spec.tls, undefined, 'the database spec is as it was');
  assert.equal(isPaused(db), false, 'the database is resumed');
  assert.equal((await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'mysql' })).metadata!.generation, sts.metadata!.generation, 'the template is as it was');
  assert.deepEqual(await pods(), before, 'no pod restarted');
});

test('the pre-flight check: a CA that expires before the new certificates are renewed stops the request before any restart', async (t) => {
  const { ns } = await scenario(t, 'tls-preflight', { database: false });
  // A CA of one hour (the least cert-manager allows) signing certificates of cert-manager's default 90 days.
  await apply(ns, `apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: selfsigned}
spec: {selfSigned: {}}
---
apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: short-ca}
spec:
  isCA: true
  commonName: short-lived-ca
  secretName: short-ca
  duration: 1h
  privateKey: {algorithm: ECDSA, size: 256}
  issuerRef: {name: selfsigned, kind: Issuer, group: cert-manager.io}
---
apiVersion: cert-manager.io/v1
kind: Issuer
metadata: {name: short-issuer}
spec: {ca: {secretName: short-ca}}
`);
  await apply(ns, await example('1-mysql.yaml'));
  await waitForObject<any, true>(mysql.database, ns, 'mysql', (db) => (db?.status?.phase === 'Ready' ? true : undefined));
  const sts = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'mysql' });
  const pods = async () => (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=mysql' })).items.map((p) => p.metadata!.uid).sort();
  const before = await pods();

  await apply(ns, (await example('2-add-tls.yaml')).replace('name: my-issuer', 'name: short-issuer'));
  const ops = await done(ns, 'myops-add-tls');

  assert.equal(ops.status.phase, 'Failed');
  const check = conditionOf(ops, 'CertificateSynced');
  assert.equal(check?.status, 'False', JSON.stringify(ops.status.conditions, null, 2));
  assert.match(check.message, /no pod was restarted: Secret mysql-server-cert \(server certificate\): the CA certificate CN=short-lived-ca expires at .*, before this certificate is renewed/);
  assert.match(conditionOf(ops, 'Failed').message, /Check the new certificates failed: .*Nothing was restarted; what the request changed was put back\./);
  const certs = await kube.custom.listNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'certificates', namespace: ns, labelSelector: 'app.kubernetes.io/instance=mysql' });
  assert.equal(certs.items.length, 0, 'the Certificates it created are deleted again');
  await assert.rejects(kube.core.readNamespacedSecret({ namespace: ns, name: 'mysql-server-cert' }), /404|not found/i, 'and their Secrets');
  const db = await get(mysql.database, ns, 'mysql');
  assert.equal(db.spec.tls, undefined, 'the database spec is as it was');
  assert.equal(isPaused(db), false, 'the database is resumed');
  assert.equal((await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'mysql' })).metadata!.generation, sts.metadata!.generation, 'the template is as it was');
  assert.deepEqual(await pods(), before, 'no pod restarted');
});
