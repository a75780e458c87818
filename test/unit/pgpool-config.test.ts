import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { poolHba, withPgpoolTLS } from '../../model/pgpool-config.ts';
import { profiles } from '../../model/profiles.ts';
import type { TLSLayout } from '../../model/tls-layout.ts';

const pgpool = profiles.Pgpool;
const on: TLSLayout = { enabled: true, secrets: { server: 'pp-server-cert' }, requireSSL: false, clientAuthMode: 'md5' };
const off: TLSLayout = { enabled: false, secrets: {}, requireSSL: false, clientAuthMode: 'md5' };

// The default pgpool.conf of KubeDB's Pgpool guide, as the provisioner renders it.
const before = [
  "backend_hostname0 = 'pg.demo.svc'",
  'backend_port0 = 5432',
  'backend_weight0 = 1',
  "backend_flag0 = 'ALWAYS_PRIMARY|DISALLOW_TO_FAILOVER'",
  "backend_hostname1 = 'pg-standby.demo.svc'",
  'backend_port1 = 5432',
  'backend_weight1 = 1',
  "backend_flag1 = 'DISALLOW_TO_FAILOVER'",
  'enable_pool_hba = on',
  'listen_addresses = *',
  'port = 9999',
  "socket_dir = '/var/run/pgpool'",
  'pcp_listen_addresses = *',
  'pcp_port = 9595',
  "pcp_socket_dir = '/var/run/pgpool'",
  'log_per_node_statement = on',
  'sr_check_period = 0',
  'health_check_period = 0',
  "backend_clustering_mode = 'streaming_replication'",
  'num_init_children = 5',
  'max_pool = 15',
  'child_life_time = 300',
  'child_max_connections = 0',
  'connection_life_time = 0',
  'client_idle_limit = 0',
  'connection_cache = on',
  'load_balance_mode = on',
];
const after = [
  "failover_on_backend_error = 'off'",
  "log_min_messages = 'warning'",
  "statement_level_load_balance = 'off'",
  "memory_cache_enabled = 'off'",
  "memqcache_oiddir = '/tmp/oiddir/'",
  "allow_clear_text_frontend_auth = 'false'",
];
const file = (...lines: string[]) => `${lines.join('\n')}\n`;
const sslOn = ['ssl = on', "ssl_cert = '/opt/pgpool-II/tls/tls.crt'", "ssl_key = '/opt/pgpool-II/tls/tls.key'", "ssl_ca_cert = '/opt/pgpool-II/tls/ca.pem'"];
const sslOff = ["ssl = 'off'"];
const guideOff = file(...before, ...sslOff, ...after);
const guideOn = file(...before, ...sslOn, ...after);

describe('withPgpoolTLS', () => {
  const cases: [string, string, TLSLayout, string][] = [
    ["TLS on: ssl = 'off' becomes the ssl block, in place", guideOff, on, guideOn],
    ["TLS off: the ssl block becomes ssl = 'off', in place", guideOn, off, guideOff],
    ['TLS off on a file without TLS: unchanged', guideOff, off, guideOff],
    ['TLS on on a file with TLS: unchanged', guideOn, on, guideOn],
    ['no ssl key at all, on: the block at the end', file(...before, ...after), on, file(...before, ...after, ...sslOn)],
    ['no ssl key at all, off: ssl = off at the end', file(...before), off, file(...before, ...sslOff)],
    [
      'scattered keys: one block where the first stood',
      file('port = 9999', 'ssl = off', 'num_init_children = 5', "ssl_cert = '/old/cert.pem'", 'max_pool = 15', "ssl_ca_cert = '/old/ca.pem'"),
      on,
      file('port = 9999', ...sslOn, 'num_init_children = 5', 'max_pool = 15'),
    ],
    [
      'a first key other than ssl (ssl_key) marks the place',
      file('port = 9999', "ssl_key = '/old/key.pem'", 'ssl = on', 'max_pool = 15'),
      off,
      file('port = 9999', ...sslOff, 'max_pool = 15'),
    ],
    [
      'comments and blank lines are kept, commented-out ssl lines too',
      file('# - pgpool Connection Settings -', '', 'port = 9999', "#ssl = 'on'", '  # ssl_cert = x', "ssl = 'off'", '', '# end'),
      on,
      file('# - pgpool Connection Settings -', '', 'port = 9999', "#ssl = 'on'", '  # ssl_cert = x', ...sslOn, '', '# end'),
    ],
    ['other ssl_* settings stay', file('ssl_ciphers = HIGH', "ssl = 'off'", 'ssl_prefer_server_ciphers = on'), on, file('ssl_ciphers = HIGH', ...sslOn, 'ssl_prefer_server_ciphers = on')],
    ['written without spaces', file('port = 9999', 'ssl=on', "ssl_cert='/x'", 'max_pool = 15'), off, file('port = 9999', ...sslOff, 'max_pool = 15')],
    ['a file without a final newline gets one', `${before.join('\n')}\nssl = 'off'`, on, file(...before, ...sslOn)],
  ];
  for (const [name, conf, layout, want] of cases) test(name, () => assert.equal(withPgpoolTLS(pgpool, conf, layout), want));

  test('the on block has exactly the four keys of the guide', () => {
    const lines = withPgpoolTLS(pgpool, guideOff, on).split('\n');
    assert.deepEqual(lines.filter((l) => /^ssl/.test(l)), sslOn);
    assert.equal(lines.indexOf('ssl = on'), before.length);
  });

  test('off has no ssl_* keys', () => {
    const got = withPgpoolTLS(pgpool, guideOn, off);
    assert.doesNotMatch(got, /^ssl_(cert|key|ca_cert)/m);
    assert.match(got, /^ssl = 'off'$/m);
  });

  const inputs: [string, string][] = [
    ['the guide without TLS', guideOff],
    ['the guide with TLS', guideOn],
    ['a file without ssl keys', file(...before)],
    ['scattered keys', file('ssl = on', 'port = 1', "ssl_key = 'k'")],
  ];
  for (const [name, conf] of inputs) {
    test(`${name}: twice is once`, () => {
      for (const layout of [on, off]) {
        const once = withPgpoolTLS(pgpool, conf, layout);
        assert.equal(withPgpoolTLS(pgpool, once, layout), once);
      }
    });
    test(`${name}: on then off equals off, off then on equals on`, () => {
      assert.equal(withPgpoolTLS(pgpool, withPgpoolTLS(pgpool, conf, on), off), withPgpoolTLS(pgpool, conf, off));
      assert.equal(withPgpoolTLS(pgpool, withPgpoolTLS(pgpool, conf, off), on), withPgpoolTLS(pgpool, conf, on));
    });
  }
});

describe('poolHba', () => {
  const lines = (layout: TLSLayout) => poolHba(layout).trimEnd().split('\n');
  const host = /^host\s+all\s+all\s+0\.0\.0\.0\/0\s+(\S+)$/;
  const hostssl = /^hostssl\s+all\s+all\s+0\.0\.0\.0\/0\s+(\S+)$/;
  const methods = (layout: TLSLayout, re: RegExp) => lines(layout).flatMap((l) => re.exec(l)?.[1] ?? []);

  const cases: [string, TLSLayout, string[], string[]][] = [
    ['md5 without TLS: host md5, no hostssl', off, ['md5'], []],
    ['scram without TLS: scram-sha-256', { ...off, clientAuthMode: 'scram' }, ['scram-sha-256'], []],
    ['no clientAuthMode: md5', { enabled: false, secrets: {}, requireSSL: false }, ['md5'], []],
    ['md5 with TLS: over TLS or not', on, ['md5'], ['md5']],
    ['scram with TLS: scram-sha-256 both', { ...on, clientAuthMode: 'scram' }, ['scram-sha-256'], ['scram-sha-256']],
    ['cert with TLS: hostssl cert only, no plain host line', { ...on, clientAuthMode: 'cert' }, [], ['cert']],
  ];
  for (const [name, layout, wantHost, wantSSL] of cases) {
    test(name, () => {
      assert.deepEqual(methods(layout, host), wantHost);
      assert.deepEqual(methods(layout, hostssl), wantSSL);
    });
  }

  test('local connections are trusted, the file ends with a newline', () => {
    for (const layout of [on, off, { ...on, clientAuthMode: 'cert' }]) {
      assert.ok(lines(layout).some((l) => /^local\s+all\s+all\s+trust$/.test(l)));
      assert.ok(poolHba(layout).endsWith('\n'));
    }
  });

  test('cert with TLS, exactly', () => {
    assert.equal(
      poolHba({ ...on, clientAuthMode: 'cert' }),
      '# TYPE   DATABASE  USER  ADDRESS    METHOD\nlocal    all       all              trust\nhostssl  all       all   0.0.0.0/0  cert\n',
    );
  });
});
