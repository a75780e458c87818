// KubeDB's ProxySQL reconfigure guide end to end, on a 3-pod ProxySQL (the stand-in) in front of a 3-pod
// MySQL (real MariaDB): users, query rules and both kinds of variables, read back through the admin interface
// of every pod, the ProxySQL object's declarative configuration, no pause and no restart; a user the backend
// lacks and a pod that refuses midway (the others put back); a pod added later starts with the configuration;
// and the TLS guide's step: after add TLS, use_ssl makes a user's plain-text login refused and its TLS login work.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import { mergePatch, pods as podCollection } from '../../platform/kube.ts';
import { waitFor } from '../../platform/watch.ts';
import { apply, conditionOf, createNamespace, deleteNamespace, get, kube, waitForObject } from '../helpers/cluster.ts';
import { isPaused } from '../helpers/fixtures.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { startOpsflow, type Opsflow } from '../helpers/opsflow.ts';
import { recordHistory } from '../helpers/record-history.ts';
import { tlsKinds } from '../helpers/tls-kinds.ts';

const proxy = tlsKinds.find((k) => k.kind === 'ProxySQL')!;
const pods = ['proxy-server-0', 'proxy-server-1', 'proxy-server-2'];
const example = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure-proxysql/${file}`, import.meta.url), 'utf8');
const tlsExample = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/proxysql/${file}`, import.meta.url), 'utf8');
/** The mysql_native_password hash ProxySQL stores: `*` + upper-case hex of SHA1(SHA1(password)). */
const nativeHash = (password: string) => `*${createHash('sha1').update(createHash('sha1').update(password).digest()).digest('hex').toUpperCase()}`;

let ns: string;
let opsflow: Opsflow;

async function secret(name: string, key: string) {
  const s = await kube.core.readNamespacedSecret({ namespace: ns, name });
  return Buffer.from(s.data![key], 'base64').toString('utf8');
}
async function podIP(pod: string) {
  return (await kube.core.readNamespacedPod({ namespace: ns, name: pod })).status!.podIP!;
}
/** Runs `sql` on a pod's admin interface as the cluster user (what a worker uses). */
async function admin<T = mysql.RowDataPacket[]>(pod: string, sql: string): Promise<T> {
  const c = await mysql.createConnection({ host: await podIP(pod), port: 6032, user: 'cluster', password: await secret('proxy-server-auth', 'password') });
  try {
    return (await c.query(sql))[0] as T;
  } finally {
    await c.end();
  }
}
async function backendSQL(sql: string) {
  const primary = (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=mysql-server,kubedb.com/role=primary' })).items[0]!;
  const c = await mysql.createConnection({ host: primary.status!.podIP!, port: 3306, user: 'root', password: await secret('mysql-server-auth', 'password') });
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
const uids = async () => (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: 'app.kubernetes.io/instance=proxy-server' })).items.map((p) => p.metadata!.uid).sort();

/** Applies a Reconfigure and waits for its end; asserts nothing restarted and the ProxySQL was never paused. */
async function reconfigure(name: string, yaml: string) {
  const before = await uids();
  await apply(ns, yaml);
  const ops = await waitForObject<any, any>(proxy.opsRequest, ns, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined), 120_000);
  assert.deepEqual(await uids(), before, `${name}: no pod restarted`);
  assert.equal(conditionOf(ops, 'DatabasePauseSucceeded'), undefined, `${name}: not paused`);
  assert.equal(isPaused(await get(proxy.database, ns, 'proxy-server')), false);
  const kept = { 'add-user': 'proxysql-reconfigure-users', 'reconfigure-vars': 'proxysql-reconfigure-variables', 'add-midway': 'proxysql-reconfigure-refused-midway' }[name];
  if (kept) await recordHistory(opsflow.client, opsRequestWorkflowId({ kind: 'ProxySQLOpsRequest', namespace: ns, name }, ops.metadata.uid), kept);
  return ops;
}
const runtimeUsers = (pod: string) => admin(pod, 'SELECT username, password, active, default_hostgroup, use_ssl FROM runtime_mysql_users ORDER BY username');
const inline = async () => (await get(proxy.database, ns, 'proxy-server')).spec.configuration?.init?.inline ?? {};

before(async () => {
  ns = await createNamespace('proxysql-reconf');
  opsflow = await startOpsflow(ns);
  await apply(ns, await example('1-proxysql.yaml'));
  await waitForObject<any, true>(proxy.database, ns, 'proxy-server', (db) => (db?.status?.phase === 'Ready' ? true : undefined), 120_000);
  await waitForObject<any, true>(tlsKinds.find((k) => k.kind === 'MySQL')!.database, ns, 'mysql-server', (db) => (db?.status?.phase === 'Ready' ? true : undefined), 120_000);
  await backendSQL("CREATE USER 'testA'@'%' IDENTIFIED BY 'passA'");
  await backendSQL("CREATE USER 'testB'@'%' IDENTIFIED BY 'passB'");
});
after(async () => {
  await opsflow?.stop();
  await deleteNamespace(ns);
});

test('add two users: on every pod at runtime and on disk, with the backend’s password hashes, and in the ProxySQL object', async () => {
  const ops = await reconfigure('add-user', await example('2-add-user.yaml'));
  assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
  for (const pod of pods) {
    assert.equal(conditionOf(ops, `ReconfigureMySQLUsers--${pod}`)?.status, 'True', pod);
    const users = await runtimeUsers(pod);
    assert.deepEqual(
      users.filter((u) => u.username.startsWith('test')).map((u) => [u.username, u.password, Number(u.active), Number(u.default_hostgroup)]),
      [['testA', nativeHash('passA'), 1, 2], ['testB', nativeHash('passB'), 1, 2]],
      `${pod}: runtime_mysql_users`,
    );
    const disk = await admin(pod, "SELECT username FROM disk.mysql_users WHERE username LIKE 'test%' ORDER BY username");
    assert.deepEqual(disk.map((u) => u.username), ['testA', 'testB'], `${pod}: saved to disk`);
  }
  assert.deepEqual((await inline()).mysqlUsers, [{ username: 'testA', active: 1, default_hostgroup: 2 }, { username: 'testB', active: 1, default_hostgroup: 2 }], 'recorded without passwords');
});

test('update them (the columns not named are kept; an inactive user leaves runtime, as ProxySQL loads active ones only), then delete one', async () => {
  const updated = await reconfigure('update-user', await example('3-update-user.yaml'));
  assert.equal(updated.status.phase, 'Successful', JSON.stringify(updated.status.conditions, null, 2));
  for (const pod of pods) {
    const users = await admin(pod, "SELECT username, password, active, default_hostgroup FROM disk.mysql_users WHERE username LIKE 'test%' ORDER BY username");
    assert.deepEqual(users.map((u) => [u.username, u.password, Number(u.active), Number(u.default_hostgroup)]), [['testA', nativeHash('passA'), 0, 3], ['testB', nativeHash('passB'), 1, 3]], `${pod}: saved`);
    assert.deepEqual((await runtimeUsers(pod)).filter((u) => u.username.startsWith('test')).map((u) => [u.username, Number(u.default_hostgroup)]), [['testB', 3]], `${pod}: at runtime`);
  }
  const deleted = await reconfigure('delete-user', await example('4-delete-user.yaml'));
  assert.equal(deleted.status.phase, 'Successful');
  for (const pod of pods) assert.deepEqual((await runtimeUsers(pod)).filter((u) => u.username.startsWith('test')).map((u) => u.username), ['testB'], pod);
  assert.deepEqual((await inline()).mysqlUsers, [{ username: 'testB', active: 1, default_hostgroup: 3 }]);
});

test('a query rule added, updated and deleted', async () => {
  const rule = (pod: string) => admin(pod, 'SELECT rule_id, active, match_digest, destination_hostgroup, apply FROM runtime_mysql_query_rules WHERE rule_id = 4');
  assert.equal((await reconfigure('add-rule', await example('5-add-rule.yaml'))).status.phase, 'Successful');
  for (const pod of pods) assert.deepEqual((await rule(pod)).map((r) => [Number(r.active), r.match_digest, Number(r.destination_hostgroup), Number(r.apply)]), [[1, '^SELECT .* FOR DELETE$', 2, 1]], pod);
  assert.equal((await reconfigure('update-rule', await example('6-update-rule.yaml'))).status.phase, 'Successful');
  for (const pod of pods) {
    assert.deepEqual(await rule(pod), [], `${pod}: an inactive rule is not at runtime`);
    assert.deepEqual((await admin(pod, 'SELECT active, match_digest FROM disk.mysql_query_rules WHERE rule_id = 4')).map((r) => [Number(r.active), r.match_digest]), [[0, '^SELECT .* FOR DELETE$']], `${pod}: saved, the other columns kept`);
  }
  assert.equal((await reconfigure('delete-rule', await example('7-delete-rule.yaml'))).status.phase, 'Successful');
  for (const pod of pods) assert.deepEqual(await rule(pod), [], pod);
});

test('admin and MySQL variables, at runtime on every pod', async () => {
  assert.equal((await reconfigure('reconfigure-vars', await example('8-variables.yaml'))).status.phase, 'Successful');
  for (const pod of pods) {
    const vars = await admin(pod, "SELECT variable_name, variable_value FROM runtime_global_variables WHERE variable_name IN ('admin-refresh_interval', 'admin-cluster_check_interval_ms', 'mysql-max_transaction_time', 'mysql-max_stmts_per_connection') ORDER BY variable_name");
    assert.deepEqual(Object.fromEntries(vars.map((v) => [v.variable_name, v.variable_value])), {
      'admin-cluster_check_interval_ms': '205',
      'admin-refresh_interval': '2055',
      'mysql-max_stmts_per_connection': '19',
      'mysql-max_transaction_time': '1540000',
    }, pod);
  }
});

test('refused before any pod is changed: a user the backend lacks, a forbidden variable', async () => {
  const ghost = await reconfigure('add-ghost', (await example('2-add-user.yaml')).replace('name: add-user', 'name: add-ghost').replace('username: testA', 'username: ghost'));
  assert.equal(ghost.status.phase, 'Failed');
  assert.match(conditionOf(ghost, 'Failed').message, /spec\.configuration\.mysqlUsers\.users\[0\]\.username: the backend MySQL .*\/mysql-server has no user "ghost"/);
  for (const pod of pods) assert.ok(!(await runtimeUsers(pod)).some((u) => u.username === 'ghost'), pod);
  const forbidden = await reconfigure('set-interfaces', 'apiVersion: ops.kubedb.com/v1alpha1\nkind: ProxySQLOpsRequest\nmetadata: {name: set-interfaces}\nspec:\n  type: Reconfigure\n  proxyRef: {name: proxy-server}\n  configuration:\n    mysqlVariables: {interfaces: "0.0.0.0:3306"}\n');
  assert.equal(forbidden.status.phase, 'Failed');
  assert.match(conditionOf(forbidden, 'Failed').message, /spec\.configuration\.mysqlVariables\.interfaces: mysql-interfaces cannot be changed by a Reconfigure/);
});

test('a pod that refuses midway: the pods already changed are put back, nothing is saved or recorded', async () => {
  // proxy-server-2's admin database refuses new users (a trigger: the stand-in's tables are SQLite's, as ProxySQL's are).
  await admin('proxy-server-2', "CREATE TRIGGER refuse_users BEFORE INSERT ON mysql_users BEGIN SELECT RAISE(ABORT, 'this ProxySQL takes no new users'); END");
  const before = await inline();
  const ops = await reconfigure('add-midway', (await example('2-add-user.yaml')).replace('name: add-user', 'name: add-midway').replace(/- username: testB[\s\S]*?reqType/, 'reqType'));
  await admin('proxy-server-2', 'DROP TRIGGER refuse_users');
  assert.equal(ops.status.phase, 'Failed');
  assert.equal(conditionOf(ops, 'ReconfigureMySQLUsers--proxy-server-2')?.status, 'False', JSON.stringify(ops.status.conditions, null, 2));
  assert.match(conditionOf(ops, 'Failed').message, /this ProxySQL takes no new users/);
  for (const pod of pods) {
    assert.ok(!(await runtimeUsers(pod)).some((u) => u.username === 'testA'), `${pod}: testA is not at runtime`);
    assert.deepEqual(await admin(pod, "SELECT username FROM mysql_users WHERE username = 'testA'"), [], `${pod}: nor in memory`);
  }
  assert.deepEqual(await inline(), before, 'the ProxySQL object is as it was');
});

test('a pod added later starts with the configuration, its users’ passwords from the backend', async () => {
  await kube.custom.patchNamespacedCustomObject({ group: 'kubedb.com', version: 'v1', plural: 'proxysqls', namespace: ns, name: 'proxy-server', body: { spec: { replicas: 4 } } }, mergePatch);
  await waitFor<V1Pod, true>(kube, podCollection(ns), { fieldSelector: 'metadata.name=proxy-server-3' }, ([p]) => (p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined), AbortSignal.timeout(120_000));
  const users = await runtimeUsers('proxy-server-3');
  assert.deepEqual(users.filter((u) => u.username.startsWith('test')).map((u) => [u.username, u.password, Number(u.default_hostgroup)]), [['testB', nativeHash('passB'), 3]]);
  const vars = await admin('proxy-server-3', "SELECT variable_value FROM runtime_global_variables WHERE variable_name = 'mysql-max_stmts_per_connection'");
  assert.equal(vars[0].variable_value, '19');
});

test('the TLS guide’s step: after add TLS, use_ssl refuses a user’s plain-text login and lets its TLS login in', async () => {
  await apply(ns, await tlsExample('0-issuers.yaml'));
  await waitForObject<any, true>({ group: 'cert-manager.io', version: 'v1', plural: 'certificates', kind: 'Certificate' }, ns, 'proxy-ca', (c) => (conditionOf(c, 'Ready')?.status === 'True' ? true : undefined));
  await apply(ns, await tlsExample('2-add-tls.yaml'));
  const added = await waitForObject<any, any>(proxy.opsRequest, ns, 'recon-tls-add', (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined), 240_000);
  assert.equal(added.status.phase, 'Successful', JSON.stringify(added.status.conditions, null, 2));
  await backendSQL("CREATE USER 'test'@'%' IDENTIFIED BY 'pass'");
  assert.equal((await reconfigure('add-test', 'apiVersion: ops.kubedb.com/v1alpha1\nkind: ProxySQLOpsRequest\nmetadata: {name: add-test}\nspec:\n  type: Reconfigure\n  proxyRef: {name: proxy-server}\n  configuration:\n    mysqlUsers:\n      users: [{username: test, active: 1, default_hostgroup: 2}]\n      reqType: add\n')).status.phase, 'Successful');
  assert.equal((await reconfigure('activate-ssl', await example('9-activate-ssl.yaml'))).status.phase, 'Successful');
  const ca = await secret('proxy-server-server-cert', 'ca.crt');
  for (const pod of pods) {
    const host = await podIP(pod);
    await assert.rejects(mysql.createConnection({ host, port: 6033, user: 'test', password: 'pass' }), /SSL is required/, `${pod}: plain-text login refused`);
    const c = await mysql.createConnection({ host, port: 6033, user: 'test', password: 'pass', ssl: { ca, rejectUnauthorized: false } });
    const [rows] = await c.query<mysql.RowDataPacket[]>('SELECT 1');
    await c.end();
    assert.equal(Number(Object.values(rows[0]!)[0]), 1, `${pod}: TLS login works`);
  }
});
