// A pod that is slow to become Ready costs time, not requests: opsflow's waits are watches. A rotation of the
// same 3-pod MySQL measured twice: as it is, then with one pod held unready for `holdMs`. The hold: the
// simulated kubelet (kwok) is stopped with SIGSTOP as soon as the first pod is evicted and continued `holdMs`
// later, so that pod's replacement stays Pending, not Ready, meanwhile (30 s is inside the node's lease, so no
// node goes NotReady). Reported for each: the time and opsflow's Kubernetes API requests, by kind.
import type { V1Pod } from '@kubernetes/client-node';
import { connectKube, pods as podCollection } from '../../platform/kube.ts';
import { observe } from '../../platform/watch.ts';
import { environmentPids } from '../localenv/lifecycle.ts';
import { total, type RequestCounter } from './request-counter.ts';

export interface HeldUnreadyRun {
  held: boolean;
  ms: number;
  phase: string;
  requests: Record<string, number>;
}

export interface HeldUnreadyFigures {
  holdMs: number;
  runs: HeldUnreadyRun[];
  /** held − not held */
  extraMs: number;
  extraRequests: number;
}

const kwokPid = (): number => {
  const pid = environmentPids().kwok;
  if (!pid) throw new Error('the local environment records no kwok process');
  return pid;
};

/** Rotations of the 3-pod MySQL `db` in `ns` (TLS on, simulated pods), the second with one pod held unready. */
export async function measureHeldUnready(o: { counter: RequestCounter; ns: string; db: string; holdMs: number }): Promise<HeldUnreadyFigures> {
  const { applyRotate } = await import('../../test/helpers/fixtures.ts');
  const { waitForOpsRequestDone } = await import('../../test/helpers/cluster.ts');
  const kube = connectKube();
  const runs: HeldUnreadyRun[] = [];
  for (const held of [false, true]) {
    const name = `${o.db}-${held ? 'held' : 'not-held'}`;
    const stop = new AbortController();
    let release: Promise<void> = Promise.resolve();
    if (held) {
      // The first pod of the database seen terminating or gone: kwok stopped at once, continued holdMs later.
      let stopped = false;
      void observe<V1Pod>(
        kube,
        podCollection(o.ns),
        { labelSelector: `app.kubernetes.io/instance=${o.db}` },
        ({ objects, type }) => {
          if (stopped || (type !== 'DELETED' && ![...objects.values()].some((p) => p.metadata?.deletionTimestamp))) return;
          stopped = true;
          const pid = kwokPid();
          process.kill(pid, 'SIGSTOP');
          release = new Promise((resolve) => setTimeout(() => (process.kill(pid, 'SIGCONT'), resolve()), o.holdMs));
        },
        stop.signal,
      );
    }
    o.counter.start();
    const t0 = performance.now();
    let ops, ms, requests;
    try {
      await applyRotate(o.ns, name, o.db);
      ops = await waitForOpsRequestDone(o.ns, name, o.holdMs + 120_000);
      ms = performance.now() - t0;
    } finally {
      requests = o.counter.stop();
      stop.abort();
      // Never leave kwok stopped, even when the run failed.
      await release;
    }
    runs.push({ held, ms: Math.round(ms), phase: ops.status.phase, requests });
    console.log(`  ${held ? `one pod held unready ${o.holdMs / 1000} s` : 'as it is'}: ${ops.status.phase} in ${Math.round(ms)} ms, ${total(requests)} requests`);
  }
  const [plain, held] = runs;
  return { holdMs: o.holdMs, runs, extraMs: held.ms - plain.ms, extraRequests: total(held.requests) - total(plain.requests) };
}
