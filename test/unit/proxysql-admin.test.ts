// The ProxySQL stand-in's admin interface: who may log in from where, and the admin commands, against
// the real program on 127.0.0.1 (clients bound to 127.0.0.2 to come "from another host").
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql, { type Connection } from 'mysql2/promise';
import { freePort, isRunning, readGreeting, runStandIn, type Running } from '../../tools/proxysql/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxysql-admin-'));
let adminPort = 0;
let proxy: Running;

// mysql2 takes localAddress but does not bind with it, so the socket is made here.
const connect = (user: string, password: string, from = '127.0.0.1', port = adminPort) =>
  mysql.createConnection({ user, password, stream: () => tcpConnect({ host: '127.0.0.1', port, localAddress: from }) });

async function refusal(promise: Promise<Connection>): Promise<{ errno?: number; sqlState?: string; message: string }> {
  try {
    const conn = await promise;
    await conn.end();
  } catch (err) {
    return err as { errno?: number; sqlState?: string; message: string };
  }
  throw new Error('the login was accepted');
}

describe('admin interface', () => {
  let admin: Connection;
  const query = async (sql: string) => (await admin.query(sql))[0] as Record<string, string>[];

  before(async () => {
    adminPort = await freePort();
    const config = join(dir, 'proxysql.cnf');
    // KubeDB's shape: the cluster user is also one of the admin credentials.
    writeFileSync(
      config,
      `admin_variables = { admin_credentials="admin:admin;cluster:clusterpass"  cluster_username="cluster"  cluster_password="clusterpass"
                           mysql_ifaces="127.0.0.1:${adminPort}" }
       mysql_variables = { interfaces="127.0.0.1:${await freePort()}"  server_version="8.0.35" }`,
    );
    const r = await runStandIn(['-f', '-c', config, '-D', dir]);
    if (!isRunning(r)) throw new Error(r.log);
    proxy = r;
    admin = await connect('admin', 'admin');
  });
  after(async () => {
    await admin?.end();
    if (proxy) await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('admin logs in from 127.0.0.1 and the greeting carries mysql-server_version', async () => {
    assert.equal((await readGreeting(adminPort)).serverVersion, '8.0.35');
    assert.deepEqual(await query('select @@version_comment limit 1'), [{ '@@version_comment': '(ProxySQL Admin Module)' }]);
  });

  test("admin is refused from any other host with ProxySQL's error, after its password is checked", async () => {
    const err = await refusal(connect('admin', 'admin', '127.0.0.2'));
    assert.equal(err.errno, 1040);
    assert.equal(err.sqlState, '42000');
    assert.equal(err.message, "User 'admin' can only connect locally");
    const wrong = await refusal(connect('admin', 'nope', '127.0.0.2'));
    assert.equal(wrong.errno, 1045);
    assert.equal(wrong.message, "ProxySQL Error: Access denied for user 'admin'@'127.0.0.2' (using password: YES)");
  });

  test('the cluster user (listed in admin_credentials) logs in from another host', async () => {
    const cluster = await connect('cluster', 'clusterpass', '127.0.0.2');
    const [rows] = await cluster.query("SELECT variable_value FROM global_variables WHERE variable_name='admin-cluster_username'");
    assert.deepEqual(rows, [{ variable_value: 'cluster' }]);
    await cluster.end();
  });

  test('a wrong password or an unknown user is denied with 1045 28000', async () => {
    const err = await refusal(connect('cluster', 'wrong'));
    assert.equal(err.errno, 1045);
    assert.equal(err.sqlState, '28000');
    assert.equal(err.message, "ProxySQL Error: Access denied for user 'cluster'@'127.0.0.1' (using password: YES)");
    assert.equal((await refusal(connect('nobody', ''))).message, "ProxySQL Error: Access denied for user 'nobody'@'127.0.0.1' (using password: NO)");
  });

  test('admin-admin_credentials takes effect at LOAD ADMIN VARIABLES TO RUNTIME; cluster_username alone is no login', async () => {
    await query("SET admin-admin_credentials='admin:admin;ops:opspass'");
    await query("SET admin-cluster_username='cluster2'");
    await query("SET admin-cluster_password='c2pass'");
    await refusal(connect('ops', 'opspass', '127.0.0.2'));
    await query('LOAD ADMIN VARIABLES TO RUNTIME');
    const ops = await connect('ops', 'opspass', '127.0.0.2');
    await ops.end();
    await refusal(connect('cluster', 'clusterpass', '127.0.0.2'));
    await refusal(connect('cluster2', 'c2pass', '127.0.0.2'));
    await query("SET admin-admin_credentials='admin:admin;cluster:clusterpass'");
    await query('LOAD ADMIN VARIABLES FROM MEMORY');
  });

  test("SET on an unknown variable answers OK with ProxySQL's message and changes nothing", async () => {
    const [result] = await admin.query("SET mysql-no_such_thing='1'");
    assert.equal((result as { info: string }).info, "ERROR: Unknown global variable: 'mysql-no_such_thing'.");
    assert.deepEqual(await query("SELECT * FROM global_variables WHERE variable_name='mysql-no_such_thing'"), []);
  });

  test('SHOW VARIABLES [LIKE], SHOW TABLES, SHOW DATABASES and SELECT @@<variable>', async () => {
    assert.deepEqual(await query("SHOW VARIABLES LIKE 'admin-refresh%'"), [{ Variable_name: 'admin-refresh_interval', Value: '2000' }]);
    assert.ok((await query('show variables')).some((r) => r.Variable_name === 'mysql-have_ssl' && r.Value === 'false'));
    assert.deepEqual(
      (await query('SHOW TABLES')).map((r) => r.tables),
      ['global_variables', 'mysql_query_rules', 'mysql_servers', 'mysql_users', 'runtime_global_variables', 'runtime_mysql_query_rules', 'runtime_mysql_servers', 'runtime_mysql_users'],
    );
    assert.ok(!(await query('SHOW TABLES FROM disk')).some((r) => r.tables?.startsWith('runtime_')));
    assert.deepEqual(
      (await query('SHOW DATABASES')).map((r) => r.name),
      ['main', 'disk'],
    );
    assert.deepEqual(await query('SELECT @@mysql-server_version'), [{ '@@mysql-server_version': '8.0.35' }]);
    assert.deepEqual(await query('SELECT @@version'), [{ '@@version': '8.0.35' }]);
  });

  test("SQLite's errors come back as ProxySQL Admin Error 1045, and the session goes on", async () => {
    await assert.rejects(admin.query('SELEC 1'), (err: { errno: number; sqlState: string; message: string }) => {
      assert.equal(err.errno, 1045);
      assert.equal(err.sqlState, '28000');
      assert.equal(err.message, 'ProxySQL Admin Error: near "SELEC": syntax error');
      return true;
    });
    await assert.rejects(admin.query("INSERT INTO mysql_users (username, active) VALUES ('x', 7)"), /ProxySQL Admin Error: CHECK constraint failed/);
    assert.deepEqual(await query('SELECT 1 AS one'), [{ one: '1' }]);
  });

  test('admin-mysql_ifaces moves the admin interface at LOAD ADMIN VARIABLES TO RUNTIME; open sessions stay', async () => {
    const moved = await freePort();
    await query(`SET admin-mysql_ifaces='127.0.0.1:${moved}'`);
    await query('LOAD ADMIN VARIABLES TO RUNTIME');
    let other: Connection | undefined;
    for (let i = 0; i < 50 && !other; i++) {
      other = await connect('admin', 'admin', '127.0.0.1', moved).catch(async () => {
        await new Promise((r) => setTimeout(r, 20));
        return undefined;
      });
    }
    assert.ok(other, 'the admin interface listens on the new port');
    await other.end();
    await assert.rejects(connect('admin', 'admin'), /ECONNREFUSED/);
    assert.deepEqual(await query('SELECT 1 AS still'), [{ still: '1' }]);
  });
});
