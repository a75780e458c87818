import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { profiles, type DatabaseKind } from '../../model/profiles.ts';
import { restartPlan, type PodFacts } from '../../model/restart-plan.ts';

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
