// A run terminated in the middle of its operation (Temporal's terminate runs no compensation): the watcher finds
// its OpsRequest still Progressing with its database paused, resumes the database, marks the request Failed
// saying what became of the run, and the request waiting behind it gets its turn.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimAnnotation } from '../../activities/ops-request.ts';
import { mergePatch } from '../../platform/kube.ts';
import { conditionOf, get, kube, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { applyRotate, isPaused } from '../helpers/fixtures.ts';
import { scenario } from '../helpers/scenario.ts';

test('a run terminated midway: its database resumed, its OpsRequest Failed saying so, the next request runs', async (t) => {
  const { ns, opsflow } = await scenario(t, 'terminated');
  // The first restarted pod cannot start (bound to a node that does not exist): the run waits there.
  await kube.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'my-db', body: { spec: { template: { spec: { nodeName: 'no-such-node' } } } } }, mergePatch);
  await applyRotate(ns, 'rotate-stuck', 'my-db', '  timeout: 5m\n');
  const claimed = await waitForObject<any, any>(res.mysqlOps, ns, 'rotate-stuck', (o) => (o?.status?.conditions?.some((c: any) => c.type.startsWith('EvictPod--') && c.status === 'True') ? o : undefined), 60_000);
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), true, 'paused while it runs');
  await applyRotate(ns, 'rotate-next', 'my-db', '  timeout: 5m\n');
  await waitForObject<any, true>(res.mysqlOps, ns, 'rotate-next', (o) => (o?.status?.phase === 'Pending' ? true : undefined));

  await opsflow.client.workflow.getHandle(claimed.metadata.annotations[claimAnnotation]).terminate('an operator ended it');
  const ended = await waitForOpsRequestDone(ns, 'rotate-stuck', 30_000);
  assert.equal(ended.status.phase, 'Failed');
  assert.match(conditionOf(ended, 'Failed').message, /^the run \S+ was terminated before the request finished\. MySQL my-db was resumed/);
  assert.equal(conditionOf(ended, 'Failed').reason, 'RunEnded');

  // The request behind it gets its turn, and pauses the database again.
  const next = await waitForObject<any, any>(res.mysqlOps, ns, 'rotate-next', (o) => (o?.status?.phase === 'Progressing' ? o : undefined), 30_000);
  await opsflow.client.workflow.getHandle(next.metadata.annotations[claimAnnotation]).cancel();
  assert.equal((await waitForOpsRequestDone(ns, 'rotate-next', 60_000)).status.phase, 'Failed');
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false, 'resumed after the cancelled run too');
});
