// The pod runtime's pure parts (tools/pod-runtime): which pods it serves (and that kwok's stage agrees), the
// kubelet's atomic volume writes, the hosts file standing in for DNS, the sandbox script, images → programs,
// the container environment, volumes, back-off and pod status; and the provisioner's ProxySQL configuration
// as the ProxySQL stand-in reads it.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { V1Pod, V1Secret, V1Service } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { writeAtomically, type Payload } from '../../tools/pod-runtime/atomic-writer.ts';
import { restartDelayMs, backoffRestarts } from '../../tools/pod-runtime/backoff.ts';
import { ContainerConfigError, containerEnv } from '../../tools/pod-runtime/container-env.ts';
import { hostsFile } from '../../tools/pod-runtime/hosts.ts';
import { programFor } from '../../tools/pod-runtime/images.ts';
import { podStatusPatch } from '../../tools/pod-runtime/pod-status.ts';
import { makePodsDir, reachableByOthers, removePodsDir } from '../../tools/pod-runtime/pods-dir.ts';
import { sandboxScript } from '../../tools/pod-runtime/sandbox.ts';
import { isServed, servedNames } from '../../tools/pod-runtime/served.ts';
import { rootAccountsSql } from '../../tools/pod-runtime/servers/mariadb.ts';
import { listenOn, poolPasswd } from '../../tools/pod-runtime/servers/pgpool.ts';
import { MountError, prepareVolume } from '../../tools/pod-runtime/volumes.ts';
import { proxysqlCnf } from '../../tools/kubedb-provisioner/proxysql-config.ts';
import { profiles } from '../../model/profiles.ts';
import { parseLibconfig } from '../../tools/proxysql/libconfig.ts';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (name: string, data: Record<string, string>): V1Secret => ({ metadata: { name, namespace: 'ns' }, data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])) });

describe('which pods the runtime serves', () => {
  const pod = (labels: Record<string, string>, nodeName = 'kwok-node-0'): V1Pod => ({ metadata: { labels }, spec: { nodeName, containers: [] } });
  const kubedb = (name: string) => ({ 'app.kubernetes.io/managed-by': 'kubedb.com', 'app.kubernetes.io/name': name });
  const nodes = new Set(['kwok-node-0']);
  test('KubeDB pods of the kinds with a server, on a simulated node', () => {
    for (const name of servedNames) assert.equal(isServed(pod(kubedb(name)), nodes), true, name);
  });
  test('not: another kind, another manager, another node', () => {
    assert.equal(isServed(pod(kubedb('redises.kubedb.com')), nodes), false);
    assert.equal(isServed(pod({ ...kubedb('mysqls.kubedb.com'), 'app.kubernetes.io/managed-by': 'helm' }), nodes), false);
    assert.equal(isServed(pod(kubedb('mysqls.kubedb.com'), 'real-node'), nodes), false);
  });
  test("kwok's stage of the runtime selects exactly these pods, with a weight above pod-ready's", () => {
    const [stage] = parseAllDocuments(readFileSync(new URL('../../tools/localenv/pod-runtime-stage.yaml', import.meta.url), 'utf8')).map((d) => d.toJS());
    const exprs: { key: string; operator: string; values?: string[] }[] = stage.spec.selector.matchExpressions;
    const by = (key: string) => exprs.find((e) => e.key === key);
    assert.deepEqual(by('.metadata.labels["app.kubernetes.io/name"]')?.values, [...servedNames]);
    assert.deepEqual(by('.metadata.labels["app.kubernetes.io/managed-by"]')?.values, ['kubedb.com']);
    assert.deepEqual(by('.status.phase')?.values, ['Pending']);
    assert.ok(stage.spec.weight > 0, 'kwok prefers a stage with weight over pod-ready (none)');
    assert.match(stage.spec.next.statusTemplate, /type: Ready\n\s+status|status: "False"\n\s+reason: ContainersNotReady\n\s+type: Ready/);
    assert.match(stage.spec.next.statusTemplate, /phase: Running/);
    assert.match(stage.spec.next.statusTemplate, /podIP:/);
  });
});

describe('writeAtomically (the kubelet\'s AtomicWriter)', () => {
  const payload = (files: Record<string, string>, mode = 0o644): Payload => new Map(Object.entries(files).map(([p, c]) => [p, { content: Buffer.from(c), mode }]));
  test('files appear through ..data, a rewrite swaps ..data, unchanged payloads are not rewritten, names that went are removed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
    try {
      assert.equal(await writeAtomically(dir, payload({ 'ca.crt': 'A', 'nested/tls.key': 'K' }, 0o600)), true);
      assert.equal(readlinkSync(join(dir, 'ca.crt')), '..data/ca.crt');
      assert.equal(readlinkSync(join(dir, 'nested')), '..data/nested');
      assert.equal(readFileSync(join(dir, 'nested', 'tls.key'), 'utf8'), 'K');
      assert.equal(lstatSync(join(dir, '..data', 'ca.crt')).mode & 0o777, 0o600);
      const first = readlinkSync(join(dir, '..data'));
      assert.equal(await writeAtomically(dir, payload({ 'ca.crt': 'A', 'nested/tls.key': 'K' }, 0o600)), false, 'same payload: nothing written');
      assert.equal(await writeAtomically(dir, payload({ 'ca.crt': 'B' })), true);
      assert.notEqual(readlinkSync(join(dir, '..data')), first, '..data points at a new folder');
      assert.equal(readFileSync(join(dir, 'ca.crt'), 'utf8'), 'B');
      assert.deepEqual(readdirSync(dir).filter((n) => !n.startsWith('..')), ['ca.crt'], 'nested is gone');
      assert.equal(readdirSync(dir).filter((n) => n.startsWith('..') && n !== '..data').length, 1, 'the old folder is removed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('volumes', () => {
  const secrets = (name: string) => (name === 'certs' ? secret('certs', { 'tls.crt': 'C', 'tls.key': 'K', 'ca.crt': 'A' }) : undefined);
  test('a projected volume takes the items and paths of the template, the default mode 0644', () => {
    const v = prepareVolume({ name: 'tls', projected: { sources: [{ secret: { name: 'certs', items: [{ key: 'tls.crt', path: 'server.crt' }, { key: 'tls.key', path: 'server.key', mode: 0o600 }] } }] } }, secrets);
    assert.equal(v.kind, 'payload');
    assert.deepEqual([...(v.kind === 'payload' ? v.payload : new Map())].map(([p, f]) => [p, f.content.toString(), f.mode]), [['server.crt', 'C', 0o644], ['server.key', 'K', 0o600]]);
  });
  test('a Secret volume without items has every key', () => {
    const v = prepareVolume({ name: 'all', secret: { secretName: 'certs', defaultMode: 0o400 } }, secrets);
    assert.deepEqual(v.kind === 'payload' && [...v.payload.keys()], ['tls.crt', 'tls.key', 'ca.crt']);
  });
  test("a missing Secret or key holds the pod, with the kubelet's message; optional ones do not", () => {
    assert.throws(() => prepareVolume({ name: 'x', secret: { secretName: 'nope' } }, secrets), (e) => e instanceof MountError && /secret "nope" not found/.test(e.message));
    assert.throws(() => prepareVolume({ name: 'x', secret: { secretName: 'certs', items: [{ key: 'nope', path: 'p' }] } }, secrets), /non-existent secret key: nope/);
    assert.deepEqual(prepareVolume({ name: 'x', secret: { secretName: 'nope', optional: true } }, secrets), { name: 'x', kind: 'payload', payload: new Map(), secrets: ['nope'] });
  });
  test('emptyDir and persistentVolumeClaim', () => {
    assert.deepEqual(prepareVolume({ name: 'e', emptyDir: {} }, secrets), { name: 'e', kind: 'emptyDir' });
    assert.deepEqual(prepareVolume({ name: 'd', persistentVolumeClaim: { claimName: 'data-0' } }, secrets), { name: 'd', kind: 'claim', claimName: 'data-0' });
  });
});

describe('containerEnv', () => {
  const pod: V1Pod = { metadata: { name: 'p-0', namespace: 'ns' }, status: { podIP: '127.42.0.9' } };
  const secrets = (name: string) => (name === 'auth' ? secret('auth', { username: 'root', password: 'pw' }) : undefined);
  test('values with $(VAR), secretKeyRef, fieldRef, envFrom', () => {
    const env = containerEnv(pod, {
      name: 'c',
      envFrom: [{ secretRef: { name: 'auth' }, prefix: 'A_' }],
      env: [
        { name: 'USER', valueFrom: { secretKeyRef: { name: 'auth', key: 'username' } } },
        { name: 'GREETING', value: 'hello $(USER) $$(USER) $(NOPE)' },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'GONE', valueFrom: { secretKeyRef: { name: 'missing', key: 'x', optional: true } } },
      ],
    }, secrets);
    assert.deepEqual(env, { A_username: 'root', A_password: 'pw', USER: 'root', GREETING: 'hello root $(USER) $(NOPE)', IP: '127.42.0.9' });
  });
  test("a missing Secret or key: the kubelet's CreateContainerConfigError", () => {
    assert.throws(() => containerEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'missing', key: 'x' } } }] }, secrets), (e) => e instanceof ContainerConfigError && /secret "missing" not found/.test(e.message));
    assert.throws(() => containerEnv(pod, { name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'auth', key: 'nope' } } }] }, secrets), /couldn't find key nope in Secret ns\/auth/);
  });
});

describe('hostsFile (cluster DNS for one pod)', () => {
  const labels = { app: 'db' };
  const pod = (name: string, ip: string, ready: boolean, extra: Partial<V1Pod['metadata']> = {}): V1Pod => ({
    metadata: { name, namespace: 'ns', labels: { ...labels, ...(extra.labels ?? {}) } },
    spec: { containers: [], hostname: name, subdomain: 'db-pods' },
    status: { podIP: ip, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const svc = (name: string, selector: Record<string, string>, spec: V1Service['spec'] = {}): V1Service => ({ metadata: { name, namespace: 'ns' }, spec: { selector, ...spec } });
  const a = pod('db-0', '127.42.0.1', true, { labels: { role: 'primary' } });
  const b = pod('db-1', '127.42.0.2', false);
  const other: V1Pod = { ...pod('x-0', '127.42.0.9', true), metadata: { name: 'x-0', namespace: 'elsewhere', labels } };
  const text = hostsFile(a, [svc('db', { ...labels, role: 'primary' }), svc('db-pods', labels, { clusterIP: 'None', publishNotReadyAddresses: true }), { ...svc('x', labels), metadata: { name: 'x', namespace: 'elsewhere' } }], [a, b, other]);
  const namesOf = (ip: string) => text.split('\n').filter((l) => l.startsWith(`${ip}\t`)).flatMap((l) => l.split('\t')[1].split(' '));
  test('the pod itself, the primary Service, a headless Service with every pod, pods by name', () => {
    assert.ok(namesOf('127.42.0.1').includes('db-0.db-pods.ns.svc.cluster.local'), 'its own FQDN');
    assert.ok(namesOf('127.42.0.1').includes('db.ns.svc') && namesOf('127.42.0.1').includes('db'), 'the Service, and its short name in the own namespace');
    assert.ok(!namesOf('127.42.0.2').includes('db.ns.svc'), 'a pod that is not Ready is no endpoint');
    assert.ok(namesOf('127.42.0.2').includes('db-1.db-pods.ns.svc'), 'publishNotReadyAddresses: the pod by name');
    assert.ok(namesOf('127.42.0.9').includes('x.elsewhere.svc') && !namesOf('127.42.0.9').includes('x'), 'another namespace: no short name');
  });
});

describe('sandboxScript', () => {
  const exists = (p: string) => ['/', '/etc', '/etc/mysql', '/var', '/var/lib', '/tmp', '/etc/hosts', '/run', '/run/mysqld'].includes(p);
  const script = sandboxScript({
    hostname: 'db-0',
    overlayDir: '/state/ov',
    user: 'mysql',
    mounts: [
      { source: '/tmp/state/data', target: '/var/lib/mysql' },
      { source: '/state/tmp', target: '/tmp' },
      { source: '/state/certs', target: '/etc/mysql/certs', readOnly: true },
      { source: '/state/frontend', target: '/var/lib/frontend/server' },
    ],
    command: ['mariadbd', "--x='y'", '--bind-address=127.42.0.1'],
  }, exists);
  const lines = script.trim().split('\n');
  test('missing mount points under an overlay of their nearest parent, the machine untouched', () => {
    assert.ok(lines.some((l) => /^mount -t overlay overlay -o 'lowerdir=\/etc\/mysql,upperdir=\/state\/ov\/\d\/upper,workdir=\/state\/ov\/\d\/work' '\/etc\/mysql'$/.test(l)), script);
    assert.ok(lines.some((l) => l.includes("lowerdir=/var/lib,")), 'one overlay for /var/lib/mysql\'s and /var/lib/frontend\'s parent');
    assert.ok(lines.indexOf("mkdir -p '/etc/mysql/certs'") > lines.findIndex((l) => l.includes('lowerdir=/etc/mysql,')), 'made after the overlay');
  });
  test('read-only binds, /tmp last (it would hide a source under /tmp), then the server as its user', () => {
    assert.ok(lines.includes("mount -o remount,bind,ro '/etc/mysql/certs'"));
    const tmp = lines.indexOf("mount --bind '/state/tmp' '/tmp'");
    const data = lines.indexOf("mount --bind '/tmp/state/data' '/var/lib/mysql'");
    assert.ok(tmp > data && data >= 0, 'the bind over /tmp comes after the one whose source is under /tmp');
    assert.equal(lines.at(-2), "hostname 'db-0'");
    assert.equal(lines.at(-1), `exec setpriv --reuid='mysql' --regid='mysql' --init-groups -- 'mariadbd' '--x='\\''y'\\''' '--bind-address=127.42.0.1'`);
  });
});

describe('images → programs', () => {
  test("KubeDB's image names and the provisioner stand-in's", () => {
    assert.equal(programFor('kubedb/mysql:8.0.35')?.server, 'MariaDB');
    assert.equal(programFor('ghcr.io/appscode-images/mysql:8.0.35-oracle')?.server, 'MariaDB');
    assert.equal(programFor('kubedb/perconaxtradb:8.0.26')?.server, 'MariaDB');
    assert.equal(programFor('kubedb/pgpool:4.5.0')?.server, 'pgpool-II');
    assert.equal(programFor('kubedb/postgres:16.1@sha256:abc')?.server, 'PostgreSQL');
    assert.equal(programFor('kubedb/proxysql:2.3.2-debian')?.server, 'ProxySQL stand-in');
    assert.equal(programFor('prom/mysqld-exporter:v0.15'), undefined);
  });
  test('pgpool: the copy of pgpool.conf listens on the pod IP; pool_passwd in clear text', () => {
    const conf = "backend_hostname0 = 'pg.ns.svc'\nlisten_addresses = *\nport = 9999\npcp_listen_addresses = '*'\n";
    assert.equal(listenOn(conf, '127.42.0.5'), "backend_hostname0 = 'pg.ns.svc'\nlisten_addresses = '127.42.0.5'\nport = 9999\npcp_listen_addresses = '127.42.0.5'\n");
    assert.equal(listenOn('port = 9999', '127.42.0.5'), "port = 9999\nlisten_addresses = '127.42.0.5'\npcp_listen_addresses = '127.42.0.5'\n");
    assert.equal(poolPasswd('postgres', 'pw'), 'postgres:TEXTpw\n');
  });
  test('MariaDB: the auth user for %, 127.0.0.1 and localhost, quotes escaped', () => {
    const sql = rootAccountsSql('root', "p'w");
    assert.match(sql, /ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD\('p\\'w'\) OR unix_socket;/);
    for (const host of ['127.0.0.1', '%']) assert.ok(sql.includes(`CREATE USER IF NOT EXISTS 'root'@'${host}' IDENTIFIED BY 'p\\'w';`), host);
  });
});

describe('back-off and pod status', () => {
  test("the kubelet's back-off: 10 s doubling to 5 min; reset after 10 min of running", () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(restartDelayMs), [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
    assert.equal(backoffRestarts(4, 1000), 5);
    assert.equal(backoffRestarts(4, 600_000), 1);
  });
  test('Ready and ContainersReady follow the containers; other conditions are kept; transition times kept while unchanged', () => {
    const pod: V1Pod = { status: { conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'False', lastTransitionTime: 'then' as unknown as Date }] } };
    const crashing = { name: 'mysql', image: 'i', state: { waiting: { reason: 'CrashLoopBackOff' } }, ready: false, started: false, restartCount: 2 };
    const down = podStatusPatch(pod, [crashing], 'now');
    assert.deepEqual(down.conditions.map((c) => [c.type, c.status, c.reason, String(c.lastTransitionTime)]), [
      ['Initialized', 'True', undefined, 'undefined'],
      ['ContainersReady', 'False', 'ContainersNotReady', 'now'],
      ['Ready', 'False', 'ContainersNotReady', 'then'],
    ]);
    assert.equal(down.containerStatuses[0].restartCount, 2);
    const up = podStatusPatch(pod, [{ ...crashing, state: { running: {} }, ready: true, started: true }], 'later');
    assert.deepEqual(up.conditions.filter((c) => c.type === 'Ready').map((c) => [c.status, String(c.lastTransitionTime)]), [['True', 'later']]);
  });
});

describe("the provisioner's proxysql.cnf", () => {
  test('parses as libconfig, with the cluster user among the admin credentials and the backend pods as servers', () => {
    const backend = { metadata: { name: 'mysql-server', namespace: 'demo' }, spec: { version: '5.7.36', replicas: 3 } };
    const cnf = parseLibconfig(proxysqlCnf({ cluster: { username: 'cluster', password: 'pw' }, backend: { profile: profiles.MySQL, db: backend } })) as any;
    assert.equal(cnf.datadir, '/var/lib/proxysql');
    assert.equal(cnf.admin_variables.admin_credentials, 'admin:admin;cluster:pw');
    assert.equal(cnf.admin_variables.cluster_username, 'cluster');
    assert.equal(cnf.admin_variables.mysql_ifaces, '0.0.0.0:6032');
    assert.equal(cnf.mysql_variables.interfaces, '0.0.0.0:6033');
    assert.deepEqual(cnf.mysql_servers.map((s: any) => [s.address, Number(s.hostgroup)]), [0, 1, 2].map((i) => [`mysql-server-${i}.mysql-server-pods.demo.svc`, 2]));
    assert.deepEqual((parseLibconfig(proxysqlCnf({ cluster: { username: 'cluster', password: 'pw' } })) as any).mysql_servers, [], 'no backend: no servers');
  });
});

describe("the pods' folder, where the servers' users can reach it", () => {
  /** A scratch folder of `mode`, and another (searchable by all) standing for /var/tmp. */
  const scratch = (mode: number) => {
    const base = mkdtempSync(join(tmpdir(), 'pods-dir-'));
    chmodSync(base, 0o755);
    const checkout = join(base, 'checkout');
    mkdirSync(checkout, { mode });
    chmodSync(checkout, mode);
    const outside = join(base, 'var-tmp');
    mkdirSync(outside, { mode: 0o1777 });
    return { base, state: join(checkout, '.localenv'), outside };
  };

  test('a checkout others may pass through keeps the folder in its state', (t) => {
    const { base, state, outside } = scratch(0o755);
    t.after(() => rmSync(base, { recursive: true, force: true }));
    makePodsDir(join(state, 'pods'), outside);
    assert.ok(lstatSync(join(state, 'pods')).isDirectory());
    assert.deepEqual(readdirSync(outside), []);
  });

  test('a checkout under a folder of mode 0700 gets a folder outside it, linked, reachable, and removed with the link', (t) => {
    const { base, state, outside } = scratch(0o700);
    t.after(() => rmSync(base, { recursive: true, force: true }));
    const pods = join(state, 'pods');
    assert.equal(reachableByOthers(join(state, '..')), false);
    makePodsDir(pods, outside);
    const target = readlinkSync(pods);
    assert.equal(join(target, '..'), outside);
    assert.equal(statSync(target).mode & 0o777, 0o711);
    assert.ok(reachableByOthers(target));
    // Made again after its folder was cleaned away, as /var/tmp is.
    rmSync(target, { recursive: true });
    makePodsDir(pods, outside);
    assert.equal(readlinkSync(pods), target);
    assert.ok(existsSync(target));
    removePodsDir(pods);
    assert.equal(existsSync(target), false);
    assert.throws(() => lstatSync(pods), /ENOENT/);
  });
});
