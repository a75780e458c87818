import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { profiles, type DatabaseKind } from '../../model/profiles.ts';
import { needsRestart, nextRestart, restartPlan, type PodFacts, type RestartCandidate, type RestartCriteria } from '../../model/restart-plan.ts';

/** `my-db-1:primary` = pod my-db-1 with that role label; no `:` = no role label. uid = `uid-<name>`. */
const pods = (...specs: string[]): PodFacts[] =>
  specs.map((s) => {
    const [name, role] = s.split(':');
    return { name, uid: `uid-${name}`, role };
  });

const order = (kind: DatabaseKind, input: PodFacts[]) => restartPlan(profiles[kind], input).map((s) => s.pod);

describe('MySQL: standbys by ordinal, primary last', () => {
  const cases: [string, PodFacts[], string[]][] = [
    ['primary first in the list', pods('my-db-0:primary', 'my-db-1:standby', 'my-db-2:standby'), ['my-db-1', 'my-db-2', 'my-db-0']],
    ['ordinals compare as numbers', pods('my-db-10:standby', 'my-db-2:standby', 'my-db-1:primary', 'my-db-9:standby'), ['my-db-2', 'my-db-9', 'my-db-10', 'my-db-1']],
    ['a pod without role label goes with the standbys', pods('my-db-2:primary', 'my-db-1', 'my-db-0:standby'), ['my-db-0', 'my-db-1', 'my-db-2']],
    ['no primary label: ordinal order', pods('my-db-2:standby', 'my-db-0', 'my-db-1:standby'), ['my-db-0', 'my-db-1', 'my-db-2']],
  ];
  for (const [name, input, want] of cases) test(name, () => assert.deepEqual(order('MySQL', input), want));

  test('steps carry uid and why', () => {
    assert.deepEqual(restartPlan(profiles.MySQL, pods('my-db-1:primary', 'my-db-0:standby', 'my-db-2')), [
      { pod: 'my-db-0', uid: 'uid-my-db-0', why: 'standby' },
      { pod: 'my-db-2', uid: 'uid-my-db-2', why: 'no role label' },
      { pod: 'my-db-1', uid: 'uid-my-db-1', why: 'primary, last' },
    ]);
  });
});

describe('ordinal order regardless of roles', () => {
  const input = pods('db-10:standby', 'db-1:primary', 'db-2:standby', 'db-0');
  for (const kind of ['PerconaXtraDB', 'ProxySQL', 'Pgpool'] as const) {
    test(kind, () => {
      const plan = restartPlan(profiles[kind], input);
      assert.deepEqual(plan.map((s) => s.pod), ['db-0', 'db-1', 'db-2', 'db-10']);
      assert.deepEqual(plan.map((s) => s.uid), ['uid-db-0', 'uid-db-1', 'uid-db-2', 'uid-db-10']);
    });
  }
});

/** A pod on `revision`, created at `created` (RFC 3339). */
const candidate = (name: string, revision: string | undefined, created: string, role?: string): RestartCandidate => ({ name, uid: `uid-${name}`, role, revision, created });

describe('needsRestart', () => {
  const issued = '2026-06-01T12:00:00Z';
  const cases: [string, RestartCandidate, RestartCriteria, boolean][] = [
    ['a pod on another revision', candidate('db-0', 'rev-1', '2026-06-01T13:00:00Z'), { updateRevision: 'rev-2', restarted: [] }, true],
    ['a pod without a revision label', candidate('db-0', undefined, '2026-06-01T13:00:00Z'), { updateRevision: 'rev-2', restarted: [] }, true],
    ['a pod on the updateRevision', candidate('db-0', 'rev-2', '2026-06-01T11:00:00Z'), { updateRevision: 'rev-2', restarted: [] }, false],
    ['no updateRevision known, no certificates', candidate('db-0', 'rev-1', '2026-06-01T11:00:00Z'), { restarted: [] }, false],
    ['created before the certificates were issued', candidate('db-0', 'rev-2', '2026-06-01T11:59:59Z'), { updateRevision: 'rev-2', certificatesIssued: issued, restarted: [] }, true],
    ['created in the same second', candidate('db-0', 'rev-2', '2026-06-01T12:00:00Z'), { updateRevision: 'rev-2', certificatesIssued: issued, restarted: [] }, true],
    ['created in the same second, issued with a fraction', candidate('db-0', 'rev-2', '2026-06-01T12:00:00Z'), { certificatesIssued: '2026-06-01T12:00:00.750Z', restarted: [] }, true],
    ['created after the certificates were issued', candidate('db-0', 'rev-2', '2026-06-01T12:00:01Z'), { updateRevision: 'rev-2', certificatesIssued: issued, restarted: [] }, false],
    ['created after, but on another revision', candidate('db-0', 'rev-1', '2026-06-01T12:00:01Z'), { updateRevision: 'rev-2', certificatesIssued: issued, restarted: [] }, true],
    ['already restarted, on another revision', candidate('db-0', 'rev-1', '2026-06-01T11:00:00Z'), { updateRevision: 'rev-2', restarted: ['db-0'] }, false],
    ['already restarted, created before the certificates', candidate('db-0', 'rev-2', '2026-06-01T11:00:00Z'), { certificatesIssued: issued, restarted: ['db-0'] }, false],
    ['another pod restarted: this one still', candidate('db-1', 'rev-1', '2026-06-01T11:00:00Z'), { updateRevision: 'rev-2', restarted: ['db-0', 'db-10'] }, true],
  ];
  for (const [name, pod, criteria, want] of cases) test(name, () => assert.equal(needsRestart(pod, criteria), want));
});

describe('nextRestart', () => {
  const old = '2026-06-01T11:00:00Z';
  const fresh = '2026-06-01T12:30:00Z';
  const mysqlPods = [candidate('my-db-0', 'rev-1', old, 'primary'), candidate('my-db-1', 'rev-1', old, 'standby'), candidate('my-db-2', 'rev-1', old, 'standby')];
  const criteria: RestartCriteria = { updateRevision: 'rev-2', restarted: [] };
  const next = (kind: DatabaseKind, pods: RestartCandidate[], c: RestartCriteria) => nextRestart(profiles[kind], pods, c)?.pod;

  test('MySQL: a standby first', () => assert.equal(next('MySQL', mysqlPods, criteria), 'my-db-1'));
  test('MySQL: the next standby once the first is done', () => {
    const pods = mysqlPods.map((p) => (p.name === 'my-db-1' ? { ...p, revision: 'rev-2', created: fresh } : p));
    assert.equal(next('MySQL', pods, { ...criteria, restarted: ['my-db-1'] }), 'my-db-2');
  });
  test('MySQL: the primary last', () => {
    assert.deepEqual(nextRestart(profiles.MySQL, mysqlPods, { ...criteria, restarted: ['my-db-1', 'my-db-2'] }), { pod: 'my-db-0', uid: 'uid-my-db-0', why: 'primary, last' });
  });
  test('MySQL: the primary moved to my-db-2 meanwhile: my-db-0 (now a standby) goes before it', () => {
    const pods = [candidate('my-db-0', 'rev-1', old, 'standby'), candidate('my-db-1', 'rev-2', fresh, 'standby'), candidate('my-db-2', 'rev-1', old, 'primary')];
    assert.equal(next('MySQL', pods, { ...criteria, restarted: ['my-db-1'] }), 'my-db-0');
  });
  test('MySQL: only those needing it; the primary when the standbys are on the new revision', () => {
    const pods = mysqlPods.map((p) => (p.role === 'standby' ? { ...p, revision: 'rev-2' } : p));
    assert.equal(next('MySQL', pods, criteria), 'my-db-0');
  });
  test('MySQL: by certificates, standby first', () => {
    assert.equal(next('MySQL', mysqlPods, { certificatesIssued: '2026-06-01T12:00:00Z', restarted: [] }), 'my-db-1');
  });
  test('ordinal kinds: the lowest ordinal that needs it', () => {
    const pods = [candidate('pp-2', 'rev-1', old), candidate('pp-0', 'rev-2', fresh), candidate('pp-1', 'rev-1', old)];
    assert.equal(next('Pgpool', pods, criteria), 'pp-1');
  });
  test('none needs it: undefined', () => {
    const pods = mysqlPods.map((p) => ({ ...p, revision: 'rev-2', created: fresh }));
    assert.equal(nextRestart(profiles.MySQL, pods, { ...criteria, certificatesIssued: '2026-06-01T12:00:00Z' }), undefined);
  });
  test('all restarted: undefined', () => {
    assert.equal(nextRestart(profiles.MySQL, mysqlPods, { ...criteria, restarted: ['my-db-0', 'my-db-1', 'my-db-2'] }), undefined);
  });
  test('no pods: undefined', () => assert.equal(nextRestart(profiles.ProxySQL, [], criteria), undefined));
});
