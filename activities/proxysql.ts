// A ProxySQL's admin interface (port 6032 of each pod), reached with the cluster user of the ProxySQL's auth
// Secret: read its tables, change one in memory and load it to runtime (then read runtime back), put it back
// from disk, save to disk. Users' passwords come from the backend MySQL as the mysql_native_password hash
// ProxySQL stores; credentials and hashes stay inside these functions and never enter workflow history.
import { ApplicationFailure } from '@temporalio/common';
import mysql from 'mysql2/promise';
import { authSecretName } from '../model/auth.ts';
import type { ProxySQLPart, ProxySQLTable } from '../model/plan.ts';
import type { ProxySQLFacts } from '../model/planner-proxysql.ts';
import { labelSelector, podSelectorLabels, profiles, roleLabel } from '../model/profiles.ts';
import { userColumns, ruleColumns, type Row } from '../model/proxysql-config.ts';
import type { Database } from '../model/types.ts';
import type { Kube } from '../platform/kube.ts';
import { podEndpoint } from '../platform/pod-endpoint.ts';
import { readCustom } from '../platform/status.ts';
import { kubeCall } from './failures.ts';
import type { DatabaseRef } from './refs.ts';
import { databaseResource } from './resources.ts';

const adminPort = 6032;
const mysqlPort = 3306;

const tableName: Record<ProxySQLTable, string> = {
  mysqlUsers: 'mysql_users',
  mysqlQueryRules: 'mysql_query_rules',
  mysqlVariables: 'global_variables',
  adminVariables: 'global_variables',
};
/** The name ProxySQL's LOAD and SAVE commands give each table. */
const module: Record<ProxySQLTable, string> = {
  mysqlUsers: 'MYSQL USERS',
  mysqlQueryRules: 'MYSQL QUERY RULES',
  mysqlVariables: 'MYSQL VARIABLES',
  adminVariables: 'ADMIN VARIABLES',
};
const prefix = (table: ProxySQLTable) => (table === 'mysqlVariables' ? 'mysql-' : 'admin-');

type Connection = mysql.Connection;

export async function credentials(kube: Kube, db: Database): Promise<{ user: string; password: string }> {
  const secret = await kube.core.readNamespacedSecret({ namespace: db.metadata.namespace!, name: authSecretName(db) });
  const text = (k: string) => Buffer.from(secret.data?.[k] ?? '', 'base64').toString('utf8');
  return { user: text('username'), password: text('password') };
}

export async function withConnection<T>(options: mysql.ConnectionOptions, what: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  let c: Connection;
  try {
    c = await mysql.createConnection({ ...options, connectTimeout: 5000 });
  } catch (err) {
    throw ApplicationFailure.retryable(`cannot reach ${what}: ${(err as Error).message}`, 'Unreachable');
  }
  try {
    return await fn(c);
  } catch (err) {
    if (err instanceof ApplicationFailure) throw err;
    throw ApplicationFailure.nonRetryable(`${what}: ${(err as Error).message}`, 'AdminCommandFailed');
  } finally {
    await c.end().catch(() => {});
  }
}

const columnsOf = (table: 'mysqlUsers' | 'mysqlQueryRules') => (table === 'mysqlUsers' ? ['username', ...Object.keys(userColumns)] : ['rule_id', ...Object.keys(ruleColumns)]);

async function rows(c: Connection, table: 'mysqlUsers' | 'mysqlQueryRules', runtime = false): Promise<Row[]> {
  const [result] = await c.query(`SELECT ${columnsOf(table).join(', ')} FROM ${runtime ? 'runtime_' : ''}${tableName[table]}`);
  return result as Row[];
}

const proxysql = (kube: Kube, ref: DatabaseRef) => readCustom<Database>(kube, databaseResource(ref));

/** The pod's admin interface, as the ProxySQL's cluster user. */
export async function admin<T>(kube: Kube, ref: DatabaseRef, pod: string, fn: (c: Connection) => Promise<T>): Promise<T> {
  const db = await kubeCall(`reading ProxySQL ${ref.namespace}/${ref.name}`, () => proxysql(kube, ref));
  const [login, endpoint] = await Promise.all([
    kubeCall('reading the ProxySQL auth Secret', () => credentials(kube, db)),
    kubeCall(`reading pod ${ref.namespace}/${pod}`, async () => podEndpoint(await kube.core.readNamespacedPod({ namespace: ref.namespace, name: pod }), adminPort)),
  ]);
  return withConnection({ ...endpoint, ...login }, `the admin interface of ${pod}`, fn);
}

/** The backend MySQL's primary (pod IP, port 3306), as its root user. */
async function backend<T>(kube: Kube, ref: DatabaseRef, fn: (c: Connection, name: string) => Promise<T>): Promise<T> {
    const db = await kubeCall(`reading ProxySQL ${ref.namespace}/${ref.name}`, () => proxysql(kube, ref));
    const name = (db.spec?.backend as { name?: string } | undefined)?.name;
    if (!name) throw ApplicationFailure.nonRetryable(`ProxySQL ${ref.namespace}/${ref.name} names no backend (spec.backend.name)`, 'NoBackend');
    const mysqlRef: DatabaseRef = { kind: 'MySQL', namespace: ref.namespace, name };
    const backendDb = await kubeCall(`reading MySQL ${ref.namespace}/${name}`, () => readCustom<Database>(kube, databaseResource(mysqlRef)));
    const pods = await kubeCall(`listing pods of MySQL ${ref.namespace}/${name}`, () =>
      kube.core.listNamespacedPod({ namespace: ref.namespace, labelSelector: labelSelector(podSelectorLabels(profiles.MySQL, name)) }),
    );
    const primary = pods.items.find((p) => p.metadata?.labels?.[roleLabel] === 'primary') ?? pods.items.find((p) => p.status?.podIP);
    if (!primary) throw ApplicationFailure.retryable(`MySQL ${ref.namespace}/${name} has no pod to read users from`, 'NoBackendPod');
    const login = await kubeCall('reading the backend auth Secret', () => credentials(kube, backendDb));
    return withConnection({ ...podEndpoint(primary, mysqlPort), ...login }, `the backend MySQL ${name}`, (c) => fn(c, `${ref.namespace}/${name}`));
}

/** The mysql_native_password hash of each user the backend has (`*` + upper-case hex of SHA1(SHA1(password))). */
const backendHashes = (kube: Kube, ref: DatabaseRef, users: string[]) =>
  backend(kube, ref, async (c) => {
    const [result] = await c.query('SELECT User AS user, Password AS password, authentication_string AS auth FROM mysql.user WHERE User IN (?)', [users]);
    return new Map((result as { user: string; password: string; auth: string }[]).map((r) => [r.user, [r.password, r.auth].find((h) => /^\*[0-9A-F]{40}$/.test(h ?? '')) ?? '']));
  });

/** What each running pod's tables hold (no passwords), and which of `usernames` the backend has. */
export async function readProxySQLFacts(kube: Kube, ref: DatabaseRef, usernames: string[]): Promise<ProxySQLFacts> {
  const list = await kubeCall(`listing pods of ProxySQL ${ref.namespace}/${ref.name}`, () =>
    kube.core.listNamespacedPod({ namespace: ref.namespace, labelSelector: labelSelector(podSelectorLabels(profiles.ProxySQL, ref.name)) }),
  );
  const running = list.items.filter((p) => p.status?.podIP && !p.metadata?.deletionTimestamp).map((p) => p.metadata!.name!);
  const pods = await Promise.all(
    running.map((pod) => admin(kube, ref, pod, async (c) => ({ name: pod, users: (await rows(c, 'mysqlUsers')).map(({ password: _p, ...r }) => r), rules: await rows(c, 'mysqlQueryRules') }))),
  );
  const found = usernames.length
    ? await backend(kube, ref, async (c, name) => {
        const [result] = await c.query('SELECT DISTINCT User AS user FROM mysql.user WHERE User IN (?)', [usernames]);
        return { users: (result as { user: string }[]).map((r) => r.user), name };
      })
    : { users: [], name: '' };
  return { pods, backendUsers: found.users, backend: found.name };
}

export function proxysqlActivities(kube: Kube) {
  return {
    /** Changes one table of one pod in memory, loads it to runtime and reads runtime back; disk keeps the state before. */
    async configureProxySQL(ref: DatabaseRef, pod: string, part: ProxySQLPart): Promise<string> {
      const hashes = part.table === 'mysqlUsers' && part.reqType === 'add' ? await backendHashes(kube, ref, part.rows.map((r) => String(r.username))) : undefined;
      return admin(kube, ref, pod, async (c) => {
        if ('values' in part) {
          for (const [name, value] of Object.entries(part.values)) {
            const [result] = await c.query('UPDATE global_variables SET variable_value = ? WHERE variable_name = ?', [value, `${prefix(part.table)}${name}`]);
            if ((result as { affectedRows: number }).affectedRows === 0) throw ApplicationFailure.nonRetryable(`${pod} has no variable ${prefix(part.table)}${name}`, 'UnknownVariable');
          }
          await c.query(`LOAD ${module[part.table]} TO RUNTIME`);
          const [runtime] = await c.query('SELECT variable_name AS name, variable_value AS value FROM runtime_global_variables');
          const now = new Map((runtime as { name: string; value: string }[]).map((r) => [r.name, r.value]));
          const kept = Object.entries(part.values).filter(([name, value]) => now.get(`${prefix(part.table)}${name}`) !== value);
          if (kept.length) {
            throw ApplicationFailure.nonRetryable(`${pod} did not take ${kept.map(([n, v]) => `${prefix(part.table)}${n}=${v} (runtime has ${JSON.stringify(now.get(`${prefix(part.table)}${n}`) ?? null)})`).join(', ')}`, 'NotTaken');
          }
          return `${pod}: ${Object.entries(part.values).map(([n, v]) => `${prefix(part.table)}${n}=${v}`).join(', ')} at runtime`;
        }
        const key = part.table === 'mysqlUsers' ? 'username' : 'rule_id';
        const table = tableName[part.table];
        for (const row of part.rows) {
          const { [key]: id, ...columns } = row;
          if (part.reqType === 'delete') {
            await c.query(`DELETE FROM ${table} WHERE ${key} = ?`, [id]);
          } else if (part.reqType === 'update') {
            const names = Object.keys(columns);
            if (names.length) await c.query(`UPDATE ${table} SET ${names.map((n) => `${n} = ?`).join(', ')} WHERE ${key} = ?`, [...names.map((n) => columns[n]), id]);
          } else {
            const values: Record<string, string | number> = { [key]: id, ...columns };
            if (hashes) {
              const hash = hashes.get(String(id));
              if (!hash) throw ApplicationFailure.nonRetryable(`the backend MySQL has no mysql_native_password for user "${id}"`, 'NoBackendUser');
              values.password = hash;
            }
            const names = Object.keys(values);
            await c.query(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, names.map((n) => values[n]));
          }
        }
        await c.query(`LOAD ${module[part.table]} TO RUNTIME`);
        // ProxySQL loads only active users and rules to runtime: an inactive row is right to be missing there.
        const [memory, runtime] = [await rows(c, part.table), await rows(c, part.table, true)];
        for (const row of part.rows) {
          const stored = memory.find((r) => String(r[key]) === String(row[key]));
          const live = runtime.find((r) => String(r[key]) === String(row[key]));
          const expected = part.reqType !== 'delete' && stored !== undefined && Number(stored.active) === 1;
          const wrong = expected ? !live || Object.entries(row).some(([k, v]) => String(live[k]) !== String(v)) : live !== undefined || (part.reqType !== 'delete' && !stored);
          if (wrong) throw ApplicationFailure.nonRetryable(`${pod}: runtime ${table} does not show the change for ${key} ${row[key]}`, 'NotTaken');
        }
        return `${pod}: ${part.reqType} ${part.rows.map((r) => r[key]).join(', ')} in ${table}, at runtime`;
      });
    },

    /** Puts a table of a pod back to what its disk holds, in memory and at runtime. */
    async revertProxySQL(ref: DatabaseRef, pod: string, table: ProxySQLTable): Promise<void> {
      await admin(kube, ref, pod, async (c) => {
        await c.query(`LOAD ${module[table]} FROM DISK`);
        await c.query(`LOAD ${module[table]} TO RUNTIME`);
      });
    },

    /** Saves the tables to disk on each pod. */
    async saveProxySQL(ref: DatabaseRef, pods: string[], tables: ProxySQLTable[]): Promise<string[]> {
      for (const pod of pods) {
        await admin(kube, ref, pod, async (c) => {
          for (const table of new Set(tables)) await c.query(`SAVE ${module[table]} TO DISK`);
        });
      }
      return pods;
    },
  };
}
