// ReconfigureTLS rotateCertificates on a 3-member MySQL, end to end: KubeDB's YAML applied to a real
// kube-apiserver, the watcher, the workflow on a real Temporal server, cert-manager, KubeDB's provisioner stand-in.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, test } from 'node:test';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { conditionOf, createNamespace, deleteNamespace, get, kube, res, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { applyRotate, createCAIssuer, createTLSMySQL, isPaused, listPods, waitForCertificatesIssued, waitForDatabaseReady } from '../helpers/fixtures.ts';
import { historyText } from '../helpers/history.ts';
import { startOpsflow, type Opsflow } from '../helpers/opsflow.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { recordHistory } from '../helpers/record-history.ts';

const secretNames = ['my-db-server-cert', 'my-db-client-cert', 'my-db-metrics-exporter-cert'];

async function readSecrets(ns: string) {
  const out = new Map<string, { cert: X509Certificate; data: Record<string, string> }>();
  for (const name of secretNames) {
    const s = await kube.core.readNamespacedSecret({ namespace: ns, name });
    out.set(name, { cert: new X509Certificate(Buffer.from(s.data!['tls.crt'], 'base64')), data: s.data! });
  }
  return out;
}

let opsflow: Opsflow;
let ns: string;

before(async () => {
  ns = await createNamespace('rotate');
  opsflow = await startOpsflow(ns);
});
after(async () => {
  await opsflow?.stop();
  await deleteNamespace(ns);
});

test('a TLS MySQL gets its certificates from opsflow and comes up Ready', async () => {
  await createCAIssuer(ns);
  await createTLSMySQL(ns);
  await waitForDatabaseReady(ns);
  await waitForCertificatesIssued(ns);
  const server = await get(res.certificate, ns, 'my-db-server-cert');
  assert.equal(server.spec.secretName, 'my-db-server-cert');
  assert.equal(server.metadata.ownerReferences[0].kind, 'MySQL');
  assert.equal(server.metadata.ownerReferences[0].controller, true);
  assert.deepEqual(server.metadata.labels, {
    'app.kubernetes.io/component': 'database',
    'app.kubernetes.io/instance': 'my-db',
    'app.kubernetes.io/managed-by': 'kubedb.com',
    'app.kubernetes.io/name': 'mysqls.kubedb.com',
  });
  for (const dns of [`*.my-db-pods.${ns}.svc`, `my-db.${ns}.svc`, 'localhost', 'my-db']) assert.ok(server.spec.dnsNames.includes(dns), dns);
  assert.deepEqual(server.spec.ipAddresses, ['127.0.0.1']);
  assert.deepEqual(server.spec.subject.organizations, ['kubedb:server']);
  const client = await get(res.certificate, ns, 'my-db-client-cert');
  assert.equal(client.spec.commonName, 'root');
  assert.deepEqual(client.spec.subject, { organizations: ['mysql'], organizationalUnits: ['client'] });
  const secrets = await readSecrets(ns);
  assert.match(secrets.get('my-db-client-cert')!.cert.subject, /CN=root/);
});

test('rotateCertificates re-issues every certificate and restarts each pod once, standbys before the primary', async () => {
  const before = await readSecrets(ns);
  const primary = (await listPods(ns)).find((p) => p.metadata?.labels?.['kubedb.com/role'] === 'primary')!.metadata!.name!;
  const timeline = await PodTimeline.start(ns);
  const started = Date.now();
  await applyRotate(ns, 'rotate-1', 'my-db', '  timeout: 1m\n');
  const ops = await waitForOpsRequestDone(ns, 'rotate-1');
  const elapsed = Date.now() - started;
  await timeline.close();

  assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
  const pods = ['my-db-0', 'my-db-1', 'my-db-2'];
  for (const type of [
    'Running',
    'ReconfigureTLS',
    'DatabaseReady',
    'DatabasePauseSucceeded',
    'IssueCertificatesSucceeded',
    'CertificateSynced',
    ...pods.flatMap((p) => [`GetPod--${p}`, `EvictPod--${p}`, `CheckPodRunning--${p}`]),
    'RestartPods',
    'ResumeDatabase',
    'Successful',
  ]) {
    assert.equal(conditionOf(ops, type)?.status, 'True', `condition ${type}`);
  }

  const afterSecrets = await readSecrets(ns);
  for (const name of secretNames) {
    const old = before.get(name)!.cert;
    const now = afterSecrets.get(name)!.cert;
    assert.notEqual(now.serialNumber, old.serialNumber, `${name}: new serial`);
    assert.equal(now.issuer, old.issuer, `${name}: same CA`);
    const ca = new X509Certificate(Buffer.from(afterSecrets.get(name)!.data['ca.crt'], 'base64'));
    assert.ok(now.verify(ca.publicKey), `${name}: signed by the CA`);
    assert.equal(now.subject, old.subject, `${name}: same subject`);
    assert.equal(now.subjectAltName, old.subjectAltName, `${name}: same SANs`);
  }

  const uids = timeline.uidsByPod();
  for (const p of pods) assert.equal(uids.get(p)?.length, 2, `${p} restarted exactly once: ${uids.get(p)}`);
  const order = timeline.restartOrder();
  assert.equal(order.length, 3);
  assert.equal(order.at(-1), primary, `the primary (${primary}) restarts last: ${order}`);
  assert.ok(timeline.maxDownAtOnce <= 1, `never two pods down at once (saw ${timeline.maxDownAtOnce})`);

  const db = await get(res.mysql, ns, 'my-db');
  assert.equal(isPaused(db), false, 'the database is not paused at the end');

  const workflowId = opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-1' }, ops.metadata.uid);
  const history = await historyText(opsflow.client, workflowId);
  assert.doesNotMatch(history, /BEGIN (CERTIFICATE|PRIVATE KEY|RSA PRIVATE KEY|EC PRIVATE KEY)/);
  for (const [name, { data }] of [...before, ...afterSecrets]) {
    for (const key of ['tls.crt', 'tls.key']) {
      const pem = Buffer.from(data[key], 'base64').toString();
      const body = pem.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
      assert.ok(!history.includes(body.slice(0, 64)) && !history.includes(data[key].slice(0, 64)), `${name} ${key} is not in the history`);
    }
  }
  console.log(`# rotation of 3 pods took ${elapsed} ms end to end`);
  await recordHistory(opsflow.client, workflowId, 'rotate-mysql-successful');
});
