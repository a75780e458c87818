// The libconfig subset the ProxySQL stand-in reads proxysql.cnf with.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigSyntaxError, parseLibconfig } from '../../tools/proxysql/libconfig.ts';

// KubeDB's proxysql.cnf (kubedb/proxysql-docker), trimmed, plus users, rules and servers.
const kubedbConfig = `
datadir="/var/lib/proxysql"

admin_variables=
{
    admin_credentials="admin:admin;cluster1:secret1pass"
    mysql_ifaces="0.0.0.0:6032"
    refresh_interval=2000
    cluster_username="cluster1"
    cluster_mysql_query_rules_save_to_disk=true
}

mysql_variables=
{
    threads=4
    interfaces="0.0.0.0:6033;/tmp/proxysql.sock"
    server_version="8.0.27"
    have_compress=true
}

mysql_users=
(
    { username = "app", password = "pw", default_hostgroup = 2, active = 1 },
    { username = "ro"; password = "*6691484EA6B50DDDE1926A220DA01FA9E575C18A"; use_ssl = 1 }
)

mysql_query_rules:
(
    {
        rule_id=1
        active=1
        match_pattern="^SELECT .* FOR UPDATE$"
        destination_hostgroup=2
        apply=1
    }
)
`;

describe('libconfig parser', () => {
  test("KubeDB's proxysql.cnf: groups, lists of groups, strings, integers and booleans", () => {
    const root = parseLibconfig(kubedbConfig);
    assert.equal(root.datadir, '/var/lib/proxysql');
    assert.deepEqual(root.admin_variables, {
      admin_credentials: 'admin:admin;cluster1:secret1pass',
      mysql_ifaces: '0.0.0.0:6032',
      refresh_interval: 2000n,
      cluster_username: 'cluster1',
      cluster_mysql_query_rules_save_to_disk: true,
    });
    assert.deepEqual(root.mysql_users, [
      { username: 'app', password: 'pw', default_hostgroup: 2n, active: 1n },
      { username: 'ro', password: '*6691484EA6B50DDDE1926A220DA01FA9E575C18A', use_ssl: 1n },
    ]);
    assert.deepEqual(root.mysql_query_rules, [{ rule_id: 1n, active: 1n, match_pattern: '^SELECT .* FOR UPDATE$', destination_hostgroup: 2n, apply: 1n }]);
  });

  test('scalars: booleans in any case, hex and 64-bit integers, floats, escapes and joined strings', () => {
    const root = parseLibconfig(`
      a = TRUE; b = False; c = 0x1F; d = -12; e = 9000000000L; f = 1.5; g = -2e3; h = .5;
      s = "tab\\there \\"q\\" \\\\ \\x41" " joined";
      arr = [1, 2, 3]; empty = ();
    `);
    assert.deepEqual(root, { a: true, b: false, c: 31n, d: -12n, e: 9000000000n, f: 1.5, g: -2000, h: 0.5, s: 'tab\there "q" \\ A joined', arr: [1n, 2n, 3n], empty: [] });
  });

  test('the three kinds of comment, ":" as separator, and nested groups', () => {
    const root = parseLibconfig(`
      # hash comment
      // slash comment
      /* block
         comment */ outer: { inner = { x = 1 } /* after */ }
    `);
    assert.deepEqual(root, { outer: { inner: { x: 1n } } });
  });

  for (const [name, text, line] of [
    ['a duplicate setting', 'a = 1\na = 2', 2],
    ['an unterminated string', 'a = "x\n', 2],
    ['a missing closing brace', 'g = {\n a = 1\n', 3],
    ['a trailing comma in a list', 'l = (1, 2, )', 1],
    ['an @include directive', '@include "other.cnf"', 1],
    ['a value that is not one', 'a = yes', 1],
    ['a missing separator', 'a 1', 1],
  ] as const) {
    test(`refuses ${name}, naming the line`, () => {
      assert.throws(
        () => parseLibconfig(text),
        (err: unknown) => err instanceof ConfigSyntaxError && err.line === line,
      );
    });
  }
});
