// The ProxySQL stand-in's three configuration layers (memory, runtime, disk), the commands that move
// configuration between them, and what a restart reads, against the real program on 127.0.0.1.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import mysql from 'mysql2/promise';
import { freePort, isRunning, runStandIn, type Running } from '../../tools/proxysql/harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'proxysql-layers-'));
const config = join(dir, 'proxysql.cnf');
let adminPort = 0;
let mysqlPort = 0;
let proxy: Running;

const cnf = (userComment: string) => `
datadir="${dir}"
admin_variables = { admin_credentials="admin:admin"  mysql_ifaces="127.0.0.1:${adminPort}" }
mysql_variables = { interfaces="127.0.0.1:${mysqlPort}"  max_connections=2048  threads=4 }
mysql_users = ( { username="app"  password="apppass"  default_hostgroup=2  comment="${userComment}" } )
mysql_query_rules = ( { rule_id=1  active=1  match_digest="^SELECT"  destination_hostgroup=3  apply=1 } )
mysql_servers = ( { address="db-0.example"  port=3306  hostgroup=2 } )
`;

async function start(...args: string[]): Promise<Running> {
  const r = await runStandIn(['-f', '-c', config, ...args]);
  if (!isRunning(r)) throw new Error(`the stand-in exited with ${r.code}:\n${r.log}`);
  return r;
}

async function admin<T = Record<string, string | null>[]>(sql: string): Promise<T> {
  const conn = await mysql.createConnection({ host: '127.0.0.1', port: adminPort, user: 'admin', password: 'admin' });
  try {
    return (await conn.query(sql))[0] as T;
  } finally {
    await conn.end();
  }
}

const value = async (sql: string) => Object.values((await admin(sql))[0] ?? {})[0];

describe('configuration layers', () => {
  before(async () => {
    adminPort = await freePort();
    mysqlPort = await freePort();
    writeFileSync(config, cnf('from the file'));
    proxy = await start();
  });
  after(async () => {
    if (proxy) await proxy.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the first start puts the config file into memory, runtime and disk', async () => {
    for (const table of ['mysql_users', 'runtime_mysql_users', 'disk.mysql_users']) {
      assert.equal(await value(`SELECT comment FROM ${table} WHERE username='app'`), 'from the file', table);
    }
    assert.equal(await value("SELECT hostname FROM runtime_mysql_servers WHERE hostgroup_id=2"), 'db-0.example');
    assert.equal(await value('SELECT destination_hostgroup FROM disk.mysql_query_rules WHERE rule_id=1'), '3');
    assert.equal(await value("SELECT variable_value FROM runtime_global_variables WHERE variable_name='mysql-max_connections'"), '2048');
    // A variable ProxySQL's defaults fill in, and one the config file gave that the stand-in does not know
    // (deleted from memory when loaded to runtime, as ProxySQL does with unknown variables).
    assert.equal(await value("SELECT variable_value FROM global_variables WHERE variable_name='mysql-max_stmts_per_connection'"), '20');
    assert.equal((await admin("SELECT * FROM global_variables WHERE variable_name='mysql-threads'")).length, 0);
    assert.match(proxy.log(), /Impossible to set not existing variable threads with value "4"\. Deleting/);
  });

  test('a change in memory is not at runtime until LOAD ... TO RUNTIME, and not on disk until SAVE ... TO DISK', async () => {
    await admin("UPDATE mysql_users SET comment='changed' WHERE username='app'");
    assert.equal(await value("SELECT comment FROM runtime_mysql_users WHERE username='app'"), 'from the file');
    assert.equal(await value("SELECT comment FROM disk.mysql_users WHERE username='app'"), 'from the file');
    await admin('LOAD MYSQL USERS TO RUNTIME');
    assert.equal(await value("SELECT comment FROM runtime_mysql_users WHERE username='app'"), 'changed');
    assert.equal(await value("SELECT comment FROM disk.mysql_users WHERE username='app'"), 'from the file');
    await admin('SAVE MYSQL USERS TO DISK');
    assert.equal(await value("SELECT comment FROM disk.mysql_users WHERE username='app'"), 'changed');
  });

  test("ProxySQL's other spellings of the same moves, in any case, with extra blanks and a trailing ';'", async () => {
    await admin("UPDATE mysql_servers SET weight=7");
    await admin('load  mysql servers   from memory ;');
    assert.equal(await value('SELECT weight FROM runtime_mysql_servers'), '7');
    await admin("UPDATE mysql_servers SET weight=8");
    await admin('LOAD MYSQL SERVERS TO RUN');
    assert.equal(await value('SELECT weight FROM runtime_mysql_servers'), '8');
    await admin('save mysql servers from mem');
    assert.equal(await value('SELECT weight FROM disk.mysql_servers'), '8');
    await admin("UPDATE mysql_servers SET weight=9");
    await admin('Save Mysql Servers To Memory'); // runtime -> memory
    assert.equal(await value('SELECT weight FROM mysql_servers'), '8');
    await admin("UPDATE mysql_servers SET weight=10");
    await admin('LOAD MYSQL SERVERS TO MEM'); // disk -> memory
    assert.equal(await value('SELECT weight FROM mysql_servers'), '8');
  });

  test('LOAD ... FROM DISK puts back into memory what disk has; SAVE ... FROM RUNTIME what runtime has', async () => {
    await admin("DELETE FROM mysql_query_rules");
    await admin('LOAD MYSQL QUERY RULES FROM DISK');
    assert.equal(await value('SELECT COUNT(*) FROM mysql_query_rules'), '1');
    await admin("INSERT INTO mysql_query_rules (rule_id, active, match_pattern, apply) VALUES (2, 0, '^UPDATE', 1)");
    await admin('LOAD MYSQL QUERY RULES TO RUNTIME');
    // Only active rules reach runtime.
    assert.deepEqual((await admin('SELECT rule_id FROM runtime_mysql_query_rules')).map((r) => r.rule_id), ['1']);
    await admin('SAVE MYSQL QUERY RULES FROM RUNTIME');
    assert.equal(await value('SELECT COUNT(*) FROM mysql_query_rules'), '1');
  });

  test('writing into a runtime_ table changes nothing: it is rewritten from runtime when read', async () => {
    await admin("UPDATE runtime_mysql_users SET comment='hacked'");
    assert.equal(await value("SELECT comment FROM runtime_mysql_users WHERE username='app'"), 'changed');
  });

  test('LOAD MYSQL VARIABLES TO RUNTIME keeps refused values out of runtime and resets them in memory', async () => {
    await admin("UPDATE global_variables SET variable_value='yes' WHERE variable_name='mysql-have_ssl'");
    await admin("UPDATE global_variables SET variable_value='0' WHERE variable_name='mysql-max_connections'");
    await admin("UPDATE global_variables SET variable_value='19' WHERE variable_name='mysql-max_stmts_per_connection'");
    await admin("INSERT INTO global_variables VALUES ('mysql-made_up', '1')");
    await admin('LOAD MYSQL VARIABLES TO RUNTIME');
    const runtime = async (name: string) => value(`SELECT variable_value FROM runtime_global_variables WHERE variable_name='${name}'`);
    const memory = async (name: string) => value(`SELECT variable_value FROM global_variables WHERE variable_name='${name}'`);
    assert.equal(await runtime('mysql-have_ssl'), 'false');
    assert.equal(await memory('mysql-have_ssl'), 'false');
    assert.equal(await runtime('mysql-max_connections'), '2048');
    assert.equal(await memory('mysql-max_connections'), '2048');
    assert.equal(await runtime('mysql-max_stmts_per_connection'), '19');
    assert.equal(await memory('mysql-made_up'), undefined);
    assert.match(proxy.log(), /Impossible to set variable have_ssl with value "yes"\. Resetting to current "false"\./);
    assert.match(proxy.log(), /Impossible to set variable max_connections with value "0"\. Resetting to current "2048"\./);
    // A boolean given as 1 is true at runtime; memory keeps what was written until SAVE ... FROM RUNTIME.
    await admin("UPDATE global_variables SET variable_value='1' WHERE variable_name='mysql-have_ssl'");
    await admin('LOAD MYSQL VARIABLES TO RUNTIME');
    assert.equal(await runtime('mysql-have_ssl'), 'true');
    assert.equal(await memory('mysql-have_ssl'), '1');
    await admin('SAVE MYSQL VARIABLES FROM RUNTIME');
    assert.equal(await memory('mysql-have_ssl'), 'true');
    await admin("SET mysql-have_ssl='false'");
    await admin('LOAD MYSQL VARIABLES TO RUNTIME');
  });

  test('LOAD ... FROM CONFIG reads the file into memory (and nothing further)', async () => {
    writeFileSync(config, cnf('from the edited file'));
    await admin('LOAD MYSQL USERS FROM CONFIG');
    assert.equal(await value("SELECT comment FROM mysql_users WHERE username='app'"), 'from the edited file');
    assert.equal(await value("SELECT comment FROM runtime_mysql_users WHERE username='app'"), 'changed');
    await admin('LOAD MYSQL USERS FROM DISK');
  });

  test('a restart keeps what was saved, drops what was not, and ignores the config file', async () => {
    await admin("UPDATE mysql_users SET comment='not saved' WHERE username='app'");
    await admin("UPDATE global_variables SET variable_value='777' WHERE variable_name='mysql-max_connections'");
    await admin('SAVE MYSQL VARIABLES TO DISK');
    writeFileSync(config, cnf('from the file after the restart'));
    assert.equal((await proxy.stop()).code, 0);
    proxy = await start();
    assert.equal(await value("SELECT comment FROM mysql_users WHERE username='app'"), 'changed');
    assert.equal(await value("SELECT comment FROM runtime_mysql_users WHERE username='app'"), 'changed');
    assert.equal(await value("SELECT variable_value FROM runtime_global_variables WHERE variable_name='mysql-max_connections'"), '777');
    assert.match(proxy.log(), /the config file is not read/);
  });

  test('--initial reads the config file again and keeps the old database aside', async () => {
    assert.equal((await proxy.stop()).code, 0);
    proxy = await start('--initial');
    assert.equal(await value("SELECT comment FROM runtime_mysql_users WHERE username='app'"), 'from the file after the restart');
    assert.equal(await value("SELECT comment FROM disk.mysql_users WHERE username='app'"), 'from the file after the restart');
    assert.equal(await value("SELECT variable_value FROM runtime_global_variables WHERE variable_name='mysql-max_connections'"), '2048');
    assert.ok(existsSync(join(dir, 'proxysql.db.bak')));
  });
});
