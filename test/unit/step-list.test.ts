// The step list `opsflow status` and `watch` show: the plan's steps in order with each pod on a line of its own,
// states and durations from the OpsRequest's conditions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stepLines } from '../../client/cli/step-list.ts';
import type { Plan } from '../../model/plan.ts';
import type { OpsRequest } from '../../model/types.ts';

const plan: Plan = {
  database: { kind: 'MySQL', namespace: 'demo', name: 'my-db' },
  summary: 'rotate the certificates',
  type: 'ReconfigureTLS',
  done: { message: 'done' },
  steps: [
    { step: { kind: 'pause', condition: 'DatabasePauseSucceeded', label: 'Pause the database' } },
    { step: { kind: 'restartPods', condition: 'RestartPods', label: 'Restart the pods', certificates: true, expected: [{ pod: 'my-db-1', role: 'standby' }, { pod: 'my-db-0', role: 'primary' }] } },
    { step: { kind: 'resume', condition: 'ResumeDatabase', label: 'Resume the database' } },
  ],
};
const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
const ops = (phase: string, conditions: [string, 'True' | 'False', number, string?][]): OpsRequest => ({
  metadata: { name: 'r', namespace: 'demo', creationTimestamp: at(0) },
  status: { phase: phase as 'Progressing', conditions: conditions.map(([type, status, s, reason]) => ({ type, status, reason, lastTransitionTime: at(s), message: type === 'GetPod--my-db-1' ? 'my-db-1 (standby) is next' : `${type} message` })) },
});

test('in the plan\'s order, each pod before the step that sums them up, durations from one condition to the next', () => {
  const lines = stepLines(ops('Progressing', [['DatabasePauseSucceeded', 'True', 2], ['GetPod--my-db-1', 'True', 3], ['EvictPod--my-db-1', 'True', 4], ['CheckPodRunning--my-db-1', 'True', 7]]), plan);
  assert.deepEqual(lines.map((l) => [l.label, l.state, l.durationMs, l.pod?.role]), [
    ['Pause the database', 'done', 2000, undefined],
    ['Restart my-db-1', 'done', 5000, 'standby'],
    ['Restart my-db-0', 'running', undefined, 'primary'],
    ['Restart the pods', 'pending', undefined, undefined],
    ['Resume the database', 'pending', undefined, undefined],
  ]);
});

test('a pod the run chose first comes first, whatever the plan expected; a failed step waiting for a retry says so', () => {
  const lines = stepLines(ops('Progressing', [['DatabasePauseSucceeded', 'True', 1], ['GetPod--my-db-0', 'True', 2], ['EvictPod--my-db-0', 'False', 3, 'WaitingForRetry']]), plan);
  assert.deepEqual(lines.slice(1, 3).map((l) => [l.label, l.state]), [['Restart my-db-0', 'waiting'], ['Restart my-db-1', 'pending']]);
  assert.equal(lines[1].message, 'EvictPod--my-db-0 message');
});

test('without the plan: the conditions in the order they happened', () => {
  const lines = stepLines(ops('Failed', [['Running', 'True', 1], ['DatabasePauseSucceeded', 'True', 2], ['IssueCertificatesSucceeded', 'False', 5], ['Failed', 'True', 6]]));
  assert.deepEqual(lines.map((l) => [l.label, l.state, l.durationMs]), [['DatabasePauseSucceeded', 'done', 1000], ['IssueCertificatesSucceeded', 'failed', 3000]]);
});
