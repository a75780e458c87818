// The pod runtime (tools/pod-runtime): real servers behind the simulated pods. A database's pods serve its
// real server on the pod IP and the kind's port, with the auth Secret's credentials and the certificate its
// Secret holds; a server that cannot start leaves its pod not Ready the way a crashing container does;
// deleting a pod stops its server and the replacement keeps the data directory; a Secret refreshed in place
// reaches the mounted file; Pgpool serves in front of a real PostgreSQL, with TLS once its configuration has
// the ssl keys; ProxySQL's admin interface answers with the cluster credentials. Each test works in a
// namespace of its own and says in a comment what breaks it. Skipped when the environment runs simulated
// pods (no servers installed, or OPSFLOW_SIMULATED_PODS=1).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { mergePatch, pods, type Collection } from '../../platform/kube.ts';
import { probeTLS } from '../../platform/tls-probe.ts';
import { waitFor, type Watched } from '../../platform/watch.ts';
import { stateDir } from '../../tools/localenv/paths.ts';
import { readMode, runtimeDir } from '../../tools/pod-runtime/mode.ts';
import { apply, createNamespace, deleteNamespace, kube } from '../helpers/cluster.ts';
import { scenario } from '../helpers/scenario.ts';

const mode = readMode(stateDir);
const TEST = { timeout: 180_000, skip: mode?.enabled ? false : `no real servers behind the pods here: ${mode?.summary ?? 'no environment'}` };
const WAIT_MS = 60_000;

async function namespaceFor(t: TestContext, prefix: string): Promise<string> {
  const ns = await createNamespace(prefix);
  t.after(() => deleteNamespace(ns));
  return ns;
}

const isReady = (p: V1Pod | undefined) =>
  Boolean(p && !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));

/** Waits (watching) until `check` answers for the pod `name`; the error says what was last seen. */
async function waitPod<R>(ns: string, name: string, what: string, check: (p: V1Pod | undefined) => R | undefined, timeoutMs = WAIT_MS): Promise<R> {
  let last: V1Pod | undefined;
  try {
    return await waitFor<V1Pod, R>(kube, pods(ns), { fieldSelector: `metadata.name=${name}` }, ([p]) => check((last = p)), AbortSignal.timeout(timeoutMs));
  } catch (err) {
    if ((err as Error)?.name !== 'TimeoutError') throw err;
    throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last?.status ?? null).slice(0, 2000)}`);
  }
}

const readyPod = (ns: string, name: string, timeoutMs?: number) => waitPod(ns, name, `${name} Ready`, (p) => (isReady(p) ? p : undefined), timeoutMs);

async function waitObject<T extends Watched>(collection: Collection, name: string, check: (o: T | undefined) => boolean, timeoutMs = WAIT_MS): Promise<T> {
  return waitFor<T, T>(kube, collection, { fieldSelector: `metadata.name=${name}` }, ([o]) => (check(o) ? o : undefined), AbortSignal.timeout(timeoutMs));
}

async function secretText(ns: string, name: string, key: string): Promise<string> {
  const s = await kube.core.readNamespacedSecret({ namespace: ns, name });
  return Buffer.from(s.data![key], 'base64').toString('utf8');
}

/** The server's pid, from the containerID the runtime reports (pod-runtime://<uid>/<container>/<pid>). */
const serverPid = (p: V1Pod) => Number(p.status!.containerStatuses![0].containerID!.split('/').pop());
const isRunning = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A CA and a server certificate for `cn` made with openssl, and one more key that belongs to neither. */
function certificates(cn: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pod-runtime-test-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  try {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=pod-runtime-test-ca');
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${cn}`);
    openssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '2');
    openssl('genrsa', '-out', 'other.key', '2048');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    return { ca: read('ca.crt'), cert: read('tls.crt'), key: read('tls.key'), otherKey: read('other.key') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const tlsSecret = (name: string, files: { ca: string; cert: string; key: string }) =>
  `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}}\ntype: kubernetes.io/tls\nstringData:\n${Object.entries({ 'ca.crt': files.ca, 'tls.crt': files.cert, 'tls.key': files.key })
    .map(([k, v]) => `  ${k}: |\n${v.trim().split('\n').map((l) => `    ${l}`).join('\n')}`)
    .join('\n')}\n`;

/** A standalone MySQL (one pod), with TLS from Secrets the test makes itself when `tls` is given. */
const mysqlYaml = (name: string, tls = false) => `apiVersion: kubedb.com/v1
kind: MySQL
metadata: {name: ${name}}
spec:
  version: "8.0.35"
  deletionPolicy: WipeOut
${tls ? '  tls:\n    issuerRef: {apiGroup: cert-manager.io, kind: Issuer, name: made-by-the-test}\n' : ''}`;

const login = async (host: string, password: string, extra: mysql.ConnectionOptions = {}) =>
  mysql.createConnection({ host, port: 3306, user: 'root', password, connectTimeout: 5000, ...extra });

// Breaks when: kwok hands out pod IPs off loopback (no --cidr=127.42.0.0/16) or the runtime's stage is not
// loaded (the pod is Ready on kwok's timer with nothing listening); the runtime does not start MariaDB for a
// MySQL image or not on the pod IP (--bind-address); the provisioner makes no auth Secret or no
// MYSQL_ROOT_PASSWORD from it; the data directory's root@% lacks that password.
test('a MySQL pod serves MariaDB on its pod IP and port, with the auth Secret\'s credentials', TEST, async (t) => {
  const ns = await namespaceFor(t, 'rt-mysql');
  await apply(ns, mysqlYaml('solo'));
  const pod = await readyPod(ns, 'solo-0');
  const ip = pod.status!.podIP!;
  assert.match(ip, /^127\.42\.\d+\.\d+$/, 'the pod IP is on loopback, in kwok\'s 127.42.0.0/16');

  const auth = await kube.core.readNamespacedSecret({ namespace: ns, name: 'solo-auth' });
  assert.equal(auth.type, 'kubernetes.io/basic-auth');
  assert.equal(await secretText(ns, 'solo-auth', 'username'), 'root');
  const conn = await login(ip, await secretText(ns, 'solo-auth', 'password'));
  t.after(() => conn.end());
  const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT @@hostname AS host, @@version AS version, @@bind_address AS bind');
  assert.equal(rows[0].host, 'solo-0', 'the server runs with the pod\'s hostname');
  assert.match(rows[0].version, /MariaDB/);
  assert.equal(rows[0].bind, ip, 'it listens on the pod IP only');
  await assert.rejects(login(ip, 'not-the-password'), /Access denied/, 'another password is refused');
});

// Breaks when: the TLS Secrets are not materialised with the template's items and paths (server.crt,
// server.key, ca.crt under /etc/mysql/certs) or not bind-mounted there; the container's --ssl-* and
// --require-secure-transport arguments are not passed on; the server serves another certificate than the
// one in its Secret.
test('a TLS MySQL serves the certificate its Secret holds, and with requireSSL refuses a plain-text login', TEST, async (t) => {
  const { ns } = await scenario(t, 'rt-tls'); // deploy/examples/mysql-tls: 3 pods, TLS from cert-manager, requireSSL
  const secret = await kube.core.readNamespacedSecret({ namespace: ns, name: 'my-db-server-cert' });
  const want = new X509Certificate(Buffer.from(secret.data!['tls.crt'], 'base64'));
  const password = await secretText(ns, 'my-db-auth', 'password');
  for (const name of ['my-db-0', 'my-db-1', 'my-db-2']) {
    const pod = await readyPod(ns, name);
    const served = await probeTLS(pod.status!.podIP!, 3306, 'mysql');
    assert.ok(served.tls, `${name} serves TLS`);
    assert.equal(served.certificate.serialNumber, want.serialNumber, `${name} serves the certificate of my-db-server-cert`);
    assert.equal(served.certificate.fingerprint256, want.fingerprint256);
    // MySQL answers 3159 (insecure transport prohibited); MariaDB 10.11 refuses the login as 1045 Access denied.
    await assert.rejects(login(pod.status!.podIP!, password), /insecure transport|Access denied/i, `${name} refuses a plain-text login`);
    const ca = Buffer.from(secret.data!['ca.crt'], 'base64').toString();
    // mysql2 checks the chain, not the name (the pod IP is not among the certificate's SANs).
    const conn = await login(pod.status!.podIP!, password, { ssl: { ca } });
    const [rows] = await conn.query<mysql.RowDataPacket[]>("SHOW STATUS LIKE 'Ssl_cipher'");
    await conn.end();
    assert.ok(rows[0].Value, `${name}: the login over TLS works`);
  }
});

// Breaks when: a server that exits is reported Running/Ready anyway, or restarted without back-off; the
// container status lacks the kubelet's CrashLoopBackOff, restart count or lastState.terminated exit code;
// the server's output is not kept under the environment's state.
test('a server that cannot start (a key that is not the certificate\'s) leaves the pod not Ready, crashing, with its log kept', TEST, async (t) => {
  const ns = await namespaceFor(t, 'rt-crash');
  const made = certificates('broken');
  await apply(ns, tlsSecret('broken-server-cert', { ...made, key: made.otherKey }));
  await apply(ns, tlsSecret('broken-client-cert', made));
  await apply(ns, mysqlYaml('broken', true));
  const pod = await waitPod(ns, 'broken-0', 'broken-0 in CrashLoopBackOff', (p) =>
    p?.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff' ? p : undefined,
  );
  const status = pod.status!.containerStatuses![0];
  assert.equal(isReady(pod), false, 'not Ready');
  assert.equal(pod.status!.phase, 'Running');
  assert.ok((status.restartCount ?? 0) >= 1, `restarts counted: ${status.restartCount}`);
  assert.equal(status.lastState?.terminated?.exitCode, 1, `the exit code of the last run: ${JSON.stringify(status.lastState)}`);
  assert.equal(status.lastState?.terminated?.reason, 'Error');
  assert.match(status.state!.waiting!.message!, /back-off 10s restarting failed container=mysql pod=broken-0/);
  const log = readFileSync(join(runtimeDir(stateDir), 'logs', `${ns}_broken-0_${pod.metadata!.uid}`, 'mysql', '0.log'), 'utf8');
  assert.match(log, /Unable to get private key|SSL error/, 'MariaDB\'s own complaint is in the kept log');
});

// Breaks when: deleting a pod does not stop its server (stop signal, SIGKILL after the grace period) or the
// runtime deletes the pod before the server stopped; the pod finalizer (or kwok) finishes the deletion of the
// runtime's pods instead; the data directory is kept per pod UID instead of per pod name (the table is gone).
test('deleting a pod stops its server, and the replacement keeps the data directory', TEST, async (t) => {
  const ns = await namespaceFor(t, 'rt-delete');
  await apply(ns, mysqlYaml('keep'));
  const first = await readyPod(ns, 'keep-0');
  const password = await secretText(ns, 'keep-auth', 'password');
  const conn = await login(first.status!.podIP!, password);
  await conn.query('CREATE DATABASE kept');
  await conn.query('CREATE TABLE kept.t (x INT)');
  await conn.query('INSERT INTO kept.t VALUES (42)');
  await conn.end();
  const pid = serverPid(first);
  assert.ok(isRunning(pid), `the server (pid ${pid}) runs`);

  await kube.core.deleteNamespacedPod({ namespace: ns, name: 'keep-0' });
  const second = await waitPod(ns, 'keep-0', 'keep-0 back with a new UID, Ready', (p) => (p && p.metadata!.uid !== first.metadata!.uid && isReady(p) ? p : undefined));
  assert.equal(isRunning(pid), false, 'the old server is gone');
  assert.notEqual(serverPid(second), pid, 'a new server');
  const again = await login(second.status!.podIP!, password);
  const [rows] = await again.query<mysql.RowDataPacket[]>('SELECT x FROM kept.t');
  await again.end();
  assert.deepEqual(rows.map((r) => r.x), [42], 'the table made before is still there');
});

// Breaks when: a changed Secret is not written into the pod's volume, is written in place instead of through
// the ..data swap, or the pod's mount namespace sees a copy rather than the pod's volume folder.
test('a Secret refreshed in place shows in the mounted file, through the kubelet\'s ..data swap', TEST, async (t) => {
  const ns = await namespaceFor(t, 'rt-refresh');
  const first = certificates('refresh');
  await apply(ns, tlsSecret('refresh-server-cert', first));
  await apply(ns, tlsSecret('refresh-client-cert', first));
  await apply(ns, mysqlYaml('refresh', true));
  const pod = await readyPod(ns, 'refresh-0');
  // What the server itself sees: the file at the template's mount path, inside its mount namespace.
  const mounted = (path: string) => execFileSync('nsenter', [`--mount=/proc/${serverPid(pod)}/ns/mnt`, 'cat', path], { encoding: 'utf8' });
  const dataLink = () => execFileSync('nsenter', [`--mount=/proc/${serverPid(pod)}/ns/mnt`, 'readlink', '/etc/mysql/certs/..data'], { encoding: 'utf8' }).trim();
  assert.equal(mounted('/etc/mysql/certs/server.crt').trim(), first.cert.trim());
  const before = dataLink();

  const second = certificates('refresh');
  await kube.core.patchNamespacedSecret({ namespace: ns, name: 'refresh-server-cert', body: { stringData: { 'tls.crt': second.cert, 'tls.key': second.key, 'ca.crt': second.ca } } }, mergePatch);
  const deadline = Date.now() + 10_000;
  while (mounted('/etc/mysql/certs/server.crt').trim() !== second.cert.trim()) {
    assert.ok(Date.now() < deadline, 'the refreshed certificate reached the mounted file within 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(mounted('/etc/mysql/certs/server.key').trim(), second.key.trim(), 'the key came with it');
  assert.notEqual(dataLink(), before, '..data points at a new folder');
  assert.equal(isReady(await kube.core.readNamespacedPod({ namespace: ns, name: 'refresh-0' })), true, 'the pod was not restarted for it');
});

const pgpoolYaml = (tls: boolean) => `apiVersion: kubedb.com/v1
kind: Postgres
metadata: {name: pg}
spec:
  version: "16.1"
  deletionPolicy: WipeOut
---
apiVersion: kubedb.com/v1alpha2
kind: Pgpool
metadata: {name: pool}
spec:
  version: "4.5.0"
  replicas: 1
  postgresRef: {name: pg}
  deletionPolicy: WipeOut
${tls ? '  tls:\n    issuerRef: {apiGroup: cert-manager.io, kind: Issuer, name: made-by-the-test}\n' : ''}`;

// Breaks when: the provisioner does not provision Postgres (no pg-0, no pg Service) or gives Pgpool's pods
// no backend credentials; pgpool is not started from the mounted <pgpool>-config (pgpool.conf, pool_hba.conf)
// or keeps listening on `*`; the pod's hosts file does not resolve pg.<ns>.svc to a Ready Postgres pod;
// Postgres does not let Pgpool in; a Pgpool whose configuration has the ssl keys does not serve TLS with the
// certificate mounted at /opt/pgpool-II/tls.
test('a Pgpool pod serves on 9999 in front of a Postgres, and serves TLS once its config has the ssl keys', TEST, async (t) => {
  const ns = await namespaceFor(t, 'rt-pgpool');
  await apply(ns, pgpoolYaml(false));
  const postgresReady = (db: any) => db?.status?.phase === 'Ready';
  await waitObject<any>({ apiVersion: 'kubedb.com/v1', kind: 'Postgres', plural: 'postgreses', namespace: ns }, 'pg', postgresReady);
  const pool = await readyPod(ns, 'pool-0');
  const user = await secretText(ns, 'pg-auth', 'username');
  const password = await secretText(ns, 'pg-auth', 'password');
  assert.equal(user, 'postgres');
  const queryOnce = async (ssl: pg.ClientConfig['ssl']) => {
    const client = new pg.Client({ host: pool.status!.podIP!, port: 9999, user, password, database: 'postgres', ssl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT host(inet_server_addr()) AS backend, current_user AS who');
      return rows[0] as { backend: string; who: string };
    } finally {
      await client.end();
    }
  };
  // A client of a Pgpool that just came up: its backend's name resolves once the primary's role label is
  // there (the pg Service selects the primary), a moment after the Postgres is Ready.
  const query = async (ssl: pg.ClientConfig['ssl']) => {
    for (const deadline = Date.now() + 10_000; ; ) {
      try {
        return await queryOnce(ssl);
      } catch (err) {
        if (Date.now() > deadline || !/backend 0 connection/.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const pgPod = await kube.core.readNamespacedPod({ namespace: ns, name: 'pg-0' });
  assert.deepEqual(await query(false), { backend: pgPod.status!.podIP, who: 'postgres' }, 'logged in through pgpool, answered by pg-0');
  assert.deepEqual(await probeTLS(pool.status!.podIP!, 9999, 'postgres'), { tls: false, detail: 'the server answered N to SSLRequest' });

  // TLS: the server certificate's Secret, and the Pgpool's spec says TLS; the provisioner renders the ssl keys
  // into pgpool.conf and the TLS mount into the template; the pod restarts onto them (OnDelete).
  const made = certificates('pool');
  await apply(ns, tlsSecret('pool-server-cert', made));
  await kube.custom.patchNamespacedCustomObject(
    { group: 'kubedb.com', version: 'v1alpha2', namespace: ns, plural: 'pgpools', name: 'pool', body: { spec: { tls: { issuerRef: { apiGroup: 'cert-manager.io', kind: 'Issuer', name: 'made-by-the-test' } } } } },
    mergePatch,
  );
  await waitObject<any>({ apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespace: ns }, 'pool-config', (s) =>
    Buffer.from(s?.data?.['pgpool.conf'] ?? '', 'base64').toString().includes('ssl = on'),
  );
  await waitObject<any>({ apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespace: ns }, 'pool', (s) =>
    Boolean(s?.spec?.template?.spec?.volumes?.some((v: any) => v.name === 'certs')),
  );
  await kube.core.deleteNamespacedPod({ namespace: ns, name: 'pool-0' });
  const restarted = await waitPod(ns, 'pool-0', 'pool-0 back, Ready', (p) => (p && p.metadata!.uid !== pool.metadata!.uid && isReady(p) ? p : undefined));
  const served = await probeTLS(restarted.status!.podIP!, 9999, 'postgres');
  assert.ok(served.tls, 'pgpool serves TLS');
  assert.equal(served.certificate.fingerprint256, new X509Certificate(made.cert).fingerprint256, 'with the certificate of pool-server-cert');
  const client = new pg.Client({ host: restarted.status!.podIP!, port: 9999, user, password, database: 'postgres', ssl: { ca: made.ca, checkServerIdentity: () => undefined } });
  await client.connect();
  const { rows } = await client.query('SELECT 1 AS one');
  await client.end();
  assert.equal(rows[0].one, 1, 'a login over TLS through pgpool works');
});

// Breaks when: the provisioner does not render <proxysql>-configuration with the cluster user of the
// ProxySQL's auth Secret among the admin credentials, or does not mount it where the stand-in is pointed;
// the runtime does not start the ProxySQL stand-in on the pod IP; the backend's pods are not the
// mysql_servers.
test('a ProxySQL pod\'s admin interface answers on 6032 with the cluster credentials', TEST, async (t) => {
  const ns = await namespaceFor(t, 'rt-proxysql');
  await apply(ns, `${mysqlYaml('backend')}---
apiVersion: kubedb.com/v1
kind: ProxySQL
metadata: {name: proxy}
spec:
  version: "2.3.2-debian"
  replicas: 1
  backend: {name: backend}
  deletionPolicy: WipeOut
`);
  const pod = await readyPod(ns, 'proxy-0');
  assert.equal(await secretText(ns, 'proxy-auth', 'username'), 'cluster');
  const conn = await mysql.createConnection({ host: pod.status!.podIP!, port: 6032, user: 'cluster', password: await secretText(ns, 'proxy-auth', 'password'), connectTimeout: 5000 });
  t.after(() => conn.end());
  const [servers] = await conn.query<mysql.RowDataPacket[]>('SELECT hostname, port, hostgroup_id FROM runtime_mysql_servers');
  assert.deepEqual(servers.map((s) => [s.hostname, Number(s.port), Number(s.hostgroup_id)]), [[`backend-0.backend-pods.${ns}.svc`, 3306, 2]]);
  const [vars] = await conn.query<mysql.RowDataPacket[]>("SELECT variable_value FROM global_variables WHERE variable_name = 'admin-cluster_username'");
  assert.equal(vars[0].variable_value, 'cluster');
  await assert.rejects(
    mysql.createConnection({ host: pod.status!.podIP!, port: 6032, user: 'cluster', password: 'wrong', connectTimeout: 5000 }),
    /Access denied/,
  );
});
