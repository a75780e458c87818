// KubeDB's reconfigure guides for MySQL, PerconaXtraDB and Pgpool, walked through with their own YAML against
// the real servers behind the pods: the database created with a custom configuration, then configSecret (a new
// Secret), applyConfig (merged into a Secret the database owns) and removeCustomConfig. After each, what every
// server runs with (MariaDB's SHOW VARIABLES on every pod, Pgpool's PGPOOL SHOW), each pod restarted once and in
// the kind's order, the database spec, the database resumed. Then the refusals: a Secret that is not there, a
// .cnf that does not parse, a key Pgpool's custom configuration may not set, nothing touched.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { stateDir } from '../../tools/localenv/paths.ts';
import { readMode } from '../../tools/pod-runtime/mode.ts';
import { apply, conditionOf, createNamespace, deleteNamespace, get, kube, waitForObject, type Res } from '../helpers/cluster.ts';
import { isPaused } from '../helpers/fixtures.ts';
import { startOpsflow, type Opsflow } from '../helpers/opsflow.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { recordHistory } from '../helpers/record-history.ts';

const realServers = readMode(stateDir)?.enabled === true;
const kubedb = (plural: string, kind: string, version = 'v1'): Res => ({ group: 'kubedb.com', version, plural, kind });
const opsRes = (plural: string, kind: string): Res => ({ group: 'ops.kubedb.com', version: 'v1alpha1', plural, kind });

interface Kind {
  kind: 'MySQL' | 'PerconaXtraDB' | 'Pgpool';
  dir: string;
  db: string;
  database: Res;
  opsRequest: Res;
  ops: { config: string; apply: string; remove: string };
  /** Where the database object names its custom configuration. */
  specSecret: (db: any) => string | undefined;
  /** What the servers run with, read from each pod. */
  values: (ns: string, podIP: string) => Promise<Record<string, string>>;
  /** Expected values after each step, as KubeDB's guide shows them. */
  expect: { created: Record<string, string>; config: Record<string, string>; apply: Record<string, string>; remove: Record<string, string> };
  primaryLast: boolean;
}

const text = async (ns: string, secret: string, key: string) => Buffer.from((await kube.core.readNamespacedSecret({ namespace: ns, name: secret })).data![key]!, 'base64').toString();

async function mariadbVariables(ns: string, db: string, podIP: string, names: string[]): Promise<Record<string, string>> {
  const c = await mysql.createConnection({ host: podIP, port: 3306, user: 'root', password: await text(ns, `${db}-auth`, 'password') });
  try {
    const [rows] = (await c.query('SHOW GLOBAL VARIABLES WHERE Variable_name IN (?)', [names])) as unknown as [{ Variable_name: string; Value: string }[]];
    return Object.fromEntries(rows.map((r) => [r.Variable_name, r.Value]));
  } finally {
    await c.end();
  }
}

async function pgpoolShow(ns: string, podIP: string, names: string[]): Promise<Record<string, string>> {
  const login = { host: podIP, port: 9999, user: await text(ns, 'ha-postgres-auth', 'username'), password: await text(ns, 'ha-postgres-auth', 'password'), database: 'postgres', connectionTimeoutMillis: 5000 };
  for (const deadline = Date.now() + 20_000; ; ) {
    const c = new pg.Client(login);
    try {
      await c.connect();
      const out: Record<string, string> = {};
      for (const name of names) out[name] = String(Object.values((await c.query(`PGPOOL SHOW ${name}`)).rows[0])[0]);
      return out;
    } catch (err) {
      // Right after a restart pgpool may not reach its backend yet.
      if (Date.now() > deadline || !/backend 0 connection/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      await c.end().catch(() => {});
    }
  }
}

const mysqlVars = ['max_connections', 'read_buffer_size'];
const kinds: Kind[] = [
  {
    kind: 'MySQL',
    dir: 'mysql',
    db: 'sample-mysql',
    database: kubedb('mysqls', 'MySQL'),
    opsRequest: opsRes('mysqlopsrequests', 'MySQLOpsRequest'),
    ops: { config: 'myops-reconfigure-config', apply: 'myops-reconfigure-apply', remove: 'myops-reconfigure-remove' },
    specSecret: (db) => db.spec.configSecret?.name,
    values: (ns, ip) => mariadbVariables(ns, 'sample-mysql', ip, mysqlVars),
    expect: {
      created: { max_connections: '200', read_buffer_size: '1048576' },
      config: { max_connections: '250', read_buffer_size: '122880' },
      apply: { max_connections: '300', read_buffer_size: '122880' },
      remove: { max_connections: '151', read_buffer_size: '131072' },
    },
    primaryLast: true,
  },
  {
    kind: 'PerconaXtraDB',
    dir: 'perconaxtradb',
    db: 'sample-pxc',
    database: kubedb('perconaxtradbs', 'PerconaXtraDB'),
    opsRequest: opsRes('perconaxtradbopsrequests', 'PerconaXtraDBOpsRequest'),
    ops: { config: 'pxops-reconfigure-config', apply: 'pxops-reconfigure-apply-config', remove: 'pxops-reconfigure-remove' },
    specSecret: (db) => db.spec.configSecret?.name,
    values: (ns, ip) => mariadbVariables(ns, 'sample-pxc', ip, [...mysqlVars, 'innodb_log_buffer_size']),
    expect: {
      created: { max_connections: '200', read_buffer_size: '1048576', innodb_log_buffer_size: '16777216' },
      config: { max_connections: '250', read_buffer_size: '122880', innodb_log_buffer_size: '16777216' },
      apply: { max_connections: '230', read_buffer_size: '1064960', innodb_log_buffer_size: '17408000' },
      remove: { max_connections: '151', read_buffer_size: '131072', innodb_log_buffer_size: '16777216' },
    },
    primaryLast: false,
  },
  {
    kind: 'Pgpool',
    dir: 'pgpool',
    db: 'pp-custom',
    database: kubedb('pgpools', 'Pgpool', 'v1alpha2'),
    opsRequest: opsRes('pgpoolopsrequests', 'PgpoolOpsRequest'),
    ops: { config: 'ppops-reconfigure', apply: 'ppops-reconfigure-apply', remove: 'ppops-reconfigure-remove' },
    specSecret: (db) => db.spec.configuration?.secretName,
    values: (ns, ip) => pgpoolShow(ns, ip, ['max_pool', 'num_init_children']),
    expect: {
      created: { max_pool: '60', num_init_children: '5' },
      config: { max_pool: '50', num_init_children: '5' },
      apply: { max_pool: '75', num_init_children: '5' },
      remove: { max_pool: '15', num_init_children: '5' },
    },
    primaryLast: false,
  },
];

for (const k of kinds) {
  describe(`${k.kind}: KubeDB's reconfigure guide, step by step`, { skip: !realServers && 'no real servers behind the pods' }, () => {
    let ns: string;
    let opsflow: Opsflow;
    const example = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure/${k.dir}/${file}`, import.meta.url), 'utf8');
    const selector = `app.kubernetes.io/instance=${k.db}`;
    const podsNow = async () => (await kube.core.listNamespacedPod({ namespace: ns, labelSelector: selector })).items;

    /** Every pod's server runs with `want`. */
    async function assertServed(want: Record<string, string>, when: string) {
      for (const pod of await podsNow()) assert.deepEqual(await k.values(ns, pod.status!.podIP!), want, `${pod.metadata!.name} ${when}`);
    }

    /** Applies a request and waits for its end: each pod restarted once, in the kind's order, the database resumed. */
    async function reconfigure(file: string, name: string) {
      const before = await podsNow();
      const timeline = await PodTimeline.start(ns, selector);
      await apply(ns, await example(file));
      const ops = await waitForObject<any, any>(k.opsRequest, ns, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined), 240_000);
      await timeline.close();
      assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
      for (const type of ['Reconfigure', 'DatabasePauseSucceeded', 'UpdateDatabase', 'RestartPods', 'ResumeDatabase', 'Successful']) {
        assert.equal(conditionOf(ops, type)?.status, 'True', `${name}: condition ${type}`);
      }
      for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 2, `${pod} restarted exactly once`);
      const order = timeline.restartOrder();
      const names = before.map((p) => p.metadata!.name!).sort();
      const primary = before.find((p) => p.metadata?.labels?.['kubedb.com/role'] === 'primary')?.metadata?.name;
      assert.deepEqual(order, k.primaryLast && primary ? [...names.filter((n) => n !== primary), primary] : names, `${name}: restart order`);
      const db = await get(k.database, ns, k.db);
      assert.equal(isPaused(db), false, 'the database is resumed');
      const kept = { 'myops-reconfigure-config': 'mysql-myops-reconfigure-config', 'pxops-reconfigure-apply-config': 'perconaxtradb-pxops-reconfigure-apply-config', 'ppops-reconfigure-remove': 'pgpool-ppops-reconfigure-remove' }[name];
      if (kept) await recordHistory(opsflow.client, opsRequestWorkflowId({ kind: k.opsRequest.kind as 'MySQLOpsRequest', namespace: ns, name }, ops.metadata.uid), kept);
      return { ops, db };
    }

    before(async () => {
      ns = await createNamespace(`reconf-${k.dir}`);
      opsflow = await startOpsflow(ns);
      await apply(ns, await example(`1-${k.dir}.yaml`));
      await waitForObject<any, true>(k.database, ns, k.db, (db) => (db?.status?.phase === 'Ready' ? true : undefined), 180_000);
    });
    after(async () => {
      await opsflow?.stop();
      await deleteNamespace(ns);
    });

    test('created with its custom configuration: every server runs with it', async () => {
      await assertServed(k.expect.created, 'runs the custom configuration it was created with');
    });

    test('configSecret: the new Secret becomes the configuration, every pod restarted once on it', async () => {
      await apply(ns, await example('2-new-configuration.yaml'));
      const { ops, db } = await reconfigure('3-reconfigure-config.yaml', k.ops.config);
      assert.equal(k.specSecret(db), (await example('2-new-configuration.yaml')).match(/name: (\S+)/)![1], 'the database names the new Secret');
      assert.equal(conditionOf(ops, 'PrepareCustomConfig'), undefined, 'no Secret written for a configSecret');
      await assertServed(k.expect.config, 'after configSecret');
    });

    test('applyConfig: merged over the current files into a Secret the database owns; the Secret it named is untouched', async () => {
      const named = await kube.core.readNamespacedSecret({ namespace: ns, name: k.specSecret(await get(k.database, ns, k.db))! });
      const { ops, db } = await reconfigure('4-reconfigure-apply.yaml', k.ops.apply);
      assert.equal(conditionOf(ops, 'PrepareCustomConfig')?.status, 'True');
      const secret = await kube.core.readNamespacedSecret({ namespace: ns, name: k.specSecret(db)! });
      assert.match(secret.metadata!.name!, new RegExp(`^${k.db}-custom-config-[0-9a-f]{8}$`));
      assert.equal(secret.metadata!.ownerReferences?.[0]?.uid, db.metadata.uid, 'owned by the database');
      assert.deepEqual((await kube.core.readNamespacedSecret({ namespace: ns, name: named.metadata!.name! })).data, named.data, 'the Secret it merged from is as it was');
      await assertServed(k.expect.apply, 'after applyConfig');
    });

    test('removeCustomConfig: back to the defaults, the spec names no configuration', async () => {
      const { db } = await reconfigure('5-reconfigure-remove.yaml', k.ops.remove);
      assert.equal(k.specSecret(db), undefined);
      await assertServed(k.expect.remove, 'after removeCustomConfig');
    });

    test('refused, naming the field, nothing paused or restarted: a Secret that is not there, a file the server would not read', async () => {
      const before = (await podsNow()).map((p) => p.metadata!.uid).sort();
      const bad = k.kind === 'Pgpool'
        ? { 'pgpool.conf': "backend_hostname0 = 'elsewhere'" }
        : { 'broken.cnf': '[mysqld\nmax_connections = 5' };
      const cases: [string, unknown, RegExp][] = [
        ['missing-secret', { configSecret: { name: 'no-such-secret' } }, /spec\.configuration\.configSecret\.name: there is no Secret .*\/no-such-secret/],
        ['bad-file', { applyConfig: bad }, k.kind === 'Pgpool' ? /sets backend_hostname0, which cannot be set here: the backends come from spec\.postgresRef/ : /spec\.configuration\.applyConfig\.broken\.cnf: line 1 is not a group header/],
      ];
      if (k.kind === 'Pgpool') cases.push(['other-file', { applyConfig: { 'pool_hba.conf': 'host all all 0.0.0.0/0 trust' } }, /Pgpool takes one custom file, pgpool\.conf/]);
      for (const [name, configuration, words] of cases) {
        await apply(ns, JSON.stringify({ apiVersion: 'ops.kubedb.com/v1alpha1', kind: k.opsRequest.kind, metadata: { name }, spec: { type: 'Reconfigure', databaseRef: { name: k.db }, configuration } }));
        const ops = await waitForObject<any, any>(k.opsRequest, ns, name, (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined), 60_000);
        assert.equal(ops.status.phase, 'Failed', name);
        assert.match(conditionOf(ops, 'Failed').message, words, name);
        assert.equal(conditionOf(ops, 'DatabasePauseSucceeded'), undefined, `${name}: never paused`);
      }
      assert.deepEqual((await podsNow()).map((p) => p.metadata!.uid).sort(), before, 'no pod restarted');
      assert.equal(isPaused(await get(k.database, ns, k.db)), false);
    });
  });
}
