import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isConditionTrue, removeCondition, upsertCondition } from '../../model/conditions.ts';
import type { Condition } from '../../model/types.ts';

const t0 = '2026-03-01T10:00:00Z';
const t1 = '2026-03-01T11:00:00Z';
const existing: Condition[] = [
  { type: 'Running', status: 'True', reason: 'Started', lastTransitionTime: t0 },
  { type: 'CertificateSynced', status: 'False', reason: 'Waiting', lastTransitionTime: t0 },
  { type: 'RestartPods', status: 'Unknown', lastTransitionTime: t0 },
];

describe('upsertCondition', () => {
  test('replaces by type in place, keeping the order', () => {
    const out = upsertCondition(existing, { type: 'CertificateSynced', status: 'False', reason: 'StillWaiting' }, t1);
    assert.deepEqual(out.map((c) => c.type), ['Running', 'CertificateSynced', 'RestartPods']);
    assert.equal(out[1].reason, 'StillWaiting');
    assert.equal(out.length, 3);
  });

  test('status unchanged: lastTransitionTime kept', () => {
    const out = upsertCondition(existing, { type: 'CertificateSynced', status: 'False', message: 'again' }, t1);
    assert.equal(out[1].lastTransitionTime, t0);
    assert.equal(out[1].message, 'again');
  });

  test('status changed: lastTransitionTime moves to now', () => {
    const out = upsertCondition(existing, { type: 'CertificateSynced', status: 'True', reason: 'Synced' }, t1);
    assert.deepEqual(out[1], { type: 'CertificateSynced', status: 'True', reason: 'Synced', lastTransitionTime: t1 });
  });

  test('a new type is appended with now', () => {
    const out = upsertCondition(existing, { type: 'Successful', status: 'True' }, t1);
    assert.deepEqual(out.map((c) => c.type), ['Running', 'CertificateSynced', 'RestartPods', 'Successful']);
    assert.equal(out[3].lastTransitionTime, t1);
  });

  test('works on undefined and leaves the input alone', () => {
    assert.deepEqual(upsertCondition(undefined, { type: 'Running', status: 'True' }, t1), [
      { type: 'Running', status: 'True', lastTransitionTime: t1 },
    ]);
    upsertCondition(existing, { type: 'Running', status: 'False' }, t1);
    assert.equal(existing[0].status, 'True');
  });
});

test('removeCondition drops only that type', () => {
  assert.deepEqual(removeCondition(existing, 'CertificateSynced').map((c) => c.type), ['Running', 'RestartPods']);
  assert.deepEqual(removeCondition(existing, 'Paused').length, 3);
  assert.deepEqual(removeCondition(undefined, 'Running'), []);
});

describe('isConditionTrue', () => {
  const cases: [string, boolean][] = [
    ['Running', true],
    ['CertificateSynced', false],
    ['RestartPods', false],
    ['Missing', false],
  ];
  for (const [type, want] of cases) test(`${type} → ${want}`, () => assert.equal(isConditionTrue(existing, type), want));
  test('undefined list → false', () => assert.equal(isConditionTrue(undefined, 'Running'), false));
});
