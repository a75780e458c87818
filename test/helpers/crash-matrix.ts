// Crash at every step of an operation: the worker SIGKILLed at each kill point of the operation's run, then
// another started, and what the user is promised checked each time (the operation ends Successful, once).
// The kill points come from the run itself: an operation is first run without faults, and every activity its
// plan's execution called is a kill point, before it does its work and right after it (its result lost), and
// during it for those that heartbeat (the waits, and the reads a run decides from); of an activity called for each pod or each certificate, the first call and the last
// (the points between two pods are the last of one pod's calls and the first of the next one's).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseHistory, type ActivityRun } from '../../client/cli/run-history.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import type { OpsRequestRef } from '../../activities/refs.ts';
import { heartbeating } from '../../workflows/dispatch.ts';
import { createNamespace, deleteNamespace, get, waitForObject, type Res } from './cluster.ts';
import { formatKillPoint, type KillPoint } from './kill-point.ts';
import { startOpsflow, type Opsflow } from './opsflow.ts';
import { CertificateTimeline } from './certificate-timeline.ts';
import { assertIssuedOnce, type Issues } from './issued-once.ts';
import { PodTimeline } from './pod-timeline.ts';
import { spawnWorker, type WorkerProcess } from './worker-process.ts';

export interface Operation {
  /** What the tests are called by: "a rotation", "an add TLS". */
  title: string;
  opsRequest: Res;
  database: Res;
  databaseName: string;
  /** Creates what the operation runs on, in `ns`. */
  setUp(ns: string): Promise<void>;
  /** Applies the operation's OpsRequest, named `name`; `n` counts the runs, for a request that must differ each time. */
  apply(ns: string, name: string, n: number): Promise<void>;
  /** The Certificates the operation issues, and how it asks for each: a re-issue trigger, or creating it. */
  issues?: Issues;
  /** Whether the operation restarts each pod (once), or none. */
  restartsPods: boolean;
  /** The activities whose calls are kill points (default: all); those all operations share are tested with a rotation. */
  only?: string[];
  /** Puts things back for the next case (an add TLS is followed by a remove), with a worker running. */
  reset?(ns: string, name: string): Promise<void>;
}

/** The kill points of a run: its activities in the order they were called. */
export function killPoints(activities: ActivityRun[], only?: string[]): KillPoint[] {
  const calls = new Map<string, number>();
  for (const a of [...activities].sort((x, y) => (x.startedAt ?? x.scheduledAt) - (y.startedAt ?? y.scheduledAt))) {
    if (!only || only.includes(a.type)) calls.set(a.type, (calls.get(a.type) ?? 0) + 1);
  }
  const points: KillPoint[] = [];
  for (const [activity, count] of calls) {
    for (const call of count > 1 ? [1, count] : [1]) {
      points.push({ activity, call, when: 'before' });
      if (heartbeating.has(activity as never)) points.push({ activity, call, when: 'during' });
      points.push({ activity, call, when: 'after' });
    }
  }
  return points;
}

const done = (r: Res, ns: string, name: string, timeoutMs = 120_000) =>
  waitForObject<any, any>(r, ns, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined), timeoutMs);

/** Condition types with pod names taken out (a primary that moved changes the pods' order, not the steps). */
const stepTypes = (ops: any, pods: string[]) =>
  (ops.status.conditions as any[]).map((c) => pods.reduce((t: string, p) => t.replace(`--${p}`, '--<pod>'), c.type));

async function stopWorker(w: WorkerProcess) {
  w.child.kill('SIGTERM');
  await w.exited;
}

/** The crash tests of `op`: a run without faults first (it names the kill points), then one subtest per point. */
export function crashMatrix(op: Operation): void {
  test(`${op.title}: the worker killed at each kill point of its run, another started`, { timeout: 60 * 60_000 }, async (t) => {
    const ns = await createNamespace('crash');
    // A workflow task held by a lost worker goes to another after 2 s (Temporal's default is 10 s).
    const opsflow: Opsflow = await startOpsflow(ns, { worker: false, workflowTaskTimeoutMs: 2000 });
    t.after(async () => {
      await opsflow.stop();
      await deleteNamespace(ns);
    });
    const taskQueue = opsflow.temporal.taskQueue;
    const setUpWorker = await spawnWorker(taskQueue);
    let reference: any;
    try {
      await op.setUp(ns);
      await op.apply(ns, 'reference', 0);
      reference = await done(op.opsRequest, ns, 'reference');
      assert.equal(reference.status.phase, 'Successful', JSON.stringify(reference.status.conditions));
      if (op.reset) await op.reset(ns, 'reference');
    } finally {
      await stopWorker(setUpWorker);
    }
    const history = await opsflow.client.workflow.getHandle(opsRequestWorkflowId({ kind: op.opsRequest.kind as OpsRequestRef['kind'], namespace: ns, name: 'reference' }, reference.metadata.uid)).fetchHistory();
    const points = killPoints(parseHistory(history).activities, op.only);
    assert.ok(points.length > 0, 'the run has kill points');
    t.diagnostic(`${points.length} kill points`);

    let n = 0;
    for (const point of points) {
      const name = `crash-${++n}`;
      const run = n;
      await t.test(`killed ${point.when} ${point.activity} (call ${point.call}): another worker finishes it, once`, { timeout: 300_000 }, async (c) => {
        const certificates = op.issues && (await CertificateTimeline.start(ns));
        // The database's own pods (a backend in the namespace is not the operation's).
        const timeline = await PodTimeline.start(ns, `app.kubernetes.io/instance=${op.databaseName}`);
        const killed = await spawnWorker(taskQueue, 'info', formatKillPoint(point));
        let next: WorkerProcess | undefined;
        let ops: any;
        try {
          await op.apply(ns, name, run);
          // Killed right after the final status write, the worker may be seen dying just after the phase it wrote.
          const finishedFirst = done(op.opsRequest, ns, name).then(() => Promise.race([killed.exited, sleep(5000).then(() => 'not killed')]));
          const signal = await Promise.race([killed.exited, finishedFirst]);
          assert.equal(signal, 'SIGKILL', `the worker was killed at ${formatKillPoint(point)} (the run finished without reaching it)`);
          next = await spawnWorker(taskQueue);
          ops = await done(op.opsRequest, ns, name);
        } finally {
          await timeline.close();
          await certificates?.close();
          killed.child.kill('SIGKILL');
        }
        try {
          assert.equal(ops.status.phase, 'Successful', JSON.stringify(ops.status.conditions, null, 2));
          const pods = timeline.uidsByPod();
          assert.ok(pods.size > 0, 'pods were watched');
          assert.deepEqual(stepTypes(ops, [...pods.keys()]), stepTypes(reference, [...pods.keys()]), 'the same steps, in the same order, as a run without faults');
          assert.ok(ops.status.conditions.every((c: any) => c.status === 'True'), JSON.stringify(ops.status.conditions));
          for (const [pod, uids] of pods) assert.equal(uids.length, op.restartsPods ? 2 : 1, `${pod} restarted ${op.restartsPods ? 'exactly once' : 'never'}: ${uids.join(', ')}`);
          const db = await get(op.database, ns, op.databaseName);
          assert.notEqual(db.status?.conditions?.find((c: any) => c.type === 'Paused')?.status, 'True', 'the database is resumed');
          if (certificates) await assertIssuedOnce(c, ns, op.issues!, certificates);
        } finally {
          // Put back for the next case even when this one failed, so that one failure stays one.
          try {
            if (op.reset && ops?.status?.phase === 'Successful') await op.reset(ns, name);
          } finally {
            if (next) await stopWorker(next);
          }
        }
      });
    }
  });
}
