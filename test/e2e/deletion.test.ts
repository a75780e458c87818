// Deleting an OpsRequest: while it runs, its run is cancelled and compensates (the database resumed, what it
// changed before the first restart put back); once it has ended, nothing changes; and a deletion the watcher
// missed while it was down is noticed when it is back (its check of the running runs against the OpsRequests).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { apply, conditionOf, get, kube, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { applyRotate, holdIssuance, isPaused, listPods, releaseIssuance } from '../helpers/fixtures.ts';
import { recordHistory } from '../helpers/record-history.ts';
import { scenario } from '../helpers/scenario.ts';

const deleteOps = (ns: string, name: string) =>
  kube.custom.deleteNamespacedCustomObject({ group: 'ops.kubedb.com', version: 'v1alpha1', plural: 'mysqlopsrequests', namespace: ns, name });

/** An update of the server certificate's addresses: it changes the Certificate, then waits for issuance. */
const update = (name: string) => `apiVersion: ops.kubedb.com/v1alpha1
kind: MySQLOpsRequest
metadata: {name: ${name}}
spec:
  type: ReconfigureTLS
  databaseRef: {name: my-db}
  tls:
    certificates:
      - alias: server
        emailAddresses: ["ops@example.com"]
`;

const until = async (what: string, check: () => Promise<boolean>, timeoutMs = 30_000) => {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

test('deleting an OpsRequest while it runs cancels its run, which puts back what it changed and resumes the database', async (t) => {
  const { ns, opsflow } = await scenario(t, 'delete-running');
  const before = await get(res.certificate, ns, 'my-db-server-cert');
  await holdIssuance(ns); // the run waits in its issuance step
  await apply(ns, update('update-deleted'));
  const ops = await waitForObject<any, any>(res.mysqlOps, ns, 'update-deleted', (o) => (conditionOf(o, 'UpdateCertificates')?.status === 'True' ? o : undefined));
  assert.deepEqual((await get(res.certificate, ns, 'my-db-server-cert')).spec.emailAddresses, ['ops@example.com']);
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), true);
  const handle = opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'update-deleted' }, ops.metadata.uid));

  await deleteOps(ns, 'update-deleted');
  const failure = await Promise.race([
    handle.result().then(() => undefined, (err) => err),
    new Promise((_, reject) => setTimeout(() => reject(new Error('the run did not end within 60 s of its OpsRequest\'s deletion')), 60_000).unref()),
  ]);
  assert.match(String(failure?.cause?.message), /the run was cancelled\. Nothing was restarted; what the request changed was put back\./);
  assert.equal((await handle.describe()).status.name, 'FAILED');
  assert.deepEqual((await get(res.certificate, ns, 'my-db-server-cert')).spec, before.spec, 'the Certificate is put back');
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false, 'the database is resumed');
  await recordHistory(opsflow.client, handle.workflowId, 'deleted-while-running');
  await releaseIssuance(ns);
});

test('deleting an OpsRequest that has ended changes nothing', async (t) => {
  const { ns, opsflow } = await scenario(t, 'delete-ended');
  await applyRotate(ns, 'rotate-done');
  const ops = await waitForOpsRequestDone(ns, 'rotate-done');
  assert.equal(ops.status.phase, 'Successful');
  const pods = (await listPods(ns)).map((p) => p.metadata!.uid).sort();
  const db = await get(res.mysql, ns, 'my-db');
  const handle = opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-done' }, ops.metadata.uid));
  await handle.result();
  const closed = (await handle.describe()).closeTime;

  await deleteOps(ns, 'rotate-done');
  await waitForObject<any, true>(res.mysqlOps, ns, 'rotate-done', (o) => (o === undefined ? true : undefined));
  await new Promise((r) => setTimeout(r, 1500)); // what a watcher would do about it, it has done by now
  const after = await handle.describe();
  assert.equal(after.status.name, 'COMPLETED', 'the run is as it ended');
  assert.deepEqual(after.closeTime, closed);
  assert.equal((await get(res.mysql, ns, 'my-db')).metadata.resourceVersion, db.metadata.resourceVersion, 'the database is not touched');
  assert.deepEqual((await listPods(ns)).map((p) => p.metadata!.uid).sort(), pods, 'no pod restarted');
});

test('a deletion the watcher missed while it was down is noticed when it is back: the run is cancelled and compensates', async (t) => {
  const { ns, opsflow } = await scenario(t, 'delete-missed');
  const before = await get(res.certificate, ns, 'my-db-server-cert');
  await holdIssuance(ns);
  await apply(ns, update('update-missed'));
  const ops = await waitForObject<any, any>(res.mysqlOps, ns, 'update-missed', (o) => (conditionOf(o, 'UpdateCertificates')?.status === 'True' ? o : undefined));
  const handle = opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'update-missed' }, ops.metadata.uid));
  // Also a run of an OpsRequest that lives on: the returning watcher must leave it alone. Created a second later:
  // creation times are whole seconds, and of two of one type created in the same second the queue takes the
  // name as the tie-breaker (the later name would supersede the other).
  await new Promise((r) => setTimeout(r, 1100));
  await applyRotate(ns, 'rotate-waiting');
  const waiting = await waitForObject<any, any>(res.mysqlOps, ns, 'rotate-waiting', (o) => (o?.status?.phase === 'Pending' ? o : undefined));

  await opsflow.stopWatchers(); // the watcher is down…
  await deleteOps(ns, 'update-missed'); // …when the OpsRequest is deleted
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal((await handle.describe()).status.name, 'RUNNING', 'nobody noticed yet');
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), true);

  opsflow.startWatcher(); // back
  await until('the run of the deleted OpsRequest has ended', async () => (await handle.describe()).status.name !== 'RUNNING');
  assert.equal((await handle.describe()).status.name, 'FAILED');
  await until('the Certificate is put back', async () => JSON.stringify((await get(res.certificate, ns, 'my-db-server-cert')).spec) === JSON.stringify(before.spec));
  const waitingRun = opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-waiting' }, waiting.metadata.uid));
  assert.equal((await waitingRun.describe()).status.name, 'RUNNING', 'the run of the OpsRequest that exists goes on');
  await releaseIssuance(ns);
  assert.equal((await waitForOpsRequestDone(ns, 'rotate-waiting')).status.phase, 'Successful', 'and, its turn come, finishes');
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false);
});
