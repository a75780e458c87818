// Crash at the steps only a Reconfigure has (see crash-matrix.ts; the steps every operation shares are killed
// in a rotation and an add TLS), for each kind: an applyConfig of MySQL and of PerconaXtraDB (a Secret written,
// the workload pointed at it, each pod restarted once), of Pgpool (its pgpool.conf rendered again), and
// ProxySQL variables (changed on each pod through its admin interface and saved, no pod restarted), each
// request asking for new values, from KubeDB's guides' examples.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { apply, waitForObject } from '../helpers/cluster.ts';
import { crashMatrix } from '../helpers/crash-matrix.ts';
import { tlsKinds } from '../helpers/tls-kinds.ts';

const reconfigureActivities = ['createConfigSecret', 'deleteConfigSecret', 'setCustomConfig', 'renderPgpoolConfig', 'configureProxySQL', 'saveProxySQL'];
const example = (path: string) => readFile(new URL(`../../deploy/examples/${path}`, import.meta.url), 'utf8');
const kind = (k: string) => tlsKinds.find((x) => x.kind === k)!;
const ready = (k: string, ns: string, name: string) => waitForObject<any, true>(kind(k).database, ns, name, (db) => (db?.status?.phase === 'Ready' ? true : undefined), 120_000);

/** A Reconfigure of kind `k` on the database `db`, killed at the steps only a Reconfigure has. */
function reconfigureMatrix(title: string, k: string, db: string, setUp: (ns: string) => Promise<void>, request: (name: string, n: number) => Promise<string>, restartsPods = true) {
  crashMatrix({ title, opsRequest: kind(k).opsRequest, database: kind(k).database, databaseName: db, setUp, apply: async (ns, name, n) => apply(ns, await request(name, n)), restartsPods, only: reconfigureActivities });
}

/** An example file with `edits` made to it (each a [text, replacement] pair). */
const edited = async (file: string, edits: [string, string][]) => edits.reduce((yaml, [from, to]) => yaml.replace(from, to), await example(file));

reconfigureMatrix(
  'a MySQL Reconfigure (applyConfig)',
  'MySQL',
  'sample-mysql',
  async (ns) => {
    await apply(ns, await example('reconfigure/mysql/1-mysql.yaml'));
    await ready('MySQL', ns, 'sample-mysql');
  },
  async (name, n) => (await edited('reconfigure/mysql/4-reconfigure-apply.yaml', [['name: myops-reconfigure-apply\n', `name: ${name}\n`], ['max_connections = 300', `max_connections = ${300 + n}`]])) + '  timeout: 20s\n',
);

reconfigureMatrix(
  'a PerconaXtraDB Reconfigure (applyConfig)',
  'PerconaXtraDB',
  'sample-pxc',
  async (ns) => {
    await apply(ns, await example('reconfigure/perconaxtradb/1-perconaxtradb.yaml'));
    await ready('PerconaXtraDB', ns, 'sample-pxc');
  },
  async (name, n) => (await edited('reconfigure/perconaxtradb/4-reconfigure-apply.yaml', [['name: pxops-reconfigure-apply-config\n', `name: ${name}\n`], ['max_connections = 230', `max_connections = ${230 + n}`]])) + '  timeout: 20s\n',
);

reconfigureMatrix(
  'a Pgpool Reconfigure (applyConfig)',
  'Pgpool',
  'pp-custom',
  async (ns) => {
    await apply(ns, await example('reconfigure/pgpool/1-pgpool.yaml'));
    await ready('Pgpool', ns, 'pp-custom');
    // As the guide goes: a configSecret first, then the applyConfig merged over it.
    await apply(ns, await example('reconfigure/pgpool/2-new-configuration.yaml'));
    await apply(ns, await example('reconfigure/pgpool/3-reconfigure-config.yaml'));
    const configured = await waitForObject<any, any>(kind('Pgpool').opsRequest, ns, 'ppops-reconfigure', (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined), 120_000);
    assert.equal(configured.status.phase, 'Successful', JSON.stringify(configured.status.conditions));
  },
  (name, n) => edited('reconfigure/pgpool/4-reconfigure-apply.yaml', [['name: ppops-reconfigure-apply\n', `name: ${name}\n`], ['max_pool = 75', `max_pool = ${75 + n}`], ['timeout: 5m', 'timeout: 20s']]),
);

reconfigureMatrix(
  'a ProxySQL Reconfigure (variables)',
  'ProxySQL',
  'proxy-server',
  async (ns) => {
    await apply(ns, await example('reconfigure-proxysql/1-proxysql.yaml'));
    await ready('ProxySQL', ns, 'proxy-server');
    await ready('MySQL', ns, 'mysql-server');
  },
  async (name, n) =>
    (await edited('reconfigure-proxysql/8-variables.yaml', [['name: reconfigure-vars\n', `name: ${name}\n`], ['refresh_interval: 2055', `refresh_interval: ${2055 + n}`], ['max_stmts_per_connection: 19', `max_stmts_per_connection: ${19 + n}`]])) + '  timeout: 20s\n',
  false,
);
