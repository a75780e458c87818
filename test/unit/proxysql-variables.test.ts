// What the ProxySQL stand-in accepts when a global variable is loaded to runtime (ProxySQL's set_variable()).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultVariables, setVariable } from '../../tools/proxysql/variables.ts';

describe('global variables', () => {
  test("ProxySQL 2.5's defaults for the variables the stand-in knows", () => {
    const d = defaultVariables();
    assert.equal(d.get('mysql-have_ssl'), 'false');
    assert.equal(d.get('mysql-interfaces'), '0.0.0.0:6033');
    assert.equal(d.get('mysql-server_version'), '5.5.30');
    assert.equal(d.get('mysql-max_connections'), '10000');
    assert.equal(d.get('mysql-max_transaction_time'), '14400000');
    assert.equal(d.get('mysql-max_stmts_per_connection'), '20');
    assert.equal(d.get('mysql-monitor_username'), 'monitor');
    assert.equal(d.get('mysql-ssl_p2s_ca'), '(null)');
    assert.equal(d.get('admin-admin_credentials'), 'admin:admin');
    assert.equal(d.get('admin-mysql_ifaces'), '0.0.0.0:6032');
    assert.equal(d.get('admin-refresh_interval'), '2000');
    assert.equal(d.get('admin-cluster_username'), '');
  });

  test('booleans: true/false/1/0 in any case, shown as true/false; anything else is refused', () => {
    for (const [value, shown] of [['TRUE', 'true'], ['1', 'true'], ['false', 'false'], ['0', 'false']]) {
      assert.deepEqual(setVariable('mysql-have_ssl', value as string, 'false'), { ok: true, value: shown });
    }
    for (const value of ['yes', 'on', '', '2']) assert.deepEqual(setVariable('mysql-have_ssl', value, 'false'), { ok: false });
  });

  test("integers are read as C's atoi() reads them and must be in ProxySQL's range", () => {
    assert.deepEqual(setVariable('mysql-max_connections', '1024', '10000'), { ok: true, value: '1024' });
    assert.deepEqual(setVariable('mysql-max_connections', ' 77abc', '10000'), { ok: true, value: '77' });
    assert.deepEqual(setVariable('mysql-max_connections', 'abc', '10000'), { ok: false }); // atoi gives 0, below 1
    assert.deepEqual(setVariable('mysql-max_connections', '1000001', '10000'), { ok: false });
    assert.deepEqual(setVariable('mysql-max_stmts_per_connection', '1024', '20'), { ok: true, value: '1024' });
    assert.deepEqual(setVariable('mysql-max_stmts_per_connection', '1025', '20'), { ok: false });
    assert.deepEqual(setVariable('mysql-max_transaction_time', '999', '14400000'), { ok: false });
    assert.deepEqual(setVariable('admin-refresh_interval', '100', '2000'), { ok: false }); // > 100 and < 100000
    assert.deepEqual(setVariable('admin-refresh_interval', '2055', '2000'), { ok: true, value: '2055' });
  });

  test('strings: the ones ProxySQL needs non-empty, server_version 5.1.30 read as 5.5.30, paths that may be none', () => {
    assert.deepEqual(setVariable('mysql-server_version', '', '5.5.30'), { ok: false });
    assert.deepEqual(setVariable('mysql-server_version', '5.1.30', '5.5.30'), { ok: true, value: '5.5.30' });
    assert.deepEqual(setVariable('mysql-monitor_username', '', 'monitor'), { ok: false });
    assert.deepEqual(setVariable('mysql-monitor_password', '', 'monitor'), { ok: true, value: '' });
    assert.deepEqual(setVariable('admin-admin_credentials', '', 'admin:admin'), { ok: false });
    assert.deepEqual(setVariable('mysql-ssl_p2s_ca', '', '/x'), { ok: true, value: '(null)' });
  });

  test('mysql-interfaces is set once and cannot change afterwards; an unknown variable is refused', () => {
    assert.deepEqual(setVariable('mysql-interfaces', '127.0.0.1:6033', ''), { ok: true, value: '127.0.0.1:6033' });
    assert.deepEqual(setVariable('mysql-interfaces', '127.0.0.1:6033', '127.0.0.1:6033'), { ok: true, value: '127.0.0.1:6033' });
    assert.deepEqual(setVariable('mysql-interfaces', '127.0.0.1:7033', '127.0.0.1:6033'), { ok: false });
    assert.deepEqual(setVariable('mysql-no_such_variable', '1', undefined), { ok: false });
  });
});
