// Durability under faults: a worker killed in the middle of a step, the API server going away under the
// watcher, and the API server, Temporal or cert-manager killed and started again in the middle of a rotation
// (test/crash/ kills the worker at every step). These kill shared parts of the local environment, so `npm test` runs them after the other tests.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseHistory } from '../../client/cli/run-history.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import { up } from '../../tools/localenv/lifecycle.ts';
import { isAlive } from '../../tools/localenv/process.ts';
import { stateDir } from '../../tools/localenv/paths.ts';
import { conditionOf, get, res, waitForObject, waitForOpsRequestDone } from '../helpers/cluster.ts';
import {
  applyRotate,
  createCAIssuer,
  createTLSMySQL,
  databaseCertificates as certificates,
  holdIssuance,
  isPaused,
  releaseIssuance,
  waitForCertificatesIssued,
  waitForDatabaseReady,
} from '../helpers/fixtures.ts';
import { CertificateTimeline } from '../helpers/certificate-timeline.ts';
import { assertIssuedOnce } from '../helpers/issued-once.ts';
import { PodTimeline } from '../helpers/pod-timeline.ts';
import { scenario } from '../helpers/scenario.ts';
import { spawnWorker } from '../helpers/worker-process.ts';

/** The test's scenario without a worker of its own: the workers are processes it starts (and kills). */
async function withWorkerProcesses(t: TestContext, prefix: string) {
  const { ns, opsflow } = await scenario(t, prefix, { worker: false, database: false });
  const workers: ChildProcess[] = [];
  t.after(() => workers.forEach((w) => w.kill('SIGKILL')));
  return { ns, opsflow, workers };
}

test('a worker killed in the middle of a step: another worker finishes the rotation, nothing is done twice', async (t) => {
  const { ns, opsflow, workers } = await withWorkerProcesses(t, 'killed');
  workers.push((await spawnWorker(opsflow.temporal.taskQueue)).child);
  await createCAIssuer(ns);
  await createTLSMySQL(ns);
  await waitForDatabaseReady(ns);
  await waitForCertificatesIssued(ns);
  const issuances = await CertificateTimeline.start(ns);

  // Hold issuance back (the Issuer's CA Secret is missing), so the re-issue step is in flight when the worker dies.
  await holdIssuance(ns);
  const timeline = await PodTimeline.start(ns);
  await applyRotate(ns, 'rotate-killed', 'my-db', '  timeout: 30s\n');
  await waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) =>
    conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined,
  );
  // The step is in flight once every re-issue was triggered and the wait for issuance (which heartbeats, so
  // another worker takes it over soon) has begun. Killed while a trigger is still being reported, that
  // trigger would only be retried after its 30 s start-to-close limit, the whole step's time: on a loaded
  // machine (real servers behind the pods) that is where the kill used to land.
  const workflow = opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-killed' }, (await get(res.mysqlOps, ns, 'rotate-killed')).metadata.uid));
  for (const deadline = Date.now() + 30_000; ; await sleep(50)) {
    const completed = parseHistory(await workflow.fetchHistory()).activities.filter((a) => a.type === 'triggerReissue' && a.outcome === 'completed').length;
    if (completed === certificates.length) break;
    assert.ok(Date.now() < deadline, `the re-issues were triggered (${completed} of ${certificates.length})`);
  }
  workers[0].kill('SIGKILL');
  workers.push((await spawnWorker(opsflow.temporal.taskQueue)).child);
  await releaseIssuance(ns);
  const ops = await waitForOpsRequestDone(ns, 'rotate-killed', 90_000);
  await timeline.close();
  await issuances.close();

  assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
  await assertIssuedOnce(t, ns, { certificates, by: 'trigger' }, issuances);
  for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 2, `${pod} restarted exactly once`);
  assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false);
  const history = await opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: 'rotate-killed' }, ops.metadata.uid)).fetchHistory();
  const identities = new Set(history.events!.map((e) => e.activityTaskStartedEventAttributes?.identity).filter(Boolean));
  assert.ok(identities.size >= 2, `activities ran on both workers: ${[...identities].join(', ')}`);
});

test('the watcher survives the API server going away and coming back', async (t) => {
  const { ns } = await scenario(t, 'apiserver');
  await restart('kube-apiserver');
  await applyRotate(ns, 'rotate-after-restart');
  const ops = await waitForOpsRequestDone(ns, 'rotate-after-restart', 90_000);
  assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
});

/** Kills one of the local environment's services (as a crash would) and starts it again, its data kept. */
async function restart(service: string): Promise<void> {
  const { pids } = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8'));
  process.kill(pids[service], 'SIGKILL');
  while (isAlive(pids[service])) await sleep(20);
  await up(() => {}); // starts what is not running, with its data (etcd's, Temporal's database file) still there
}

const midway: { service: string; why: string; when: string; reached: (ns: string) => Promise<unknown> }[] = [
  {
    service: 'kube-apiserver',
    why: 'its transient errors are tried again in the activity',
    when: 'once the first pod is evicted',
    reached: (ns) => waitForObject<any, true>(res.mysqlOps, ns, 'rotate-through-restart', (o) => (o?.status?.conditions?.some((c: any) => c.type.startsWith('EvictPod--')) ? true : undefined)),
  },
  {
    service: 'temporal',
    why: 'the worker and the watcher reconnect, and the run goes on from its history',
    when: 'once the first pod is evicted',
    reached: (ns) => waitForObject<any, true>(res.mysqlOps, ns, 'rotate-through-restart', (o) => (o?.status?.conditions?.some((c: any) => c.type.startsWith('EvictPod--')) ? true : undefined)),
  },
  {
    service: 'cert-manager-controller',
    why: 'the wait for issuance goes on watching, and cert-manager issues once it is back',
    when: 'once the re-issue is triggered',
    reached: (ns) => waitForObject<any, true>(res.certificate, ns, 'my-db-server-cert', (c) => (conditionOf(c, 'Issuing')?.status === 'True' ? true : undefined)),
  },
];

for (const m of midway) {
  test(`${m.service} restarted in the middle of a rotation with maxRetries 0 (${m.when}): ${m.why}; each certificate issued once, each pod restarted once`, async (t) => {
    const { ns } = await scenario(t, `restart-${m.service.split('-')[0]}`);
    const issuances = await CertificateTimeline.start(ns);
    const timeline = await PodTimeline.start(ns);
    await applyRotate(ns, 'rotate-through-restart', 'my-db', '  timeout: 2m\n  maxRetries: 0\n');
    await m.reached(ns);
    await restart(m.service);
    const ops = await waitForOpsRequestDone(ns, 'rotate-through-restart', 150_000);
    await timeline.close();
    await issuances.close();
    assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
    for (const [pod, uids] of timeline.uidsByPod()) assert.equal(uids.length, 2, `${pod} restarted exactly once`);
    await assertIssuedOnce(t, ns, { certificates, by: 'trigger' }, issuances);
    assert.equal(isPaused(await get(res.mysql, ns, 'my-db')), false);
  });
}
