// `opsflow history` reads a run's workflow history: here a recorded run whose eviction of mysql-2 failed twice
// (a PodDisruptionBudget) and was retried with the Update retryFailedStep until it went through, as runs
// called every activity before local activities (regular activities only), and as they call them now.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { parseHistory, stepsOf } from '../../client/cli/run-history.ts';

const recorded = async (name: string) => parseHistory(historyFromJSON(JSON.parse(await readFile(new URL(`../replay/histories/${name}.json`, import.meta.url), 'utf8'))));

for (const [shape, name] of [['regular activities only', 'retried-failed-step'], ['short calls as local activities', 'end-recorded-first.retried-failed-step']]) test(`${shape}: each step with every attempt, the activities of each, the retries asked for, and how the run ended`, async () => {
  const h = await recorded(name);
  assert.ok(h.activities.every((a) => a.endedAt === undefined || a.endedAt >= a.scheduledAt), 'no activity ends before it was scheduled');
  assert.equal(h.activities.some((a) => a.local), name !== 'retried-failed-step');
  assert.equal(h.plan?.summary, 'add TLS with certificates from Issuer/my-issuer');
  assert.equal(h.closed?.status, 'completed');
  assert.equal(h.updates.filter((u) => u.name === 'retryFailedStep').length, 2);
  const { before, steps, top, after } = stepsOf(h);
  assert.deepEqual(before.map((a) => a.type), ['admit', 'awaitTurn', 'planOperation']);
  assert.deepEqual(after, [], 'nothing had to be put back');
  const evictions = steps.filter((s) => s.label === 'Evict mysql-2');
  assert.deepEqual(evictions.map((s) => [s.attempt, s.outcome]), [[1, 'failed'], [2, 'failed'], [3, 'done']]);
  assert.match(evictions[0].message!, /^did not finish within 4s \(spec\.timeout\); waiting until /);
  assert.ok(evictions[0].retriedAt! >= evictions[0].endedAt! && evictions[1].retriedAt! >= evictions[1].endedAt!, 'each failed attempt was retried after it failed');
  assert.equal(evictions[2].retriedAt, undefined);
  for (const e of evictions) assert.deepEqual(e.activities.map((a) => a.type), ['evictPod'], 'each attempt evicted once');
  // The step's limit and the activity's start-to-close limit are the same: either fires first.
  assert.ok(evictions.slice(0, 2).every((e) => ['timed out', 'cancelled'].includes(e.activities[0].outcome)));
  assert.equal(evictions[2].activities[0].outcome, 'completed');
  // Every other step ran once; the pods' steps under "Restart the pods".
  assert.ok(steps.filter((s) => s.label !== 'Evict mysql-2').every((s) => s.attempt === 1 && s.outcome === 'done'));
  assert.deepEqual(top.map((s) => s.label), ['Wait for the database to be Ready', 'Pause the database', 'Create the certificates', 'Wait for cert-manager to issue the certificates', 'Check the new certificates', 'Update the StatefulSet', 'Update the database spec', 'Restart the pods', 'Resume the database']);
  const restart = top.find((s) => s.label === 'Restart the pods')!;
  const within = restart.within.map((s) => `${s.label}#${s.attempt}`);
  const from = within.indexOf('Choose mysql-2#1');
  // (The later run also checks what each restarted pod serves: its "Check what mysql-2 serves" comes before mysql-0.)
  assert.deepEqual(within.slice(from, from + 5), ['Choose mysql-2#1', 'Evict mysql-2#1', 'Evict mysql-2#2', 'Evict mysql-2#3', 'Wait for mysql-2 to be Ready#1']);
  assert.ok(within.indexOf('Choose mysql-0#1') > from + 4);
  assert.deepEqual(restart.within.find((s) => s.label === 'Choose mysql-2')!.activities.map((a) => a.type), ['nextPodToRestart'], 'choosing a pod is shown with the activity that chose it');
});

test('a run cancelled because its OpsRequest was deleted: its last step failed, and what ran after it put things back', async () => {
  const h = await recorded('deleted-while-running');
  assert.equal(h.closed?.status, 'failed');
  assert.ok(h.cancelRequestedAt);
  const { steps, after } = stepsOf(h);
  const last = steps.at(-1)!;
  assert.deepEqual([last.label, last.outcome, last.message], ['Wait for cert-manager to issue the certificates', 'failed', 'the run was cancelled']);
  assert.deepEqual(after.map((a) => a.type), ['setCertificates', 'resumeDatabase'], 'the Certificates put back, newest first, then the database resumed');
});
