// Retrying a failed step without repeating the steps before it: a request with a retry grace period whose
// step fails waits (the database paused, nothing put back yet) for the workflow Update retryFailedStep —
// `opsflow retry NAME`; fixed and retried, the run goes on from that step and finishes. Without a retry in
// time it compensates as any failed run; without a grace period there is nothing to retry.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PolicyV1Api } from '@kubernetes/client-node';
import { parseHistory } from '../../client/cli/run-history.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { apply, conditionOf, get, kube, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import { opsflowCli } from '../helpers/cli.ts';
import { applyRotate, holdIssuance, isPaused, releaseIssuance } from '../helpers/fixtures.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { recordHistory } from '../helpers/record-history.ts';
import { scenario } from '../helpers/scenario.ts';
import { tlsKinds } from '../helpers/tls-kinds.ts';

const mysql = tlsKinds.find((k) => k.kind === 'MySQL')!;
const example = (file: string) => readFile(new URL(`../../deploy/examples/reconfigure-tls/mysql/${file}`, import.meta.url), 'utf8');
const policy = kube.config.makeApiClient(PolicyV1Api);

/** What Temporal Web shows as the run's current details (the step list). */
const currentDetails = async (handle: { query: (q: string) => Promise<unknown> }) => ((await handle.query('__temporal_workflow_metadata')) as { currentDetails?: string }).currentDetails ?? '';

test('a failed step waits for a retry; retried once the cause is fixed, the run finishes without repeating the steps before it', async (t) => {
  const { ns, opsflow } = await scenario(t, 'retry', { database: false });
  await apply(ns, await example('0-issuers.yaml'));
  await apply(ns, await example('1-mysql.yaml'));
  await waitForObject<any, true>(mysql.database, ns, 'mysql', (db) => (db?.status?.phase === 'Ready' ? true : undefined));
  // mysql-2 may not be disrupted: its eviction fails, after mysql-1 has restarted.
  await policy.createNamespacedPodDisruptionBudget({ namespace: ns, body: { metadata: { name: 'keep-mysql-2' }, spec: { maxUnavailable: 0, selector: { matchLabels: { 'statefulset.kubernetes.io/pod-name': 'mysql-2' } } } } });
  const dir = await mkdtemp(join(tmpdir(), 'opsflow-retry-'));
  const file = join(dir, 'add-tls.yaml');
  await writeFile(file, (await example('2-add-tls.yaml')).replace('  type: ReconfigureTLS', '  type: ReconfigureTLS\n  timeout: 4s\n  maxRetries: 0'));
  const timeline = await PodTimeline.start(ns, 'app.kubernetes.io/instance=mysql');
  t.after(() => timeline.close());
  const created = await opsflowCli(['apply', '-n', ns, '-f', file, '--retry-grace', '3m', '--no-wait']);
  assert.equal(created.code, 0, created.stderr);

  const waiting = (o: any) => (conditionOf(o, 'EvictPod--mysql-2')?.reason === 'WaitingForRetry' ? conditionOf(o, 'EvictPod--mysql-2') : undefined);
  const first = await waitForObject<any, any>(mysql.opsRequest, ns, 'myops-add-tls', waiting, 60_000);
  assert.match(first.message, new RegExp(`^did not finish within 4s \\(spec\\.timeout\\); waiting until \\S+ for a retry \\(\`opsflow retry myops-add-tls -n ${ns} --kind MySQLOpsRequest\` \\(the Update retryFailedStep\\)\\); without one the run fails and compensates$`));
  const ops = await get(mysql.opsRequest, ns, 'myops-add-tls');
  assert.equal(ops.status.phase, 'Progressing', 'not failed yet: it waits');
  assert.equal(isPaused(await get(mysql.database, ns, 'mysql')), true, 'the database stays paused while the run waits');
  const handle = opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'myops-add-tls' }, ops.metadata.uid));
  const details = await currentDetails(handle);
  assert.match(details, /^ {2}- ‖ Evict mysql-2 — did not finish within 4s \(spec\.timeout\) — waiting for a retry until \S+ · 4\.\ds$/m, details);
  assert.match(details, /^- ✔ Pause the database — MySQL mysql is paused · \d+ms$/m, 'each step with its duration');
  assert.match(details, /\*\*Evict mysql-2\*\* failed \(attempt 1\)\. Retry it with `opsflow retry myops-add-tls/);

  // Retried before the cause is fixed: the step fails again, and waits again.
  const early = await opsflowCli(['retry', '-n', ns, 'myops-add-tls', '--no-wait']);
  assert.deepEqual([early.code, early.stdout], [0, `retrying "Evict mysql-2" of MySQLOpsRequest ${ns}/myops-add-tls (attempt 2); the steps before it are not repeated\n`]);
  await waitForObject<any, true>(mysql.opsRequest, ns, 'myops-add-tls', (o) => (waiting(o) && waiting(o).message !== first.message ? true : undefined), 60_000);
  assert.match(await currentDetails(handle), /^ {2}- ‖ Evict mysql-2 — .* · [\d.]+s, attempt 2$/m);

  // Fixed, then retried: it goes on from there and finishes.
  await policy.deleteNamespacedPodDisruptionBudget({ namespace: ns, name: 'keep-mysql-2' });
  const retried = await opsflowCli(['retry', '-n', ns, 'myops-add-tls']);
  await timeline.close();
  assert.equal(retried.code, 0, retried.stdout + retried.stderr);
  assert.match(retried.stdout, /^retrying "Evict mysql-2" of .* \(attempt 3\); the steps before it are not repeated$/m);
  assert.match(retried.stdout, new RegExp(`^MySQLOpsRequest ${ns}/myops-add-tls: Successful`, 'm'));
  const done = await get(mysql.opsRequest, ns, 'myops-add-tls');
  assert.equal(conditionOf(done, 'EvictPod--mysql-2').status, 'True');
  assert.deepEqual(timeline.restartOrder(), ['mysql-1', 'mysql-2', 'mysql-0'], `standbys, then the primary: ${JSON.stringify(timeline.samples)} ${JSON.stringify(done.status.conditions.filter((c: any) => /--/.test(c.type)).map((c: any) => [c.type, c.lastTransitionTime]))}`);
  for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 2, `${pod} restarted exactly once`);

  // Nothing before the failed step ran twice: one pause, one change of each kind, one eviction of mysql-1.
  const recorded = await handle.fetchHistory();
  const events = recorded.events ?? [];
  const scheduled = parseHistory(recorded).activities.map((a) => a.type);
  const count = (type: string) => scheduled.filter((x) => x === type).length;
  assert.deepEqual(
    { pauseDatabase: count('pauseDatabase'), setCertificates: count('setCertificates'), awaitCertificates: count('awaitCertificates'), checkCertificates: count('checkCertificates'), updateWorkload: count('updateWorkload'), updateDatabaseSpec: count('updateDatabaseSpec'), evictPod: count('evictPod'), resumeDatabase: count('resumeDatabase') },
    { pauseDatabase: 1, setCertificates: 1, awaitCertificates: 1, checkCertificates: 1, updateWorkload: 1, updateDatabaseSpec: 1, evictPod: 1 + 3 + 1, resumeDatabase: 1 },
  );
  assert.equal(events.filter((e) => e.workflowExecutionUpdateAcceptedEventAttributes).length, 2, 'two retries asked for');
  const result: any = await handle.result();
  assert.equal(result.steps.find((s: any) => s.label === 'Evict mysql-2').attempts, 3);
  assert.ok(result.steps.filter((s: any) => s.label !== 'Evict mysql-2').every((s: any) => s.attempts === 1), 'every other step ran once');
  // (An attempt that ran out of time stops at its next heartbeat: if the budget was lifted just then, its eviction
  // lands and attempt 3 finds mysql-2 already replaced — "gone". Either way mysql-2 restarted once.)
  assert.match(await currentDetails(handle), /^ {2}- ✔ Evict mysql-2 — mysql-2: (evicted|gone) · [\d.]+m?s, attempt 3$/m);

  const history = await opsflowCli(['history', '-n', ns, 'myops-add-tls']);
  assert.equal(history.code, 0);
  assert.match(history.stdout, /^ {3}\d+\.\d+\. Evict mysql-2 {2}\[EvictPod--mysql-2\] {2}attempt 1: failed in 4\.\ds: did not finish within 4s \(spec\.timeout\)/m);
  assert.match(history.stdout, /^ {3}\d+\.\d+\. Evict mysql-2 {2}\[EvictPod--mysql-2\] {2}attempt 2: failed/m);
  assert.match(history.stdout, /^ {3}\d+\.\d+\. Evict mysql-2 {2}\[EvictPod--mysql-2\] {2}attempt 3: done in \d+/m);
  assert.match(history.stdout, /retry asked for \(Update retryFailedStep\)/);
  // The activity of an attempt that ran out of time: cancelled with its step, timed out (StartToClose), or, when
  // the budget was lifted just as the step ran out, completed — each shown with how long it ran.
  assert.match(history.stdout, /evict mysql-2 \[evictPod\]: (cancelled|timed out|completed), 1 attempt, 4\.\ds\n/);
  await recordHistory(opsflow.client, handle.workflowId, 'retried-failed-step');
});

test('no retry within the grace period: the run puts back what it changed, as any failed run; an ended run cannot be retried', async (t) => {
  const { ns, opsflow } = await scenario(t, 'retry-expired');
  await holdIssuance(ns);
  const started = Date.now();
  await apply(ns, `apiVersion: ops.kubedb.com/v1alpha1
kind: MySQLOpsRequest
metadata:
  name: rotate-expired
  annotations: {opsflow.dev/retry-grace-period: 3s}
spec: {type: ReconfigureTLS, databaseRef: {name: my-db}, tls: {rotateCertificates: true}, timeout: 2s, maxRetries: 0}
`);
  const ops = await waitForOpsRequestDone(ns, 'rotate-expired', 60_000);
  assert.equal(ops.status.phase, 'Failed');
  assert.equal(conditionOf(ops, 'IssueCertificatesSucceeded').status, 'False');
  // The step's timer or the wait's own deadline, whichever ends first: both say the limit.
  assert.match(conditionOf(ops, 'Failed').message, /^Re-issue the certificates failed: (did not finish|cert-manager did not issue the certificates) within 2s \(spec\.timeout\).* Nothing was restarted/);
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false, 'resumed');
  assert.ok(Date.now() - started >= 5000, "after its step's limit and the grace period");
  const r = await opsflowCli(['retry', '-n', ns, 'rotate-expired']);
  assert.deepEqual([r.code, r.stderr.trim()], [1, `opsflow: MySQLOpsRequest ${ns}/rotate-expired has already ended (Failed): apply it again under a new name instead`]);
  void opsflow;
  await releaseIssuance(ns);
});

test('a run whose request has no retry grace period offers no retry: `opsflow retry` says so (exit 1)', async (t) => {
  const { ns, opsflow } = await scenario(t, 'retry-none');
  await holdIssuance(ns);
  await applyRotate(ns, 'rotate-held', 'my-db', '  timeout: 1m\n');
  const ops = await waitForObject<any, any>(res.mysqlOps, ns, 'rotate-held', (o) => (conditionOf(o, 'DatabasePauseSucceeded')?.status === 'True' ? o : undefined));
  const r = await opsflowCli(['retry', '-n', ns, 'rotate-held']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /opsflow: MySQLOpsRequest .*\/rotate-held: no retry: this run offers no retries: its OpsRequest has no retry grace period \(annotation opsflow\.dev\/retry-grace-period\)/);
  await opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-held' }, ops.metadata.uid)).cancel();
  await waitForOpsRequestDone(ns, 'rotate-held');
  await releaseIssuance(ns);
});
