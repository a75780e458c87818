// ReconfigureTLS requests that cannot be carried out, for each kind: refused as KubeDB's webhook refuses them
// (or, for what depends on the database as it is, when the request's turn comes), with a message that names
// the field, and nothing touched: not paused, no pod restarted, no Certificate made.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { apply, conditionOf, createNamespace, deleteNamespace, get, kube, res, waitForObject } from '../helpers/cluster.ts';
import { isPaused } from '../helpers/fixtures.ts';
import { startOpsflow, type Opsflow } from '../helpers/opsflow.ts';
import { recordHistory } from '../helpers/record-history.ts';
import { tlsKinds, type TLSKind } from '../helpers/tls-kinds.ts';

interface Case {
  name: string;
  tls: string;
  field: string;
  words: RegExp;
}

const cases: Record<TLSKind['kind'], Case[]> = {
  MySQL: [
    { name: 'rotate-without-tls', tls: '{rotateCertificates: true}', field: 'spec.tls.rotateCertificates', words: /has no TLS .* no certificates to rotate/ },
    { name: 'remove-without-tls', tls: '{remove: true}', field: 'spec.tls.remove', words: /has no TLS to remove/ },
    { name: 'no-such-issuer', tls: '{issuerRef: {name: no-such-issuer, kind: Issuer, apiGroup: cert-manager.io}}', field: 'spec.tls.issuerRef', words: /no Issuer named no-such-issuer in namespace/ },
    { name: 'unknown-alias', tls: '{issuerRef: {name: my-issuer, kind: Issuer}, certificates: [{alias: peer}]}', field: 'spec.tls.certificates[0].alias', words: /"peer" is not a certificate of MySQL; use one of server, client, metrics-exporter/ },
  ],
  PerconaXtraDB: [
    { name: 'rotate-and-update', tls: '{rotateCertificates: true, issuerRef: {name: px-issuer, kind: Issuer}}', field: 'spec.tls', words: /rotateCertificates cannot be combined with an update/ },
    { name: 'no-such-clusterissuer', tls: '{issuerRef: {name: no-such-ca, kind: ClusterIssuer}}', field: 'spec.tls.issuerRef', words: /no ClusterIssuer named no-such-ca in the cluster/ },
  ],
  ProxySQL: [
    { name: 'issuer-kind', tls: '{issuerRef: {name: proxy-issuer, kind: Foo}}', field: 'spec.tls.issuerRef.kind', words: /"Foo" is not a cert-manager issuer kind; use Issuer or ClusterIssuer/ },
    { name: 'exporter-alias', tls: '{issuerRef: {name: proxy-issuer, kind: Issuer}, certificates: [{alias: metrics-exporter}]}', field: 'spec.tls.certificates[0].alias', words: /not a certificate of ProxySQL; use one of server, client/ },
  ],
  Pgpool: [
    { name: 'cert-auth-without-tls-mode', tls: '{sslMode: disable, clientAuthMode: cert, issuerRef: {name: pgpool-issuer, kind: Issuer}}', field: 'spec.tls.clientAuthMode', words: /clientAuthMode cert needs TLS with sslMode other than disable/ },
    { name: 'not-a-dns-name', tls: "{issuerRef: {name: pgpool-issuer, kind: Issuer}, certificates: [{alias: server, dnsNames: ['not a dns name!']}]}", field: 'spec.tls.certificates[0].dnsNames[0]', words: /"not a dns name!" is not a DNS name/ },
    { name: 'renew-before-duration', tls: '{issuerRef: {name: pgpool-issuer, kind: Issuer}, certificates: [{alias: server, duration: 1h, renewBefore: 2h}]}', field: 'spec.tls.certificates[0].renewBefore', words: /renewBefore \(2h\) must be shorter than its duration \(1h\)/ },
    { name: 'own-issuer-missing', tls: '{issuerRef: {name: pgpool-issuer, kind: Issuer}, certificates: [{alias: client, issuerRef: {name: gone, kind: Issuer}}]}', field: 'spec.tls.certificates[0].issuerRef', words: /no Issuer named gone/ },
  ],
};

let ns: string;
let opsflow: Opsflow;
const example = (k: TLSKind, file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/${k.dir}/${file}`, import.meta.url), 'utf8');

before(async () => {
  ns = await createNamespace('tls-reject');
  opsflow = await startOpsflow(ns);
  for (const k of tlsKinds) {
    await apply(ns, await example(k, '0-issuers.yaml'), { ignoreExisting: true }); // each guide brings the same self-signed Issuer
    await apply(ns, await example(k, `1-${k.dir}.yaml`));
  }
  for (const k of tlsKinds) await waitForObject<any, true>(k.database, ns, k.db, (db) => (db?.status?.phase === 'Ready' ? true : undefined));
});
after(async () => {
  await opsflow?.stop();
  await deleteNamespace(ns);
});

for (const k of tlsKinds) {
  test(`${k.kind}: refused requests name the field, and nothing is touched`, async () => {
    const selector = `app.kubernetes.io/instance=${k.db}`;
    const pods = async () => (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items.map((p) => p.metadata!.uid).sort();
    const before = await pods();
    const target = k.kind === 'ProxySQL' ? 'proxyRef' : 'databaseRef';
    // One at a time: requests of one type for one database queue, and an older one would be Skipped.
    for (const c of cases[k.kind]) {
      const name = `${k.dir}-${c.name}`;
      await apply(ns, `apiVersion: ops.kubedb.com/v1alpha1\nkind: ${k.opsRequest.kind}\nmetadata: {name: ${name}}\nspec:\n  type: ReconfigureTLS\n  ${target}: {name: ${k.db}}\n  tls: ${c.tls}\n`);
      const ops = await waitForObject<any, any>(k.opsRequest, ns, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined));
      assert.equal(ops.status.phase, 'Failed', `${name}: ${JSON.stringify(ops.status)}`);
      const failed = conditionOf(ops, 'Failed');
      assert.ok(failed.message.includes(c.field), `${name}: the message names ${c.field}: ${failed.message}`);
      assert.match(failed.message, c.words, name);
      assert.equal(conditionOf(ops, 'DatabasePauseSucceeded'), undefined, `${name}: not paused`);
      if (name === 'mysql-rotate-without-tls') await recordHistory(opsflow.client, opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name }, ops.metadata.uid), 'rejected-by-the-planner');
    }
    assert.equal(isPaused(await get(k.database, ns, k.db)), false, 'the database was never left paused');
    assert.deepEqual(await pods(), before, 'no pod restarted');
    const certs = await kube.custom.listNamespacedCustomObject({ ...res.certificate, namespace: ns, labelSelector: selector });
    assert.equal(certs.items.length, 0, 'no Certificate made');
  });
}
