// A rotation without restarts (annotation opsflow.dev/rotate: in-place): MySQL and PerconaXtraDB (MariaDB's
// FLUSH SSL) and ProxySQL (PROXYSQL RELOAD TLS) reload their certificates, every pod serves the new serial and
// none restarts; Pgpool cannot reload its certificate, so its pods restart and a condition says so.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { probeTLS } from '../../platform/tls-probe.ts';
import { apply, conditionOf, createNamespace, deleteNamespace, kube, res, waitForObject } from '../helpers/cluster.ts';
import { startOpsflow, type Opsflow } from '../helpers/opsflow.ts';
import { recordHistory } from '../helpers/record-history.ts';
import { tlsKinds, type TLSKind } from '../helpers/tls-kinds.ts';

let ns: string;
let opsflow: Opsflow;
const example = (k: TLSKind, file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/${k.dir}/${file}`, import.meta.url), 'utf8');
const kind = (name: TLSKind['kind']) => tlsKinds.find((k) => k.kind === name)!;
const done = (k: TLSKind, name: string) => waitForObject<any, any>(k.opsRequest, ns, name, (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined), 240_000);
const podsOf = async (k: TLSKind) => (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: `app.kubernetes.io/instance=${k.db}` })).items;

before(async () => {
  ns = await createNamespace('in-place');
  opsflow = await startOpsflow(ns);
  const kinds = [kind('MySQL'), kind('PerconaXtraDB'), kind('ProxySQL'), kind('Pgpool')];
  for (const k of kinds) {
    await apply(ns, await example(k, '0-issuers.yaml'), { ignoreExisting: true });
    await waitForObject<any, true>(res.certificate, ns, k.issuers.first.caSecret, (c) => (conditionOf(c, 'Ready')?.status === 'True' ? true : undefined));
    await apply(ns, await example(k, `1-${k.dir}.yaml`), { ignoreExisting: true });
  }
  for (const k of kinds) await waitForObject<any, true>(k.database, ns, k.db, (db) => (db?.status?.phase === 'Ready' ? true : undefined), 120_000);
  for (const k of kinds) await apply(ns, await example(k, '2-add-tls.yaml'));
  for (const k of kinds) assert.equal((await done(k, k.ops.add)).status.phase, 'Successful', `${k.kind}: add TLS`);
});
after(async () => {
  await opsflow?.stop();
  await deleteNamespace(ns);
});

async function rotateInPlace(k: TLSKind) {
  const before = new Map((await podsOf(k)).map((p) => [p.metadata!.name!, p.metadata!.uid!]));
  const rotate = (await example(k, '3-rotate.yaml')).replace(`name: ${k.ops.rotate}`, `name: ${k.ops.rotate}-in-place\n  annotations: {opsflow.dev/rotate: in-place}`);
  await apply(ns, rotate);
  const ops = await done(k, `${k.ops.rotate}-in-place`);
  assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
  await recordHistory(opsflow.client, opsRequestWorkflowId({ kind: k.opsRequest.kind as 'MySQLOpsRequest', namespace: ns, name: ops.metadata.name }, ops.metadata.uid), `${k.dir}-rotate-in-place`);
  const secret = await kube.core.readNamespacedSecret({ namespace: ns, name: k.secrets.server });
  const serial = new X509Certificate(Buffer.from(secret.data!['tls.crt'], 'base64')).serialNumber;
  const after = await podsOf(k);
  for (const pod of after) {
    const served = await probeTLS(pod.status!.podIP!, k.kind === 'Pgpool' ? 9999 : k.kind === 'ProxySQL' ? 6033 : 3306, k.kind === 'Pgpool' ? 'postgres' : 'mysql');
    assert.ok(served.tls && served.certificate.serialNumber === serial, `${pod.metadata!.name} serves the new serial ${serial}`);
  }
  return { ops, before, after: new Map(after.map((p) => [p.metadata!.name!, p.metadata!.uid!])) };
}

for (const name of ['MySQL', 'PerconaXtraDB', 'ProxySQL'] as const) {
  test(`${name}: rotated in place, every pod serves the new certificate, none restarted`, async () => {
    const k = kind(name);
    const r = await rotateInPlace(k);
    assert.deepEqual(r.after, r.before, 'no pod restarted');
    for (const pod of r.before.keys()) assert.equal(conditionOf(r.ops, `ReloadTLS--${pod}`)?.status, 'True', pod);
    assert.equal(conditionOf(r.ops, 'RestartPods'), undefined);
    assert.equal(conditionOf(r.ops, 'ReloadTLS')?.status, 'True');
  });
}

test('Pgpool: no reload that swaps its certificate, so its pods restart, and the OpsRequest says so', async () => {
  const r = await rotateInPlace(kind('Pgpool'));
  for (const [pod, uid] of r.before) assert.notEqual(r.after.get(pod), uid, `${pod} restarted`);
  const note = conditionOf(r.ops, 'InPlaceRotation');
  assert.equal(note?.status, 'False');
  assert.match(note.message, /Pgpool cannot reload its certificates without a restart: its pods restart instead/);
});
