import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PlanFacts } from '../../model/planner.ts';
import { renderPlan } from '../../client/cli/plan-view.ts';
import { planRequest } from '../../model/planner.ts';
import type { Plan } from '../../model/plan.ts';
import { profiles } from '../../model/profiles.ts';
import { validateSpec } from '../../model/validation.ts';
import type { OpsRequest } from '../../model/types.ts';

const ops = (configuration: unknown, apply?: string): OpsRequest => ({
  metadata: { name: 'reconf', namespace: 'demo' },
  spec: { type: 'Reconfigure', proxyRef: { name: 'proxy-server' }, configuration: configuration as Record<string, unknown>, ...(apply ? { apply } : {}) },
});

describe('validateSpec: ProxySQL Reconfigure refuses, naming the field', () => {
  const cases: [string, unknown, string, RegExp][] = [
    ['no configuration', undefined, 'spec.configuration', /is required when spec.type is Reconfigure/],
    ['nothing asked', {}, 'spec.configuration', /asks for nothing/],
    ['a forbidden mysql variable', { mysqlVariables: { interfaces: '0.0.0.0:3306' } }, 'spec.configuration.mysqlVariables.interfaces', /mysql-interfaces cannot be changed/],
    ['a forbidden p2s variable', { mysqlVariables: { ssl_p2s_key: '/x' } }, 'spec.configuration.mysqlVariables.ssl_p2s_key', /cannot be changed/],
    ['admin credentials', { adminVariables: { admin_credentials: 'a:b' } }, 'spec.configuration.adminVariables.admin_credentials', /admin-admin_credentials cannot be changed/],
    ['an unknown variable', { mysqlVariables: { max_connectionz: 10 } }, 'spec.configuration.mysqlVariables.max_connectionz', /mysql-max_connectionz is not a ProxySQL variable/],
    ['a prefixed name', { mysqlVariables: { 'mysql-max_connections': 10 } }, 'spec.configuration.mysqlVariables.mysql-max_connections', /without its prefix: max_connections/],
    ['an integer out of range', { mysqlVariables: { max_stmts_per_connection: 5000 } }, 'spec.configuration.mysqlVariables.max_stmts_per_connection', /5000 is out of range \(1–1024\)/],
    ['not an integer', { adminVariables: { refresh_interval: 'soon' } }, 'spec.configuration.adminVariables.refresh_interval', /"soon" is not a whole number/],
    ['not a boolean', { mysqlVariables: { have_ssl: 'yes' } }, 'spec.configuration.mysqlVariables.have_ssl', /"yes" is not a boolean/],
    ['an unknown reqType', { mysqlUsers: { users: [{ username: 'a' }], reqType: 'upsert' } }, 'spec.configuration.mysqlUsers.reqType', /"upsert" is invalid; use add, update or delete/],
    ['no users', { mysqlUsers: { users: [], reqType: 'add' } }, 'spec.configuration.mysqlUsers.users', /at least one entry/],
    ['a user without username', { mysqlUsers: { users: [{ active: 1 }], reqType: 'add' } }, 'spec.configuration.mysqlUsers.users[0].username', /is required/],
    ['a password given', { mysqlUsers: { users: [{ username: 'a', password: 'p' }], reqType: 'add' } }, 'spec.configuration.mysqlUsers.users[0].password', /from the backend MySQL/],
    ['an unknown column', { mysqlUsers: { users: [{ username: 'a', colour: 'red' }], reqType: 'add' } }, 'spec.configuration.mysqlUsers.users[0].colour', /not a column of mysql_users/],
    ['a flag of 2', { mysqlUsers: { users: [{ username: 'a', use_ssl: 2 }], reqType: 'update' } }, 'spec.configuration.mysqlUsers.users[0].use_ssl', /2 is out of range \(0–1\)/],
    ['a user twice', { mysqlUsers: { users: [{ username: 'a' }, { username: 'a' }], reqType: 'add' } }, 'spec.configuration.mysqlUsers.users[1].username', /listed twice/],
    ['a delete with columns', { mysqlUsers: { users: [{ username: 'a', active: 0 }], reqType: 'delete' } }, 'spec.configuration.mysqlUsers.users[0]', /a delete names only the username/],
    ['a rule without rule_id', { mysqlQueryRules: { rules: [{ active: 1 }], reqType: 'add' } }, 'spec.configuration.mysqlQueryRules.rules[0].rule_id', /"rule_id" missing/],
    ['rule_id 0', { mysqlQueryRules: { rules: [{ rule_id: 0 }], reqType: 'delete' } }, 'spec.configuration.mysqlQueryRules.rules[0].rule_id', /"rule_id" missing or not a whole number ≥ 1/],
    ['an unknown rule column', { mysqlQueryRules: { rules: [{ rule_id: 4, matchdigest: 'x' }], reqType: 'add' } }, 'spec.configuration.mysqlQueryRules.rules[0].matchdigest', /not a column of mysql_query_rules/],
  ];
  for (const [name, configuration, field, words] of cases) {
    test(name, () => {
      const got = validateSpec(profiles.ProxySQL, ops(configuration));
      assert.equal(got.ok, false, JSON.stringify(got));
      if (got.ok) return;
      assert.equal(got.field, field);
      assert.ok(got.message.startsWith(field), got.message);
      assert.match(got.message, words);
    });
  }
  test("a MySQL Reconfigure is not checked as ProxySQL's", () => {
    const got = validateSpec(profiles.MySQL, { ...ops({}), spec: { type: 'Reconfigure', databaseRef: { name: 'db' }, configuration: { mysqlUsers: {} } } });
    assert.deepEqual(got.ok ? undefined : got.field, 'spec.configuration.mysqlUsers');
  });
});

describe('validateSpec: KubeDB guide requests are accepted', () => {
  const guide: unknown[] = [
    { mysqlUsers: { users: [{ username: 'testA', active: 1, default_hostgroup: 2 }, { username: 'testB', active: 1, default_hostgroup: 2 }], reqType: 'add' } },
    { mysqlUsers: { users: [{ username: 'testA', active: 0, default_hostgroup: 3 }], reqType: 'update' } },
    { mysqlUsers: { users: [{ username: 'testA' }], reqType: 'delete' } },
    { mysqlQueryRules: { rules: [{ rule_id: 4, active: 1, match_digest: '^SELECT .* FOR DELETE$', destination_hostgroup: 2, apply: 1 }], reqType: 'add' } },
    { mysqlQueryRules: { rules: [{ rule_id: 4, active: 0 }], reqType: 'update' } },
    { adminVariables: { refresh_interval: 2055, cluster_check_interval_ms: 205 }, mysqlVariables: { max_transaction_time: 1540000, max_stmts_per_connection: 19 } },
    { mysqlUsers: { users: [{ username: 'test', use_ssl: 1 }], reqType: 'update' } },
  ];
  for (const [i, c] of guide.entries()) test(`request ${i + 1}`, () => assert.deepEqual(validateSpec(profiles.ProxySQL, ops(c)), { ok: true }));
});

const proxy = { apiVersion: 'kubedb.com/v1', kind: 'ProxySQL', metadata: { name: 'proxy-server', namespace: 'demo', uid: 'u' }, spec: { backend: { name: 'mysql-server' } } };
function facts(configuration: unknown, more: Partial<NonNullable<PlanFacts['proxysql']>> = {}, spec: Record<string, unknown> = {}): PlanFacts {
  return {
    ops: ops(configuration),
    database: { ...proxy, spec: { ...proxy.spec, ...spec } },
    certificates: [],
    issuers: [],
    pods: [],
    proxysql: {
      pods: ['proxy-server-1', 'proxy-server-0', 'proxy-server-2'].map((name) => ({ name, users: [{ username: 'root', active: 1 }], rules: [{ rule_id: 1 }] })),
      backendUsers: ['testA', 'testB', 'root'],
      backend: 'demo/mysql-server',
      ...more,
    },
  };
}
const planOf = (f: PlanFacts): Plan => {
  const got = planRequest(profiles.ProxySQL, f);
  assert.ok(got.ok, JSON.stringify(got));
  return got.plan;
};

describe('planReconfigureProxySQL', () => {
  test('each part on each pod in ordinal order (undo: back from disk), the object updated, then saved to disk; no pause, no restart', () => {
    const plan = planOf(facts({ mysqlUsers: { users: [{ username: 'testA', active: 1 }], reqType: 'add' }, mysqlVariables: { max_stmts_per_connection: 19 } }));
    assert.deepEqual(plan.steps.map((s) => [s.step.kind, s.step.condition, s.undo?.kind ?? '-']), [
      ['waitReady', 'DatabaseReady', '-'],
      ['configureProxySQL', 'ReconfigureMySQLUsers--proxy-server-0', 'revertProxySQL'],
      ['configureProxySQL', 'ReconfigureMySQLVariables--proxy-server-0', 'revertProxySQL'],
      ['configureProxySQL', 'ReconfigureMySQLUsers--proxy-server-1', 'revertProxySQL'],
      ['configureProxySQL', 'ReconfigureMySQLVariables--proxy-server-1', 'revertProxySQL'],
      ['configureProxySQL', 'ReconfigureMySQLUsers--proxy-server-2', 'revertProxySQL'],
      ['configureProxySQL', 'ReconfigureMySQLVariables--proxy-server-2', 'revertProxySQL'],
      ['updateDatabase', 'UpdateDatabase', 'updateDatabase'],
      ['saveProxySQL', 'SaveProxySQLConfiguration', '-'],
    ]);
    assert.equal(plan.type, 'Reconfigure');
    const step = plan.steps[2]!.step;
    assert.deepEqual(step.kind === 'configureProxySQL' && step.part, { table: 'mysqlVariables', values: { max_stmts_per_connection: '19' } });
    assert.doesNotMatch(JSON.stringify(plan), /password/, 'no password anywhere in the plan');
  });
  test('the declarative configuration merges by username, rule_id and name (spec.configuration.init.inline)', () => {
    const inline = { mysqlUsers: [{ username: 'testA', active: 1, default_hostgroup: 2 }], mysqlVariables: { max_connections: '100' } };
    const plan = planOf(facts({ mysqlUsers: { users: [{ username: 'testA', active: 0 }], reqType: 'update' }, mysqlVariables: { max_stmts_per_connection: 19 } }, { pods: [{ name: 'proxy-server-0', users: [{ username: 'testA' }], rules: [] }] }, { configuration: { init: { inline } } }));
    const update = plan.steps.find((s) => s.step.kind === 'updateDatabase')!;
    assert.deepEqual(update.step.kind === 'updateDatabase' && update.step.patch, {
      configuration: { init: { inline: { mysqlUsers: [{ username: 'testA', active: 0, default_hostgroup: 2 }], mysqlVariables: { max_connections: '100', max_stmts_per_connection: '19' } } } },
    });
    assert.deepEqual(update.undo?.kind === 'updateDatabase' && update.undo.patch, { configuration: { init: { inline } } });
  });
  test('an older object keeps its configuration in spec.initConfig; a delete removes the row', () => {
    const plan = planOf(facts({ mysqlQueryRules: { rules: [{ rule_id: 1 }], reqType: 'delete' } }, {}, { initConfig: { mysqlQueryRules: [{ rule_id: 1, active: 1 }, { rule_id: 2 }] } }));
    const update = plan.steps.find((s) => s.step.kind === 'updateDatabase')!;
    assert.deepEqual(update.step.kind === 'updateDatabase' && update.step.patch, { initConfig: { mysqlQueryRules: [{ rule_id: 2 }] } });
  });
  const rejections: [string, unknown, Partial<NonNullable<PlanFacts['proxysql']>>, string, RegExp][] = [
    ['a user the backend lacks', { mysqlUsers: { users: [{ username: 'testA' }, { username: 'ghost' }], reqType: 'add' } }, {}, 'spec.configuration.mysqlUsers.users[1].username', /the backend MySQL demo\/mysql-server has no user "ghost"/],
    ['adding a user that is there', { mysqlUsers: { users: [{ username: 'root' }], reqType: 'add' } }, {}, 'spec.configuration.mysqlUsers.users[0].username', /"root" is already in mysql_users of proxy-server-\d; use reqType update/],
    ['updating a user that is not', { mysqlUsers: { users: [{ username: 'testB', active: 0 }], reqType: 'update' } }, {}, 'spec.configuration.mysqlUsers.users[0].username', /"testB" is not in mysql_users of proxy-server-\d, so it cannot be updated/],
    ['adding a rule_id in use', { mysqlQueryRules: { rules: [{ rule_id: 1 }], reqType: 'add' } }, {}, 'spec.configuration.mysqlQueryRules.rules[0].rule_id', /1 is already in mysql_query_rules/],
    ['deleting a missing rule', { mysqlQueryRules: { rules: [{ rule_id: 9 }], reqType: 'delete' } }, {}, 'spec.configuration.mysqlQueryRules.rules[0].rule_id', /9 is not in mysql_query_rules of proxy-server-\d, so it cannot be deleted/],
    ['a user on one pod only', { mysqlUsers: { users: [{ username: 'testA' }], reqType: 'delete' } }, { pods: [{ name: 'proxy-server-0', users: [{ username: 'testA' }], rules: [] }, { name: 'proxy-server-1', users: [], rules: [] }] }, 'spec.configuration.mysqlUsers.users[0].username', /not in mysql_users of proxy-server-1/],
    ['no running pod', { mysqlVariables: { max_connections: 5 } }, { pods: [] }, 'spec.proxyRef', /has no running pod/],
  ];
  for (const [name, configuration, more, field, words] of rejections) {
    test(`refuses ${name}, before any pod is changed`, () => {
      const got = planRequest(profiles.ProxySQL, facts(configuration, more));
      assert.equal(got.ok, false, JSON.stringify(got));
      if (got.ok) return;
      assert.equal(got.field, field);
      assert.match(got.message, words);
    });
  }
});

describe("opsflow plan's dry run of a ProxySQL Reconfigure", () => {
  test('each pod and part in order, then the save, no restart and no password', () => {
    const f = facts({ mysqlUsers: { users: [{ username: 'testA', active: 1 }], reqType: 'add' }, mysqlVariables: { max_stmts_per_connection: 19 } });
    const text = renderPlan(profiles.ProxySQL, f, planOf(f));
    const lines = text.split('\n');
    const from = lines.findIndex((l) => l.startsWith("ProxySQL's admin interface, pod by pod"));
    assert.deepEqual(lines.slice(from + 1, from + 8), [
      '  proxy-server-0: mysqlUsers add 1 row ({"username":"testA","active":1})',
      '  proxy-server-0: mysqlVariables max_stmts_per_connection=19',
      '  proxy-server-1: mysqlUsers add 1 row ({"username":"testA","active":1})',
      '  proxy-server-1: mysqlVariables max_stmts_per_connection=19',
      '  proxy-server-2: mysqlUsers add 1 row ({"username":"testA","active":1})',
      '  proxy-server-2: mysqlVariables max_stmts_per_connection=19',
      '  then saved to disk on proxy-server-0, proxy-server-1, proxy-server-2: from here on the change stays',
    ]);
    assert.doesNotMatch(text, /Restart order|password/);
  });
});
