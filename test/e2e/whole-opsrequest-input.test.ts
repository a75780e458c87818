// A run started with a whole OpsRequest as its one input, as Temporal Web's Start Workflow form sends it (one
// JSON payload, a Workflow ID of the user's choosing): the run creates the OpsRequest (kubectl sees it) claimed
// by itself, so the watcher starts no second run; one of that name with the same spec is adopted; another spec
// fails the run naming the fields; a wrong input fails at once showing both valid forms.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { apply, conditionOf, get, res, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { isPaused } from '../helpers/fixtures.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { recordHistory } from '../helpers/record-history.ts';
import { scenario } from '../helpers/scenario.ts';

const whole = (ns: string, name: string, tls: object = { rotateCertificates: true }) => ({
  apiVersion: 'ops.kubedb.com/v1alpha1',
  kind: 'MySQLOpsRequest',
  metadata: { namespace: ns, name },
  spec: { type: 'ReconfigureTLS', databaseRef: { name: 'my-db' }, tls, timeout: '1m' },
});

const failureOf = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof WorkflowFailedError, String(err));
    return err.cause!;
  }
  assert.fail('the run did not fail');
};

test('a whole OpsRequest: the run creates it (kubectl sees it), claims it so the watcher starts none, and carries it out', async (t) => {
  const { ns, opsflow } = await scenario(t, 'whole');
  const timeline = await PodTimeline.start(ns);
  const result: any = await opsflow.client.workflow.execute('opsRequestWorkflow', { taskQueue: opsflow.temporal.taskQueue, workflowId: `by-hand-${ns}`, args: [whole(ns, 'rotate-by-hand')] });
  await timeline.close();

  assert.equal(result.phase, 'Successful');
  assert.match(result.summary, /^rotate the certificates of MySQL .*\/my-db: done in [\d.]+m?s, 3 certificates issued, 3 pods restarted$/);
  const ops = await get(res.mysqlOps, ns, 'rotate-by-hand');
  assert.equal(ops.status.phase, 'Successful', 'the OpsRequest exists, as kubectl shows it, with the outcome');
  assert.equal(ops.metadata.annotations['opsflow.dev/workflow-id'], `by-hand-${ns}`, 'claimed by the run that created it');
  assert.equal(ops.spec.apply, 'IfReady', 'created through the API server: the CRD defaults are applied');
  await assert.rejects(
    opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-by-hand' }, ops.metadata.uid)).describe(),
    WorkflowNotFoundError,
    'the watcher started no run of its own',
  );
  for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 2, `${pod} restarted exactly once`);
  await recordHistory(opsflow.client, `by-hand-${ns}`, 'whole-opsrequest-created');
});

test('an OpsRequest of that name with the same spec is adopted; with another spec the run fails saying which fields differ', async (t) => {
  const { ns, opsflow } = await scenario(t, 'adopt');
  await opsflow.stopWatchers(); // kubectl creates it, no watcher runs it: the run started by hand adopts it
  await apply(ns, 'apiVersion: ops.kubedb.com/v1alpha1\nkind: MySQLOpsRequest\nmetadata: {name: adopted}\nspec: {type: ReconfigureTLS, databaseRef: {name: my-db}, tls: {rotateCertificates: true}, timeout: 1m}\n');
  const result: any = await opsflow.client.workflow.execute('opsRequestWorkflow', { taskQueue: opsflow.temporal.taskQueue, workflowId: `adopt-${ns}`, args: [whole(ns, 'adopted')] });
  assert.equal(result.phase, 'Successful');
  const ops = await get(res.mysqlOps, ns, 'adopted');
  assert.equal(ops.status.phase, 'Successful');
  assert.equal(ops.metadata.annotations['opsflow.dev/workflow-id'], `adopt-${ns}`, 'adopted and claimed by the run');

  const other = await failureOf(opsflow.client.workflow.execute('opsRequestWorkflow', { taskQueue: opsflow.temporal.taskQueue, workflowId: `other-${ns}`, args: [whole(ns, 'adopted', { remove: true })] }));
  assert.match(other.message, new RegExp(`^MySQLOpsRequest ${ns}/adopted already exists with another spec \\(existing → given: \\+ spec\\.tls\\.remove: true; - spec\\.tls\\.rotateCertificates: true\\); an OpsRequest's spec cannot change: delete it first, or give this one another name$`));
  assert.equal((await get(res.mysqlOps, ns, 'adopted')).metadata.resourceVersion, ops.metadata.resourceVersion, 'the OpsRequest is left as it was');
});

test('a wrong input fails the run at once with a message that shows a valid input of both forms', async (t) => {
  const { ns, opsflow } = await scenario(t, 'bad-input', { database: false });
  const started = Date.now();
  const failure = await failureOf(opsflow.client.workflow.execute('opsRequestWorkflow', { taskQueue: opsflow.temporal.taskQueue, workflowId: `bad-${ns}`, args: [{ apiVersion: 'ops.kubedb.com/v1alpha1', kind: 'MySQLOpsRequest', metadata: { name: 'x' }, spec: {} }] }));
  assert.ok(Date.now() - started < 10_000, 'at once');
  assert.match(failure.message, /^input\.metadata\.namespace is required\. opsRequestWorkflow takes one JSON object: a reference to an OpsRequest that exists, \{"kind":"MySQLOpsRequest","namespace":"demo","name":"myops-rotate"\}, or a whole OpsRequest, which the run creates: \{"apiVersion":"ops\.kubedb\.com\/v1alpha1","kind":"MySQLOpsRequest","metadata":\{"namespace":"demo","name":"myops-rotate"\},"spec":\{/);
  const schema = await failureOf(opsflow.client.workflow.execute('opsRequestWorkflow', { taskQueue: opsflow.temporal.taskQueue, workflowId: `schema-${ns}`, args: [{ ...whole(ns, 'bad-type'), spec: { type: 'Frobnicate', databaseRef: { name: 'my-db' } } }] }));
  assert.match(schema.message, /the API server refused to create MySQLOpsRequest .*\/bad-type: 422: .*spec\.type: Unsupported value: "Frobnicate"/);
});

test('the database of a whole OpsRequest whose run is cancelled is resumed, as for any other run', async (t) => {
  const { ns, opsflow } = await scenario(t, 'whole-cancel');
  const { holdIssuance, releaseIssuance } = await import('../helpers/fixtures.ts');
  await holdIssuance(ns);
  const handle = await opsflow.client.workflow.start('opsRequestWorkflow', { taskQueue: opsflow.temporal.taskQueue, workflowId: `cancel-${ns}`, args: [whole(ns, 'rotate-cancelled')] });
  const { waitForObject } = await import('../helpers/cluster.ts');
  await waitForObject<any, true>(res.mysqlOps, ns, 'rotate-cancelled', (o) => (conditionOf(o, 'DatabasePauseSucceeded')?.status === 'True' ? true : undefined));
  await handle.cancel();
  const ops = await waitForOpsRequestDone(ns, 'rotate-cancelled');
  assert.equal(conditionOf(ops, 'Failed').reason, 'OpsRequestCancelled');
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false);
  await releaseIssuance(ns);
});
