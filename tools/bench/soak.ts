// `npm run bench:soak -- [minutes] [break-every-minutes]`: opsflow's worker and watcher in this process, rotating
// a 3-pod TLS MySQL over and over for `minutes` (default 10), with the API server SIGKILLed and started again
// every `break-every-minutes` (default 2), so every watch breaks and reconnects. Every ten rotations the heap
// is measured after a full garbage collection; the figures, and the heap's growth per hour over the second
// half of the run (a linear fit), are printed. A leak shows as a growth that does not level off.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube } from '../../platform/kube.ts';
import { environmentPids, up } from '../localenv/lifecycle.ts';
import { startBenchOpsflow } from './opsflow.ts';
import { isAlive } from '../localenv/process.ts';

const minutes = Number(process.argv[2] ?? 10);
const breakEveryMs = Number(process.argv[3] ?? 2) * 60_000;
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

await up(() => {});
loadLocalEnvDefaults();
const { applyRotate, createCAIssuer, createTLSMySQL, waitForCertificatesIssued, waitForDatabaseReady } = await import('../../test/helpers/fixtures.ts');
const { kube: admin, res, waitForOpsRequestDone } = await import('../../test/helpers/cluster.ts');

const opsflow = await startBenchOpsflow('soak', connectKube());
const { ns } = opsflow;
await createCAIssuer(ns);
await createTLSMySQL(ns);
await waitForDatabaseReady(ns);
await waitForCertificatesIssued(ns);

async function restartApiServer(): Promise<void> {
  const pids = environmentPids();
  process.kill(pids['kube-apiserver'], 'SIGKILL');
  while (isAlive(pids['kube-apiserver'])) await new Promise((r) => setTimeout(r, 20));
  await up(() => {});
}

const mb = (n: number) => n / 2 ** 20;
const samples: { minute: number; rotations: number; heapMB: number; rssMB: number }[] = [];
const sample = (rotations: number) => {
  gc();
  const m = process.memoryUsage();
  samples.push({ minute: (Date.now() - t0) / 60_000, rotations, heapMB: mb(m.heapUsed), rssMB: mb(m.rss) });
  const s = samples.at(-1)!;
  console.log(`${s.minute.toFixed(1).padStart(6)} min ${String(rotations).padStart(5)} rotations  heap ${s.heapMB.toFixed(1)} MB  rss ${s.rssMB.toFixed(0)} MB`);
};

const t0 = Date.now();
let lastBreak = t0;
let rotations = 0;
let failed = 0;
let breaks = 0;
sample(0);
while (Date.now() - t0 < minutes * 60_000) {
  const name = `soak-${rotations}`;
  await applyRotate(ns, name);
  const ops = await waitForOpsRequestDone(ns, name, 300_000);
  if (ops.status.phase !== 'Successful') failed++;
  rotations++;
  // Finished requests are deleted, as a cluster's housekeeping would: what stays is opsflow's own memory.
  await admin.custom.deleteNamespacedCustomObject({ ...res.mysqlOps, namespace: ns, name });
  if (rotations % 10 === 0) sample(rotations);
  if (Date.now() - lastBreak >= breakEveryMs) {
    await restartApiServer();
    breaks++;
    lastBreak = Date.now();
  }
}
sample(rotations);

/** Least-squares slope of heap over time, MB per hour, for the samples of the run's second half. */
const half = samples.filter((s) => s.minute >= minutes / 2);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const mx = mean(half.map((s) => s.minute));
const my = mean(half.map((s) => s.heapMB));
const slope = half.reduce((a, s) => a + (s.minute - mx) * (s.heapMB - my), 0) / half.reduce((a, s) => a + (s.minute - mx) ** 2, 0);
console.log(`${rotations} rotations (${failed} not Successful), ${breaks} API server restarts, in ${((Date.now() - t0) / 60_000).toFixed(1)} min`);
console.log(`heap after GC: first ${samples[0].heapMB.toFixed(1)} MB, last ${samples.at(-1)!.heapMB.toFixed(1)} MB; over the second half ${(slope * 60).toFixed(1)} MB/hour`);
console.log(JSON.stringify({ minutes, breakEveryMs, rotations, failed, breaks, samples }));

await opsflow.stop();
process.exit(failed ? 1 : 0);
