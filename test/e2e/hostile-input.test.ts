// Malformed and hostile OpsRequests across the four kinds and both types: each is refused with a message that
// names the field — by the API server where the CRD's schema says so (sent as `kubectl apply --validate=strict`
// sends it: with kubectl's default a field the CRD lacks is dropped, with a warning), else by opsflow, which
// marks the request Failed — nothing is paused, no pod restarts, and the worker stays healthy (a good request
// runs after them).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { apiMessage } from '../../platform/kube.ts';
import { apply, conditionOf, createNamespace, deleteNamespace, get, kube, waitForObject } from '../helpers/cluster.ts';
import { isPaused } from '../helpers/fixtures.ts';
import { startOpsflow, type Opsflow } from '../helpers/opsflow.ts';
import { tlsKinds, type TLSKind } from '../helpers/tls-kinds.ts';

type Kind = TLSKind['kind'];
const kindOf = (k: Kind) => tlsKinds.find((x) => x.kind === k)!;
const target = (k: Kind) => (k === 'ProxySQL' ? 'proxyRef' : 'databaseRef');
const many = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));

/** [name, kind, spec (target added unless given), the field the refusal must name]. */
const cases: [string, Kind, Record<string, unknown>, string][] = [
  // Types and the target.
  ['no-type', 'MySQL', { tls: { rotateCertificates: true } }, 'spec.type'],
  ['unknown-type', 'Pgpool', { type: 'Explode', tls: { rotateCertificates: true } }, 'spec.type'],
  ['out-of-scope-type', 'PerconaXtraDB', { type: 'Restart' }, 'spec.type'],
  ['type-as-number', 'ProxySQL', { type: 7, tls: { rotateCertificates: true } }, 'spec.type'],
  ['empty-target', 'MySQL', { type: 'ReconfigureTLS', databaseRef: { name: '' }, tls: { rotateCertificates: true } }, 'spec.databaseRef.name'],
  ['no-such-database', 'PerconaXtraDB', { type: 'ReconfigureTLS', databaseRef: { name: 'nowhere' }, tls: { rotateCertificates: true } }, 'spec.databaseRef'],
  ['unicode-target', 'Pgpool', { type: 'ReconfigureTLS', databaseRef: { name: 'ｐｇｐｏｏｌ' }, tls: { rotateCertificates: true } }, 'spec.databaseRef'],
  ['proxy-with-databaseref', 'ProxySQL', { type: 'ReconfigureTLS', databaseRef: { name: 'proxy-server' }, tls: { rotateCertificates: true } }, 'spec.databaseRef'],
  // The request's own settings.
  ['timeout-words', 'MySQL', { type: 'ReconfigureTLS', tls: { rotateCertificates: true }, timeout: 'five minutes' }, 'spec.timeout'],
  ['timeout-zero', 'PerconaXtraDB', { type: 'ReconfigureTLS', tls: { rotateCertificates: true }, timeout: '0s' }, 'spec.timeout'],
  ['timeout-overflow', 'ProxySQL', { type: 'ReconfigureTLS', tls: { rotateCertificates: true }, timeout: '999999999999h' }, 'spec.timeout'],
  ['timeout-negative', 'Pgpool', { type: 'ReconfigureTLS', tls: { rotateCertificates: true }, timeout: '-5m' }, 'spec.timeout'],
  ['retries-negative', 'MySQL', { type: 'ReconfigureTLS', tls: { rotateCertificates: true }, maxRetries: -1 }, 'spec.maxRetries'],
  ['retries-text', 'PerconaXtraDB', { type: 'ReconfigureTLS', tls: { rotateCertificates: true }, maxRetries: 'three' }, 'spec.maxRetries'],
  ['apply-sometimes', 'ProxySQL', { type: 'ReconfigureTLS', tls: { rotateCertificates: true }, apply: 'Sometimes' }, 'spec.apply'],
  // ReconfigureTLS.
  ['tls-missing', 'Pgpool', { type: 'ReconfigureTLS' }, 'spec.tls'],
  ['remove-and-rotate', 'MySQL', { type: 'ReconfigureTLS', tls: { remove: true, rotateCertificates: true } }, 'spec.tls'],
  ['alias-upper-case', 'MySQL', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'my-issuer', kind: 'Issuer' }, certificates: [{ alias: 'SERVER' }] } }, 'spec.tls.certificates[0].alias'],
  ['alias-twice', 'PerconaXtraDB', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'px-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server' }, { alias: 'server' }] } }, 'spec.tls.certificates[1].alias'],
  ['issuer-group', 'ProxySQL', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'proxy-issuer', kind: 'Issuer', apiGroup: 'example.com' } } }, 'spec.tls.issuerRef.apiGroup'],
  ['issuer-other-namespace', 'Pgpool', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'kube-system/pgpool-issuer', kind: 'Issuer' } } }, 'spec.tls.issuerRef'],
  ['dns-name-spaces', 'MySQL', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'my-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server', dnsNames: ['not a name'] }] } }, 'spec.tls.certificates[0].dnsNames[0]'],
  ['dns-name-fullwidth', 'PerconaXtraDB', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'px-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server', dnsNames: ['ｅｘａｍｐｌｅ.com'] }] } }, 'spec.tls.certificates[0].dnsNames[0]'],
  ['dns-name-too-long', 'ProxySQL', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'proxy-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server', dnsNames: [`${'a'.repeat(64)}.example.com`] }] } }, 'spec.tls.certificates[0].dnsNames[0]'],
  ['ip-out-of-range', 'Pgpool', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'pgpool-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server', ipAddresses: ['999.1.1.1'] }] } }, 'spec.tls.certificates[0].ipAddresses[0]'],
  ['email-without-at', 'MySQL', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'my-issuer', kind: 'Issuer' }, certificates: [{ alias: 'client', emailAddresses: ['nobody'] }] } }, 'spec.tls.certificates[0].emailAddresses[0]'],
  ['uri-not-a-uri', 'PerconaXtraDB', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'px-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server', uris: ['not a uri'] }] } }, 'spec.tls.certificates[0].uris[0]'],
  ['duration-forever', 'ProxySQL', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'proxy-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server', duration: 'forever' }] } }, 'spec.tls.certificates[0].duration'],
  ['duration-overflow', 'Pgpool', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'pgpool-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server', duration: '99999999999h' }] } }, 'spec.tls.certificates[0].duration'],
  ['ssl-mode-on-mysql', 'MySQL', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'my-issuer', kind: 'Issuer' }, sslMode: 'require' } }, 'spec.tls.sslMode'],
  ['require-ssl-on-pgpool', 'Pgpool', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'pgpool-issuer', kind: 'Issuer' }, requireSSL: true } }, 'spec.tls.requireSSL'],
  ['a-huge-spec', 'MySQL', { type: 'ReconfigureTLS', tls: { issuerRef: { name: 'my-issuer', kind: 'Issuer' }, certificates: [{ alias: 'server', dnsNames: [...many(3000, (i) => `host-${i}.example.com`), 'the last one is bad!'] }] } }, 'spec.tls.certificates[0].dnsNames[3000]'],
  // Reconfigure.
  ['configuration-missing', 'MySQL', { type: 'Reconfigure' }, 'spec.configuration'],
  ['configuration-empty', 'PerconaXtraDB', { type: 'Reconfigure', configuration: {} }, 'spec.configuration'],
  ['config-secret-missing', 'MySQL', { type: 'Reconfigure', configuration: { configSecret: { name: 'no-such-secret' } } }, 'spec.configuration.configSecret.name'],
  ['cnf-not-cnf', 'PerconaXtraDB', { type: 'Reconfigure', configuration: { applyConfig: { 'my.ini': '[mysqld]\nmax_connections = 5\n' } } }, 'spec.configuration.applyConfig.my.ini'],
  ['cnf-broken', 'MySQL', { type: 'Reconfigure', configuration: { applyConfig: { 'a.cnf': '[mysqld\nmax_connections = 5\n' } } }, 'spec.configuration.applyConfig.a.cnf'],
  ['pgpool-other-file', 'Pgpool', { type: 'Reconfigure', configuration: { applyConfig: { 'pool_hba.conf': 'host all all 0.0.0.0/0 trust' } } }, 'spec.configuration.applyConfig.pool_hba.conf'],
  ['pgpool-owned-key', 'Pgpool', { type: 'Reconfigure', configuration: { applyConfig: { 'pgpool.conf': "backend_hostname0 = 'attacker.example.com'" } } }, 'spec.configuration.applyConfig.pgpool.conf'],
  ['proxysql-password', 'ProxySQL', { type: 'Reconfigure', configuration: { mysqlUsers: { users: [{ username: 'x', password: 'p' }], reqType: 'add' } } }, 'spec.configuration.mysqlUsers.users[0].password'],
  ['proxysql-interfaces', 'ProxySQL', { type: 'Reconfigure', configuration: { mysqlVariables: { interfaces: '0.0.0.0:3306' } } }, 'spec.configuration.mysqlVariables.interfaces'],
  ['proxysql-sql-in-name', 'ProxySQL', { type: 'Reconfigure', configuration: { mysqlUsers: { users: [{ username: "x'; DROP TABLE mysql_users; --" }], reqType: 'add' } } }, 'spec.configuration.mysqlUsers.users[0].username'],
  ['proxysql-rule-without-id', 'ProxySQL', { type: 'Reconfigure', configuration: { mysqlQueryRules: { rules: [{ active: 1 }], reqType: 'add' } } }, 'spec.configuration.mysqlQueryRules.rules[0].rule_id'],
];

let ns: string;
let opsflow: Opsflow;
const example = (k: TLSKind, file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/${k.dir}/${file}`, import.meta.url), 'utf8');
const uids = async () => (await kube.core.listNamespacedPod({ namespace: ns })).items.map((p) => p.metadata!.uid).sort();

before(async () => {
  ns = await createNamespace('hostile');
  opsflow = await startOpsflow(ns);
  for (const k of tlsKinds) {
    await apply(ns, await example(k, '0-issuers.yaml'), { ignoreExisting: true });
    await apply(ns, await example(k, `1-${k.dir}.yaml`));
  }
  for (const k of tlsKinds) await waitForObject<any, true>(k.database, ns, k.db, (db) => (db?.status?.phase === 'Ready' ? true : undefined), 120_000);
});
after(async () => {
  await opsflow?.stop();
  await deleteNamespace(ns);
});

test(`${cases.length} malformed and hostile requests: each refused naming its field, nothing paused or restarted, the worker healthy`, async () => {
  assert.ok(cases.length >= 40);
  const before = await uids();
  const refusedBy = { apiServer: 0, opsflow: 0 };
  for (const [name, kind, spec, field] of cases) {
    const k = kindOf(kind);
    const body = { ...spec, ...(spec.databaseRef || spec.proxyRef ? {} : { [target(kind)]: { name: k.db } }) };
    const object = { apiVersion: 'ops.kubedb.com/v1alpha1', kind: k.opsRequest.kind, metadata: { name, namespace: ns }, spec: body };
    // As `kubectl apply --validate=strict` sends it: a field the CRD does not have is refused, not dropped.
    const create = { group: 'ops.kubedb.com', version: 'v1alpha1', namespace: ns, plural: k.opsRequest.plural, body: object, fieldValidation: 'Strict' };
    const refused = await kube.custom.createNamespacedCustomObject(create).then(() => undefined, (err: unknown) => apiMessage(err));
    if (refused) {
      refusedBy.apiServer++;
      assert.ok(refused.includes(field), `${name}: the API server's refusal names ${field}: ${refused}`);
      continue;
    }
    const ops = await waitForObject<any, any>(k.opsRequest, ns, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined), 60_000);
    assert.equal(ops.status.phase, 'Failed', `${name}: ${JSON.stringify(ops.status.conditions)}`);
    const message: string = conditionOf(ops, 'Failed').message;
    assert.ok(message.startsWith(field), `${name}: the message starts with ${field}: ${message}`);
    assert.equal(conditionOf(ops, 'DatabasePauseSucceeded'), undefined, `${name}: never paused`);
    refusedBy.opsflow++;
  }
  console.log(`# ${cases.length} bad requests: ${refusedBy.apiServer} refused by the API server (the CRD's schema), ${refusedBy.opsflow} by opsflow`);
  for (const k of tlsKinds) assert.equal(isPaused(await get(k.database, ns, k.db)), false, `${k.kind} not paused`);
  assert.deepEqual(await uids(), before, 'no pod restarted');

  // The worker is still healthy: a good request runs to the end.
  await apply(ns, 'apiVersion: ops.kubedb.com/v1alpha1\nkind: ProxySQLOpsRequest\nmetadata: {name: good-after}\nspec: {type: Reconfigure, proxyRef: {name: proxy-server}, configuration: {mysqlVariables: {max_connections: 2048}}}\n');
  const good = await waitForObject<any, any>(kindOf('ProxySQL').opsRequest, ns, 'good-after', (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined), 60_000);
  assert.equal(good.status.phase, 'Successful', JSON.stringify(good.status.conditions, null, 2));
});
