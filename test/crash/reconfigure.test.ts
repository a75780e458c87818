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
const none = async () => new Map<string, number>();

crashMatrix({
  title: 'a MySQL Reconfigure (applyConfig)',
  opsRequest: kind('MySQL').opsRequest,
  database: kind('MySQL').database,
  databaseName: 'sample-mysql',
  async setUp(ns) {
    await apply(ns, await example('reconfigure/mysql/1-mysql.yaml'));
    await ready('MySQL', ns, 'sample-mysql');
  },
  apply: async (ns, name, n) =>
    apply(ns, (await example('reconfigure/mysql/4-reconfigure-apply.yaml')).replace('name: myops-reconfigure-apply\n', `name: ${name}\n`).replace('max_connections = 300', `max_connections = ${300 + n}`) + '  timeout: 20s\n'),
  counters: none,
  restartsPods: true,
  only: reconfigureActivities,
});

crashMatrix({
  title: 'a PerconaXtraDB Reconfigure (applyConfig)',
  opsRequest: kind('PerconaXtraDB').opsRequest,
  database: kind('PerconaXtraDB').database,
  databaseName: 'sample-pxc',
  async setUp(ns) {
    await apply(ns, await example('reconfigure/perconaxtradb/1-perconaxtradb.yaml'));
    await ready('PerconaXtraDB', ns, 'sample-pxc');
  },
  apply: async (ns, name, n) =>
    apply(
      ns,
      (await example('reconfigure/perconaxtradb/4-reconfigure-apply.yaml')).replace('name: pxops-reconfigure-apply-config\n', `name: ${name}\n`).replace('max_connections = 230', `max_connections = ${230 + n}`) + '  timeout: 20s\n',
    ),
  counters: none,
  restartsPods: true,
  only: reconfigureActivities,
});

crashMatrix({
  title: 'a Pgpool Reconfigure (applyConfig)',
  opsRequest: kind('Pgpool').opsRequest,
  database: kind('Pgpool').database,
  databaseName: 'pp-custom',
  async setUp(ns) {
    await apply(ns, await example('reconfigure/pgpool/1-pgpool.yaml'));
    await ready('Pgpool', ns, 'pp-custom');
    // As the guide goes: a configSecret first, then the applyConfig merged over it.
    await apply(ns, await example('reconfigure/pgpool/2-new-configuration.yaml'));
    await apply(ns, await example('reconfigure/pgpool/3-reconfigure-config.yaml'));
    const configured = await waitForObject<any, any>(kind('Pgpool').opsRequest, ns, 'ppops-reconfigure', (o) => (['Successful', 'Failed'].includes(o?.status?.phase) ? o : undefined), 120_000);
    assert.equal(configured.status.phase, 'Successful', JSON.stringify(configured.status.conditions));
  },
  apply: async (ns, name, n) =>
    apply(
      ns,
      (await example('reconfigure/pgpool/4-reconfigure-apply.yaml'))
        .replace('name: ppops-reconfigure-apply\n', `name: ${name}\n`)
        .replace('max_pool = 75', `max_pool = ${75 + n}`)
        .replace('timeout: 5m', 'timeout: 20s'),
    ),
  counters: none,
  restartsPods: true,
  only: reconfigureActivities,
});

crashMatrix({
  title: 'a ProxySQL Reconfigure (variables)',
  opsRequest: kind('ProxySQL').opsRequest,
  database: kind('ProxySQL').database,
  databaseName: 'proxy-server',
  async setUp(ns) {
    await apply(ns, await example('reconfigure-proxysql/1-proxysql.yaml'));
    await ready('ProxySQL', ns, 'proxy-server');
    await ready('MySQL', ns, 'mysql-server');
  },
  apply: async (ns, name, n) =>
    apply(
      ns,
      (await example('reconfigure-proxysql/8-variables.yaml'))
        .replace('name: reconfigure-vars\n', `name: ${name}\n`)
        .replace('refresh_interval: 2055', `refresh_interval: ${2055 + n}`)
        .replace('max_stmts_per_connection: 19', `max_stmts_per_connection: ${19 + n}`) + '  timeout: 20s\n',
    ),
  counters: none,
  restartsPods: false,
  only: reconfigureActivities,
});
