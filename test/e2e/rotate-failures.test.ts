// What a rotation does when things go wrong or arrive twice: the database is always resumed, the OpsRequest
// says which step failed and why, nothing is touched for an invalid request, and one OpsRequest is carried
// out once however many times it is seen or started.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { mergePatch } from '../../platform/kube.ts';
import { apply, conditionOf, get, kube, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { applyRotate, holdIssuance, isPaused, issuerName, listPods } from '../helpers/fixtures.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { recordHistory } from '../helpers/record-history.ts';
import { scenario } from '../helpers/scenario.ts';
import { readMode } from '../../tools/pod-runtime/mode.ts';
import { stateDir } from '../../tools/localenv/paths.ts';

const realServers = readMode(stateDir)?.enabled === true;
const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

const podUids = async (ns: string) => new Map((await listPods(ns)).map((p) => [p.metadata!.name!, p.metadata!.uid!]));

test('a pod that never becomes Ready fails the request within its timeout, and the database is resumed', async (t) => {
  const { ns, opsflow } = await scenario(t, 'stuck');
  const first = (await listPods(ns)).find((p) => p.metadata?.labels?.['kubedb.com/role'] !== 'primary')!.metadata!.name!;
  // A pod template that cannot run (bound to a node that does not exist): the first restarted pod stays Pending.
  await kube.apps.patchNamespacedStatefulSet(
    { namespace: ns, name: 'my-db', body: { spec: { template: { spec: { nodeName: 'no-such-node' } } } } },
    mergePatch,
  );
  const before = await podUids(ns);
  const started = Date.now();
  await applyRotate(ns, 'rotate-stuck', 'my-db', '  timeout: 4s\n  maxRetries: 0\n');
  const ops = await waitForOpsRequestDone(ns, 'rotate-stuck', 60_000);
  const elapsed = Date.now() - started;
  await recordHistory(opsflow.client, opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-stuck' }, ops.metadata.uid), 'rotate-mysql-pod-never-ready');

  assert.equal(ops.status.phase, 'Failed');
  const stuck = conditionOf(ops, `CheckPodRunning--${first}`);
  assert.equal(stuck?.status, 'False', JSON.stringify(ops.status.conditions, null, 2));
  assert.match(stuck.message, new RegExp(`${first} was not Ready within 4s \\(spec\\.timeout\\): recreated \\(uid [0-9a-f-]+\\), phase Pending, not Ready`));
  assert.match(conditionOf(ops, 'Failed').message, new RegExp(`Wait for ${first} to be Ready failed: .* ${first} was evicted and is not back, so what the request changed stays`));
  assert.ok(elapsed < 30_000, `failed within its time limits (took ${elapsed} ms)`);
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false, 'the database is resumed');
  const after = await podUids(ns);
  for (const [pod, uid] of before) {
    if (pod !== first) assert.equal(after.get(pod), uid, `${pod} was not restarted after the failure`);
  }
});

test('a server that cannot start after its restart: the step fails within its timeout saying so, the database is resumed, no other pod restarted', { skip: !realServers && 'no real servers behind the pods' }, async (t) => {
  const { ns } = await scenario(t, 'crashing');
  const first = (await listPods(ns)).find((p) => p.metadata?.labels?.['kubedb.com/role'] !== 'primary')!.metadata!.name!;
  // An argument MariaDB does not know: the restarted pod's server exits at once, again and again.
  const sts = await kube.apps.readNamespacedStatefulSet({ namespace: ns, name: 'my-db' });
  const containers = sts.spec!.template.spec!.containers.map((c) => ({ name: c.name, args: [...(c.args ?? []), '--no-such-option=1'] }));
  await kube.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'my-db', body: { spec: { template: { spec: { containers } } } } }, strategicMergePatch);
  const before = await podUids(ns);
  await applyRotate(ns, 'rotate-crashing', 'my-db', '  timeout: 5s\n  maxRetries: 0\n');
  const ops = await waitForOpsRequestDone(ns, 'rotate-crashing', 60_000);
  assert.equal(ops.status.phase, 'Failed');
  const crashed = conditionOf(ops, `CheckPodRunning--${first}`);
  assert.equal(crashed?.status, 'False', JSON.stringify(ops.status.conditions, null, 2));
  assert.match(crashed.message, new RegExp(`${first} was not Ready within 5s \\(spec\\.timeout\\): .*container mysql: CrashLoopBackOff .*last exit code [1-9]`));
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false, 'the database is resumed');
  const after = await podUids(ns);
  for (const [pod, uid] of before) if (pod !== first) assert.equal(after.get(pod), uid, `${pod} was not restarted after the failure`);
});

test('the Issuer deleted while the certificates wait for it: the step fails within its limit saying what cert-manager shows, nothing restarted, the database resumed', async (t) => {
  const { ns } = await scenario(t, 'issuer-gone');
  const before = await podUids(ns);
  await holdIssuance(ns);
  await applyRotate(ns, 'rotate-issuer-gone', 'my-db', '  timeout: 8s\n  maxRetries: 0\n');
  await waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) => (conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined));
  await kube.custom.deleteNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', namespace: ns, plural: 'issuers', name: issuerName });
  const ops = await waitForOpsRequestDone(ns, 'rotate-issuer-gone', 60_000);
  assert.equal(ops.status.phase, 'Failed');
  // What cert-manager shows of each Certificate still waiting, when the wait's own deadline comes first; on a
  // loaded machine the step's timer may, and then it says the limit alone.
  assert.match(conditionOf(ops, 'IssueCertificatesSucceeded').message, /^(cert-manager did not issue the certificates within 8s \(spec\.timeout\): my-db-\S+-cert: |did not finish within 8s \(spec\.timeout\)$)/);
  assert.match(conditionOf(ops, 'Failed').message, /^Re-issue the certificates failed: .*Nothing was restarted/);
  assert.deepEqual(await podUids(ns), before, 'no pod restarted');
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false, 'resumed');
});

test('the database deleted while its request waits on it (its Certificates go with it): the request fails at once, naming what went', async (t) => {
  const { ns } = await scenario(t, 'db-gone');
  await holdIssuance(ns);
  await applyRotate(ns, 'rotate-db-gone', 'my-db', '  timeout: 2m\n  maxRetries: 0\n');
  await waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) => (conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined));
  await kube.custom.deleteNamespacedCustomObject({ group: 'kubedb.com', version: 'v1', namespace: ns, plural: 'mysqls', name: 'my-db' });
  const started = Date.now();
  const ops = await waitForOpsRequestDone(ns, 'rotate-db-gone', 60_000);
  assert.equal(ops.status.phase, 'Failed', JSON.stringify(ops.status.conditions, null, 2));
  // Whichever step meets the deletion first names the Certificate: the wait for issuance, or the trigger of one
  // not yet re-issued when the database went.
  assert.match(conditionOf(ops, 'Failed').message, /Certificate (\S+\/)?my-db-\S+-cert( was deleted while waiting for it to be issued|: 404: certificates\.cert-manager\.io "my-db-\S+-cert" not found)/);
  assert.ok(Date.now() - started < 30_000, `well within its 2m limit (${Date.now() - started} ms)`);
});

test('an OpsRequest naming a database that does not exist fails with a clear message and touches nothing', async (t) => {
  const { ns } = await scenario(t, 'nodb', { database: false });
  await applyRotate(ns, 'rotate-nodb', 'no-such-db');
  const ops = await waitForOpsRequestDone(ns, 'rotate-nodb');
  assert.equal(ops.status.phase, 'Failed');
  const failed = conditionOf(ops, 'Failed');
  assert.match(failed.message, new RegExp(`spec\\.databaseRef ${ns}/no-such-db, is invalid or not found`));
  assert.equal(conditionOf(ops, 'DatabasePauseSucceeded'), undefined, 'no step ran');
});

test('an invalid OpsRequest fails naming the field, and the database is not touched', async (t) => {
  const { ns, opsflow } = await scenario(t, 'invalid');
  const before = await podUids(ns);
  await apply(
    ns,
    `
apiVersion: ops.kubedb.com/v1alpha1
kind: MySQLOpsRequest
metadata: {name: rotate-and-remove}
spec:
  type: ReconfigureTLS
  databaseRef: {name: my-db}
  tls: {rotateCertificates: true, remove: true}
`,
  );
  const ops = await waitForOpsRequestDone(ns, 'rotate-and-remove');
  assert.equal(ops.status.phase, 'Failed');
  assert.match(conditionOf(ops, 'Failed').message, /spec\.tls\.remove and spec\.tls\.rotateCertificates cannot be set together/);
  const db = await get(res.mysql, ns, 'my-db');
  assert.equal(isPaused(db), false);
  assert.deepEqual(await podUids(ns), before, 'no pod restarted');
  await recordHistory(opsflow.client, opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-and-remove' }, ops.metadata.uid), 'rejected-at-admission');
});

test('an OpsRequest seen by two watchers and started again by hand under another ID runs once', async (t) => {
  const { ns, opsflow } = await scenario(t, 'twice');
  opsflow.startWatcher(); // a second watcher: a restart, or a second replica, sees the same events
  const timeline = await PodTimeline.start(ns);
  await applyRotate(ns, 'rotate-twice');
  const uid = (await get(res.mysqlOps, ns, 'rotate-twice')).metadata.uid;
  const ref = { kind: 'MySQLOpsRequest' as const, namespace: ns, name: 'rotate-twice' };
  // The same OpsRequest started from Temporal Web's form, with an ID of the user's choosing.
  const manual = await opsflow.client.workflow.execute('opsRequestWorkflow', {
    taskQueue: opsflow.temporal.taskQueue,
    workflowId: `manual-${ns}`,
    args: [ref],
  });
  const ops = await waitForOpsRequestDone(ns, 'rotate-twice');
  await timeline.close();

  assert.equal(ops.status.phase, 'Successful');
  // Whichever run claimed the OpsRequest first carried it out; the other one stopped at admission, naming it.
  const workflowId = opsRequestWorkflowId(ref, uid);
  const owner = ops.metadata.annotations['opsflow.dev/workflow-id'];
  const watcherRun = await opsflow.client.workflow.getHandle(workflowId).result();
  const [winner, loser] = owner === workflowId ? [watcherRun, manual] : [manual, watcherRun];
  assert.ok([workflowId, `manual-${ns}`].includes(owner), `claimed by one of the two runs: ${owner}`);
  assert.equal(winner.phase, 'Successful');
  assert.deepEqual(loser, { phase: 'AlreadyHandled', message: `MySQLOpsRequest ${ns}/rotate-twice is carried out by workflow ${owner}` });
  const runs = [];
  for await (const run of opsflow.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run);
  assert.equal(runs.length, 1, 'one run under the deterministic ID');
  for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 2, `${pod} restarted exactly once: ${JSON.stringify(timeline.samples.filter((s) => s.pod === pod))}`);

  // A watcher started after the end (a restart) does not run it again.
  opsflow.startWatcher();
  await assert.rejects(
    opsflow.client.workflow.start('opsRequestWorkflow', { taskQueue: opsflow.temporal.taskQueue, workflowId, args: [ref], workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
    /already started/i,
  );
});
