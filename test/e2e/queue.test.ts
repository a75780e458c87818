// Several OpsRequests for one database: one Progressing at a time, the others Pending; of two waiting
// requests of one type only the newer runs, the older is Skipped and says why.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { observe } from '../../platform/watch.ts';
import { conditionOf, get, kube, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { applyRotate, holdIssuance, releaseIssuance } from '../helpers/fixtures.ts';
import { scenario } from '../helpers/scenario.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { recordHistory } from '../helpers/record-history.ts';

test('OpsRequests for one database run one at a time; an older one of the same type is Skipped', async (t) => {
  const { ns, opsflow } = await scenario(t, 'queue');

  // Every phase each request goes through, and the most that were Progressing at once.
  const phases = new Map<string, string[]>();
  let maxProgressing = 0;
  const stop = new AbortController();
  const watching = observe<any>(kube, { apiVersion: 'ops.kubedb.com/v1alpha1', kind: 'MySQLOpsRequest', plural: 'mysqlopsrequests', namespace: ns }, {}, ({ objects }) => {
    for (const o of objects.values()) {
      const seen = phases.get(o.metadata.name) ?? [];
      if (o.status?.phase && seen.at(-1) !== o.status.phase) seen.push(o.status.phase);
      phases.set(o.metadata.name, seen);
    }
    maxProgressing = Math.max(maxProgressing, [...objects.values()].filter((o) => o.status?.phase === 'Progressing').length);
  }, stop.signal);
  const timeline = await PodTimeline.start(ns);

  // The first rotation is held in its issuance step (the Issuer's CA Secret is missing) while two more arrive.
  await holdIssuance(ns);
  await applyRotate(ns, 'first');
  await waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) => (conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined));
  await applyRotate(ns, 'second');
  await waitForObject<any, true>(res.mysqlOps, ns, 'second', (o) => (o?.status?.phase === 'Pending' ? true : undefined));
  await applyRotate(ns, 'third');
  const second = await waitForOpsRequestDone(ns, 'second');
  await waitForObject<any, true>(res.mysqlOps, ns, 'third', (o) => (o?.status?.phase === 'Pending' ? true : undefined));
  assert.equal((await get(res.mysqlOps, ns, 'first')).status.phase, 'Progressing', 'the first is still running');

  await releaseIssuance(ns);
  const first = await waitForOpsRequestDone(ns, 'first');
  const third = await waitForOpsRequestDone(ns, 'third');
  stop.abort();
  await watching;
  await timeline.close();

  assert.equal(first.status.phase, 'Successful');
  assert.equal(second.status.phase, 'Skipped');
  assert.match(conditionOf(second, 'Skipped').message, /third, a newer ReconfigureTLS OpsRequest for MySQL my-db, runs instead/);
  assert.equal(third.status.phase, 'Successful');
  assert.deepEqual(phases.get('third')?.slice(0, 2), ['Pending', 'Progressing'], 'the third waited its turn, then ran');
  assert.equal(maxProgressing, 1, 'never two Progressing at once');
  for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 3, `${pod} restarted once by each of the two rotations that ran`);
  const id = (o: any) => opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: o.metadata.name }, o.metadata.uid);
  await recordHistory(opsflow.client, id(second), 'queue-skipped');
  await recordHistory(opsflow.client, id(third), 'queue-waited-then-ran');
});

test('a newer request of the same type that is refused at admission does not supersede: the waiting one runs', async (t) => {
  const { ns } = await scenario(t, 'queue-refused');
  await holdIssuance(ns);
  await applyRotate(ns, 'first');
  await waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) => (conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined));
  await applyRotate(ns, 'second');
  await waitForObject<any, true>(res.mysqlOps, ns, 'second', (o) => (o?.status?.phase === 'Pending' ? true : undefined));
  // A ReconfigureTLS too, but one admission refuses (remove together with rotate); newer (its name breaks a tie
  // of creation times, which are whole seconds).
  await applyRotate(ns, 'third-refused', 'my-db', '    remove: true\n');
  const refused = await waitForOpsRequestDone(ns, 'third-refused');
  assert.equal(refused.status.phase, 'Failed');
  await releaseIssuance(ns);
  assert.equal((await waitForOpsRequestDone(ns, 'first')).status.phase, 'Successful');
  const second = await waitForOpsRequestDone(ns, 'second');
  assert.equal(second.status.phase, 'Successful', JSON.stringify(second.status.conditions, null, 2));
});

test('a run cancelled while its OpsRequest waits for its turn leaves it Failed, not Pending', async (t) => {
  const { ns, opsflow } = await scenario(t, 'queue-cancel');
  await holdIssuance(ns);
  await applyRotate(ns, 'first');
  await waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) => (conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined));
  await applyRotate(ns, 'waiting');
  const waiting = await waitForObject<any, any>(res.mysqlOps, ns, 'waiting', (o) => (o?.status?.phase === 'Pending' ? o : undefined));

  await opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'waiting' }, waiting.metadata.uid)).cancel();
  const cancelled = await waitForOpsRequestDone(ns, 'waiting');
  assert.equal(cancelled.status.phase, 'Failed');
  assert.equal(conditionOf(cancelled, 'Failed').message, 'cancelled while waiting for its turn');
  await recordHistory(opsflow.client, opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'waiting' }, waiting.metadata.uid), 'queue-cancelled-while-waiting');

  await releaseIssuance(ns);
  assert.equal((await waitForOpsRequestDone(ns, 'first')).status.phase, 'Successful');
});
