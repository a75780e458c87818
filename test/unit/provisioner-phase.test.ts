import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Condition } from '../../model/types.ts';
import { desiredStatus, mergeConditions, type Readiness } from '../../tools/kubedb-provisioner/phase.ts';

const subject = 'MySQL: demo/my';
const readiness = (ready: number, replicas = 3, extra: Partial<Readiness> = {}): Readiness => ({
  subject,
  generation: 2,
  replicas,
  ready,
  ...extra,
});
const provisioned: Condition = {
  type: 'Provisioned',
  status: 'True',
  reason: 'DatabaseSuccessfullyProvisioned',
  message: `The ${subject} is successfully provisioned.`,
  observedGeneration: 1,
  lastTransitionTime: '2026-01-01T00:00:00Z',
};
const statusOf = (conditions: Condition[], type: string) => conditions.find((c) => c.type === type)?.status;

describe('phase from pod readiness', () => {
  const cases: [string, Readiness, Condition[], string][] = [
    ['no pod Ready yet, never was', readiness(0), [], 'Provisioning'],
    ['all replicas Ready', readiness(3), [], 'Ready'],
    ['some but not all Ready', readiness(1), [], 'Critical'],
    ['some Ready after having been Ready', readiness(2), [provisioned], 'Critical'],
    ['none Ready after having been Ready', readiness(0), [provisioned], 'NotReady'],
    ['Ready again', readiness(3), [provisioned], 'Ready'],
    ['single replica Ready', readiness(1, 1), [], 'Ready'],
    ['waiting for Secrets, nothing running', readiness(0, 3, { waitingFor: 'certificate Secrets a, b' }), [], 'Provisioning'],
  ];
  for (const [name, r, existing, phase] of cases) {
    test(name, () => assert.equal(desiredStatus(r, existing, '2026-02-02T00:00:00Z').phase, phase));
  }
});

describe('conditions', () => {
  const now = '2026-02-02T00:00:00Z';

  test('all Ready: every condition True with KubeDB reasons, observedGeneration from the database', () => {
    const { conditions, observedGeneration } = desiredStatus(readiness(3), [], now);
    assert.equal(observedGeneration, 2);
    assert.deepEqual(
      conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration, c.lastTransitionTime]),
      [
        ['ProvisioningStarted', 'True', 'DatabaseProvisioningStartedSuccessfully', 2, now],
        ['ReplicaReady', 'True', 'AllReplicasReady', 2, now],
        ['AcceptingConnection', 'True', 'DatabaseAcceptingConnectionRequest', 2, now],
        ['Ready', 'True', 'ReadinessCheckSucceeded', 2, now],
        ['Provisioned', 'True', 'DatabaseSuccessfullyProvisioned', 2, now],
      ],
    );
  });

  test('nothing Ready, never was: False conditions and no Provisioned', () => {
    const { conditions } = desiredStatus(readiness(0), [], now);
    assert.deepEqual(conditions.map((c) => [c.type, c.status]), [
      ['ProvisioningStarted', 'True'],
      ['ReplicaReady', 'False'],
      ['AcceptingConnection', 'False'],
      ['Ready', 'False'],
    ]);
    assert.equal(conditions[1].message, '0 of 3 replicas are ready.');
  });

  test('what it waits for is in the ReplicaReady message', () => {
    const { conditions } = desiredStatus(readiness(0, 3, { waitingFor: 'certificate Secrets my-server-cert' }), [], now);
    assert.equal(
      conditions.find((c) => c.type === 'ReplicaReady')!.message,
      '0 of 3 replicas are ready. Waiting for certificate Secrets my-server-cert.',
    );
  });

  test("other writers' conditions are kept as they are, in their places", () => {
    const paused: Condition = { type: 'Paused', status: 'True', reason: 'OpsRequest', message: 'by opsflow' };
    const other: Condition = { type: 'Custom', status: 'False' };
    const existing = [paused, { ...provisioned }, other];
    const { conditions } = desiredStatus(readiness(3), existing, now);
    assert.deepEqual(conditions[0], paused);
    assert.equal(conditions[1].type, 'Provisioned');
    assert.deepEqual(conditions[2], other);
    assert.deepEqual(conditions.slice(3).map((c) => c.type), ['ProvisioningStarted', 'ReplicaReady', 'AcceptingConnection', 'Ready']);
  });

  test('lastTransitionTime moves only when the status changes', () => {
    const first = desiredStatus(readiness(3), [], '2026-01-01T00:00:00Z').conditions;
    const later = mergeConditions(first, desiredStatus(readiness(2), first, now).conditions, now);
    const time = (type: string) => later.find((c) => c.type === type)!.lastTransitionTime;
    assert.equal(time('ProvisioningStarted'), '2026-01-01T00:00:00Z');
    assert.equal(time('AcceptingConnection'), '2026-01-01T00:00:00Z');
    assert.equal(time('ReplicaReady'), now);
    assert.equal(time('Ready'), now);
    assert.equal(statusOf(later, 'ReplicaReady'), 'False');
  });

  test('the same readiness twice gives the same status (no write loop)', () => {
    const first = desiredStatus(readiness(1), [], '2026-01-01T00:00:00Z');
    assert.deepEqual(desiredStatus(readiness(1), first.conditions, now), first);
  });
});
