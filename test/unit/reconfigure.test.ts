import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderPlan } from '../../client/cli/plan-view.ts';
import { configHash, configHashAnnotation } from '../../model/config-hash.ts';
import { appliedConfigSecretName, validateCustomConfiguration } from '../../model/custom-config.ts';
import { checkOptionFile, mergeOptionFiles } from '../../model/mysql-option-file.ts';
import { checkCustomPgpoolConf, mergePgpoolConf, renderPgpoolConf } from '../../model/pgpool-settings.ts';
import type { PlanFacts } from '../../model/planner.ts';
import { planRequest } from '../../model/planner.ts';
import { profiles } from '../../model/profiles.ts';

describe('MySQL option files', () => {
  test('what the server reads passes; each kind of mistake names its line', () => {
    assert.deepEqual(checkOptionFile('# mine\n[mysqld]\nmax_connections = 200\nskip-name-resolve\n!includedir /etc/x/\n\n[client]\nport=3306\n'), { ok: true });
    assert.deepEqual(checkOptionFile('max_connections = 200\n'), { ok: false, line: 1, message: 'is an option before any [group] header; put it under one, e.g. [mysqld]' });
    assert.deepEqual(checkOptionFile('[mysqld\nx = 1'), { ok: false, line: 1, message: 'is not a group header: write [mysqld]' });
    assert.equal(checkOptionFile('[mysqld]\n= 5').ok, false);
    assert.equal(checkOptionFile('[mysqld]\n!source x').ok, false);
  });
  test('merged by group and option: replaced where it stands, new options after the last of their group, new groups at the end; the rest kept as written', () => {
    const base = '# tuned\n[mysqld]\nmax_connections = 200\nread_buffer_size = 1048576\n\n[client]\nport = 3306\n';
    const over = '[mysqld]\nmax-connections = 230\ninnodb_log_buffer_size = 17408000\n[mysqldump]\nquick\n';
    assert.equal(
      mergeOptionFiles(base, over),
      '# tuned\n[mysqld]\nmax-connections = 230\nread_buffer_size = 1048576\ninnodb_log_buffer_size = 17408000\n\n[client]\nport = 3306\n[mysqldump]\nquick\n',
    );
  });
});

describe("Pgpool's pgpool.conf", () => {
  test('settings pass; a line that is not one, and the keys opsflow owns, are refused', () => {
    assert.deepEqual(checkCustomPgpoolConf("max_pool = 60\n# a comment\nchild_life_time = '300'   # seconds\n"), { ok: true });
    assert.deepEqual(checkCustomPgpoolConf('max_pool 60'), { ok: false, line: 1, message: 'is not a setting: write name = value (a string in single quotes)' });
    assert.match(JSON.stringify(checkCustomPgpoolConf("max_pool = 1\nbackend_hostname0 = 'x'")), /"line":2.*sets backend_hostname0, which cannot be set here: the backends come from spec.postgresRef/);
    assert.match(JSON.stringify(checkCustomPgpoolConf('ssl = on')), /TLS is set by a ReconfigureTLS request/);
    assert.match(JSON.stringify(checkCustomPgpoolConf('port = 5433')), /the ports are the Services'/);
  });
  test('merged key by key; rendered as KubeDB renders it: backends, the custom keys, then the defaults it leaves (max_pool = replicas × 15)', () => {
    assert.equal(mergePgpoolConf('max_pool = 60\nnum_init_children = 5\n', 'max_pool = 75'), 'max_pool = 60\nnum_init_children = 5\n'.replace('60', '75'));
    const db = { metadata: { name: 'pp', namespace: 'demo' }, spec: { postgresRef: { name: 'ha-postgres' } } };
    const plain = renderPgpoolConf(profiles.Pgpool, db, 2).split('\n');
    assert.equal(plain[0], "backend_hostname0 = 'ha-postgres.demo.svc'");
    assert.ok(plain.includes('max_pool = 30'));
    const custom = renderPgpoolConf(profiles.Pgpool, db, 2, 'max_pool = 60\n').split('\n');
    assert.equal(custom[8], 'max_pool = 60', 'the custom keys right after the backends');
    assert.equal(custom.filter((l) => l.startsWith('max_pool')).length, 1, 'the default max_pool gone');
  });
});

describe('validateCustomConfiguration: refused as KubeDB refuses, naming the field', () => {
  const cases: [string, keyof typeof profiles, unknown, string, RegExp][] = [
    ['no configuration', 'MySQL', undefined, 'spec.configuration', /is required when spec.type is Reconfigure/],
    ['nothing asked', 'MySQL', { restart: 'auto' }, 'spec.configuration', /asks for nothing/],
    ['a field of ProxySQL', 'MySQL', { mysqlUsers: {} }, 'spec.configuration.mysqlUsers', /is not a field of a MySQL Reconfigure/],
    ['configSecret without a name', 'MySQL', { configSecret: {} }, 'spec.configuration.configSecret.name', /is required/],
    ['remove and configSecret', 'Pgpool', { removeCustomConfig: true, configSecret: { name: 'x' } }, 'spec.configuration', /contradict each other/],
    ['two at once for PerconaXtraDB', 'PerconaXtraDB', { configSecret: { name: 'x' }, applyConfig: { 'a.cnf': '[mysqld]\n' } }, 'spec.configuration', /one of configSecret, applyConfig, removeCustomConfig at a time/],
    ['restart maybe', 'MySQL', { removeCustomConfig: true, restart: 'maybe' }, 'spec.configuration.restart', /"maybe" is invalid; use auto/],
    ['an empty applyConfig', 'MySQL', { applyConfig: {} }, 'spec.configuration.applyConfig', /names no file/],
    ['a file that is not .cnf', 'MySQL', { applyConfig: { 'my.ini': '[mysqld]\n' } }, 'spec.configuration.applyConfig.my.ini', /does not end in .cnf/],
    ['a .cnf that does not parse', 'PerconaXtraDB', { applyConfig: { 'a.cnf': 'max_connections = 5' } }, 'spec.configuration.applyConfig.a.cnf', /line 1 is an option before any \[group\] header/],
    ['a file Pgpool does not take', 'Pgpool', { applyConfig: { 'pool_hba.conf': 'host all all 0.0.0.0/0 trust' } }, 'spec.configuration.applyConfig.pool_hba.conf', /Pgpool takes one custom file, pgpool.conf/],
    ['a key Pgpool does not let be set', 'Pgpool', { applyConfig: { 'pgpool.conf': 'ssl = on' } }, 'spec.configuration.applyConfig.pgpool.conf', /line 1 sets ssl, which cannot be set here/],
    ['content that is not text', 'MySQL', { applyConfig: { 'a.cnf': 5 } }, 'spec.configuration.applyConfig.a.cnf', /is not text/],
  ];
  for (const [name, kind, configuration, field, words] of cases) {
    test(name, () => {
      const got = validateCustomConfiguration(profiles[kind], configuration as never);
      assert.equal(got.ok, false, JSON.stringify(got));
      if (got.ok) return;
      assert.equal(got.field, field);
      assert.ok(got.message.startsWith(field), got.message);
      assert.match(got.message, words);
    });
  }
  test("KubeDB's guide requests pass", () => {
    assert.deepEqual(validateCustomConfiguration(profiles.PerconaXtraDB, { applyConfig: { 'new-px-config.cnf': '[mysqld]\nmax_connections = 230\n', 'innodb-config.cnf': '[mysqld]\ninnodb_log_buffer_size = 17408000\n' } }), { ok: true });
    assert.deepEqual(validateCustomConfiguration(profiles.Pgpool, { applyConfig: { 'pgpool.conf': 'max_pool = 75' }, configSecret: { name: 'x' } }), { ok: true });
    assert.deepEqual(validateCustomConfiguration(profiles.MySQL, { removeCustomConfig: true }), { ok: true });
  });
});

const template = (volumes: unknown[] = [], mounts: unknown[] = []) => ({ metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'mysql', image: 'kubedb/mysql', volumeMounts: mounts }], volumes } });
const mysqlFacts = (configuration: unknown, more: Partial<PlanFacts> = {}): PlanFacts => ({
  ops: { metadata: { name: 'r', namespace: 'demo', uid: 'u1' }, spec: { type: 'Reconfigure', databaseRef: { name: 'db' }, configuration: configuration as Record<string, unknown> } },
  database: { apiVersion: 'kubedb.com/v1alpha2', kind: 'MySQL', metadata: { name: 'db', namespace: 'demo', uid: 'd1' }, spec: { configSecret: { name: 'old' } } },
  certificates: [],
  issuers: [],
  workload: { kind: 'StatefulSet', name: 'db', template: template([{ name: 'custom-config', secret: { secretName: 'old' } }], [{ name: 'custom-config', mountPath: '/etc/mysql/conf.d', readOnly: true }]) as never },
  pods: [
    { name: 'db-0', uid: 'a', role: 'primary' },
    { name: 'db-1', uid: 'b', role: 'standby' },
    { name: 'db-2', uid: 'c', role: 'standby' },
  ],
  customConfig: { current: { 'my.cnf': '[mysqld]\nmax_connections = 200\n' } },
  ...more,
});

describe('planReconfigure', () => {
  test('configSecret: paused, the template mounts the new Secret, the spec names it, standbys then the primary restart, resumed', () => {
    const got = planRequest(profiles.MySQL, mysqlFacts({ configSecret: { name: 'new' } }, { customConfig: { current: { 'my.cnf': '[mysqld]\n' }, named: { 'new.cnf': '[mysqld]\nmax_connections = 250\n' } } }));
    assert.ok(got.ok, JSON.stringify(got));
    assert.deepEqual(got.plan.steps.map((s) => [s.step.kind, s.step.condition, s.undo?.kind ?? '-']), [
      ['waitReady', 'DatabaseReady', '-'],
      ['pause', 'DatabasePauseSucceeded', 'resume'],
      ['setCustomConfig', 'UpdateStatefulSets', 'setCustomConfig'],
      ['updateDatabase', 'UpdateDatabase', 'updateDatabase'],
      ['restartPods', 'RestartPods', '-'],
      ['resume', 'ResumeDatabase', '-'],
    ]);
    const set = got.plan.steps[2]!;
    assert.deepEqual(set.step.kind === 'setCustomConfig' && [set.step.secretName, set.undo?.kind === 'setCustomConfig' && set.undo.secretName], ['new', 'old']);
    const spec = got.plan.steps[3]!;
    assert.deepEqual(spec.step.kind === 'updateDatabase' && spec.step.patch, { configSecret: { name: 'new' } });
    const restart = got.plan.steps[4]!.step;
    assert.deepEqual(restart.kind === 'restartPods' && restart.expected.map((p) => p.pod), ['db-1', 'db-2', 'db-0']);
    assert.doesNotMatch(JSON.stringify(got.plan), /max_connections/, 'no file content in the plan');
  });
  test('applyConfig: a Secret the database owns is written first (undo: deleted), named by a digest of the merged files', () => {
    const got = planRequest(profiles.MySQL, mysqlFacts({ applyConfig: { 'my.cnf': '[mysqld]\nmax_connections = 300\n' } }));
    assert.ok(got.ok, JSON.stringify(got));
    const write = got.plan.steps.find((s) => s.step.kind === 'createConfigSecret')!;
    assert.equal(write.step.condition, 'PrepareCustomConfig');
    assert.match(write.step.kind === 'createConfigSecret' ? write.step.secretName : '', /^db-custom-config-[0-9a-f]{8}$/);
    assert.equal(write.step.kind === 'createConfigSecret' && write.step.base, 'old');
    assert.equal(write.undo?.kind, 'deleteConfigSecret');
    assert.doesNotMatch(JSON.stringify(got.plan), /max_connections/, 'the files stay out of the plan: the activity reads them from the OpsRequest');
  });
  test('restart: false changes the configuration without restarting; true restarts although nothing else changes', () => {
    const noRestart = planRequest(profiles.MySQL, mysqlFacts({ removeCustomConfig: true, restart: 'false' }));
    assert.ok(noRestart.ok && !noRestart.plan.steps.some((s) => s.step.kind === 'restartPods'));
    assert.match(noRestart.ok ? noRestart.plan.done.message : '', /when they next restart/);
    // The same Secret again, the pods already on it (the template carries the hash of its files).
    const files = { 'my.cnf': '[mysqld]\nmax_connections = 200\n' };
    const onIt = mysqlFacts({ configSecret: { name: 'old' } }, { customConfig: { current: files, named: files } });
    onIt.workload!.template.metadata!.annotations = { [configHashAnnotation]: configHash(files) };
    const auto = planRequest(profiles.MySQL, onIt);
    assert.deepEqual(auto.ok ? undefined : [auto.field, /nothing to change/.test(auto.message)], ['spec.configuration', true]);
    const forced = planRequest(profiles.MySQL, { ...onIt, ops: { ...onIt.ops, spec: { ...onIt.ops.spec!, configuration: { configSecret: { name: 'old' }, restart: 'true' } } } });
    assert.ok(forced.ok, JSON.stringify(forced));
    assert.deepEqual(forced.plan.steps.map((s) => s.step.kind), ['waitReady', 'pause', 'setCustomConfig', 'restartPods', 'resume']);
  });
  const refusals: [string, unknown, Partial<PlanFacts>, string, RegExp][] = [
    ['a configSecret that does not exist', { configSecret: { name: 'ghost' } }, { customConfig: { named: null } }, 'spec.configuration.configSecret.name', /there is no Secret demo\/ghost: create it first/],
    ['a configSecret whose file does not parse', { configSecret: { name: 'bad' } }, { customConfig: { named: { 'x.cnf': 'oops' } } }, 'spec.configuration.configSecret.name', /Secret demo\/bad key x.cnf: line 1 is an option before any \[group\]/],
    ['removing a configuration there is not', { removeCustomConfig: true }, { database: { kind: 'MySQL', metadata: { name: 'db', namespace: 'demo' }, spec: {} }, customConfig: {} }, 'spec.configuration.removeCustomConfig', /has no custom configuration to remove/],
  ];
  for (const [name, configuration, more, field, words] of refusals) {
    test(`refuses ${name}`, () => {
      const got = planRequest(profiles.MySQL, mysqlFacts(configuration, more));
      assert.equal(got.ok, false, JSON.stringify(got));
      if (got.ok) return;
      assert.equal(got.field, field);
      assert.match(got.message, words);
    });
  }
  test('applied again after it failed midway (the configuration already in place, pods behind): restarts those pods', () => {
    const files = { 'new.cnf': '[mysqld]\nmax_connections = 250\n' };
    const facts = mysqlFacts({ configSecret: { name: 'new' } }, { customConfig: { current: files, named: files } });
    facts.database.spec = { configSecret: { name: 'new' } };
    facts.workload = { kind: 'StatefulSet', name: 'db', updateRevision: 'r2', template: template([{ name: 'custom-config', secret: { secretName: 'new' } }], [{ name: 'custom-config', mountPath: '/etc/mysql/conf.d', readOnly: true }]) as never };
    facts.workload.template.metadata!.annotations = { [configHashAnnotation]: configHash(files) };
    facts.pods = facts.pods.map((pod) => ({ ...pod, revision: pod.name === 'db-1' ? 'r2' : 'r1' }));
    const got = planRequest(profiles.MySQL, facts);
    assert.ok(got.ok, JSON.stringify(got));
    assert.deepEqual(got.plan.steps.map((s) => s.step.kind), ['waitReady', 'pause', 'restartPods', 'resume']);
    facts.pods = facts.pods.map((pod) => ({ ...pod, revision: 'r2' }));
    assert.equal(planRequest(profiles.MySQL, facts).ok, false, 'every pod on it: nothing to change');
  });
  test('an applyConfig whose merge is the Secret the database already names writes nothing, and its undo cannot delete it', () => {
    const files = { 'my.cnf': '[mysqld]\nmax_connections = 200\n' };
    const name = appliedConfigSecretName('db', files);
    const facts = mysqlFacts({ applyConfig: { 'my.cnf': '[mysqld]\nmax_connections = 200\n' }, restart: 'true' }, { customConfig: { current: files } });
    facts.database.spec = { configSecret: { name } };
    const got = planRequest(profiles.MySQL, facts);
    assert.ok(got.ok, JSON.stringify(got));
    assert.ok(!got.plan.steps.some((s) => s.step.kind === 'createConfigSecret'));
  });
  test('a current configuration that does not parse: an applyConfig is refused, naming the Secret and line, not quoting it', () => {
    const got = planRequest(profiles.MySQL, mysqlFacts({ applyConfig: { 'my.cnf': '[mysqld]\nmax_connections = 300\n' } }, { customConfig: { current: { 'my.cnf': '[mysqld]\npassword hunter2 = x\n' } } }));
    assert.equal(got.ok, false);
    assert.match(got.ok ? '' : got.message, /^spec\.configuration\.applyConfig: the database's custom configuration, Secret demo\/old key my\.cnf: line 2 is not an option/);
    assert.doesNotMatch(got.ok ? '' : got.message, /hunter2/);
  });
  test("the dry run shows the steps, and no file's content", () => {
    const facts = mysqlFacts({ applyConfig: { 'my.cnf': '[mysqld]\nmax_connections = 300\n' } });
    const got = planRequest(profiles.MySQL, facts);
    assert.ok(got.ok);
    const text = renderPlan(profiles.MySQL, facts, got.plan);
    assert.match(text, /PrepareCustomConfig/);
    assert.match(text, /Restart order/);
    assert.doesNotMatch(text, /max_connections/);
  });
});
