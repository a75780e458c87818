// `npm run bench`: opsflow's performance figures, on simulated pods (kwok makes them Ready; nothing runs in
// them), so that what is measured is orchestration, not database start-up. Brings the local environment up
// that way when it is not running (and takes it down again after); refuses one running real servers.
// Prints the figures, writes them whole to bench-results/<time>.json and the plots to docs/bench/*.png.
// BENCH_TRIGGERS (default 100) sets how many requests the trigger latency is measured over, BENCH_FLEET
// (default 200) how many databases the fleet has, BENCH_FLEET_WORKERS (default 1,2) the worker counts it is run
// with, BENCH_SECTIONS (default floor,overhead,unready,trigger,fleet) which parts run (the held-unready rotation and the
// trigger latency need the overhead's databases, so either brings the overhead along).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube } from '../../platform/kube.ts';
import { down, status, up } from '../localenv/lifecycle.ts';
import { repoRoot, stateDir } from '../localenv/paths.ts';
import { readMode } from '../pod-runtime/mode.ts';
import { readActivityLatencies, type ActivityLatency } from './activity-latency.ts';
import { measureFleet } from './fleet.ts';
import { measureHeldUnready } from './held-unready.ts';
import { measureOverhead } from './overhead.ts';
import { measureTemporalFloor, median, type TemporalFloor } from './temporal-floor.ts';
import { startBenchOpsflow } from './opsflow.ts';
import { checkChromium, renderPlots, type Plot } from './plot.ts';
import { byVerb, RequestCounter, total } from './request-counter.ts';
import { measureTriggerLatency } from './trigger-latency.ts';

try {
  checkChromium();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const quiet = () => {};
const wasRunning = await status(quiet);
if (wasRunning && readMode(stateDir)?.enabled) {
  console.error('the local environment runs real servers behind its pods; the benchmarks measure orchestration on simulated pods: run `npm run env:down`, then `npm run bench` again (it brings the environment up with OPSFLOW_SIMULATED_PODS=1)');
  process.exit(1);
}
process.env.OPSFLOW_SIMULATED_PODS = '1';
// Nothing listens in a simulated pod: what a pod serves is not checked.
process.env.OPSFLOW_VERIFY_SERVING = 'false';
await up(() => {});
loadLocalEnvDefaults();
const { tlsKinds } = await import('../../test/helpers/tls-kinds.ts');

const started = new Date();
const kube = connectKube();
const counter = new RequestCounter(kube);
const opsflow = await startBenchOpsflow('bench', kube);
const kinds = ['MySQL', 'PerconaXtraDB'].map((k) => tlsKinds.find((x) => x.kind === k)!);
const podCounts = [1, 3, 5];

const sections = new Set((process.env.BENCH_SECTIONS ?? 'floor,overhead,unready,trigger,fleet').split(','));
let floor: TemporalFloor | undefined;
if (sections.has('floor')) {
  console.log('0. Temporal\'s own cost per step (no-op activities, 30 in sequence, 3 rounds): the local environment\'s dev server, then one on Temporal\'s defaults');
  floor = await measureTemporalFloor();
  for (const [server, ms] of [['local environment', floor.localEnvironment], ['Temporal\'s defaults', floor.defaults]] as const) {
    console.log(`  ${server.padEnd(20)} regular ${ms.regularSteps.join(' / ')} ms; local ${ms.localSteps.join(' / ')} ms; a local then a regular ${ms.pairedSteps.join(' / ')} ms`);
  }
}
let overhead: Awaited<ReturnType<typeof measureOverhead>> = [];
let activities: ActivityLatency[] = [];
if (sections.has('overhead') || sections.has('unready') || sections.has('trigger')) {
  console.log(`1. overhead per operation (${kinds.map((k) => k.kind).join(', ')}; ${podCounts.join(', ')} pods): operation against the floor by hand, on the same database`);
  overhead = await measureOverhead({ client: opsflow.client, counter, ns: opsflow.ns, kinds, podCounts });
  activities = await readActivityLatencies(opsflow.metricsAddress, opsflow.taskQueue);
}

let unready;
if (sections.has('unready')) {
  console.log('1b. a 3-pod MySQL rotation as it is, then with one pod held unready for 30 s: what the long wait costs');
  unready = await measureHeldUnready({ counter, ns: opsflow.ns, db: `${kinds[0].db}-3`, holdMs: 30_000 });
  console.log(`  held: ${unready.extraMs} ms longer, ${unready.extraRequests} requests more`);
}

const triggers = Number(process.env.BENCH_TRIGGERS ?? 100);
let trigger;
if (sections.has('trigger')) {
  console.log(`2. trigger latency over ${triggers} requests (rotations of a 1-pod MySQL, one after another)`);
  trigger = await measureTriggerLatency({ client: opsflow.client, ns: opsflow.ns, db: `${kinds[0].db}-1`, count: triggers });
  console.log(`  created → workflow started: p50 ${trigger.startedMs.p50} ms, p99 ${trigger.startedMs.p99} ms, max ${trigger.startedMs.max} ms`);
  console.log(`  created → phase Progressing: p50 ${trigger.progressingMs.p50} ms, p99 ${trigger.progressingMs.p99} ms, max ${trigger.progressingMs.max} ms`);
}

const databases = Number(process.env.BENCH_FLEET ?? 200);
let fleet;
if (sections.has('fleet')) {
  const workerCounts = (process.env.BENCH_FLEET_WORKERS ?? '1,2').split(',').map(Number);
  console.log(`3. a fleet of ${databases} databases × 3 pods, rotated at once by ${workerCounts.join(', then ')} worker(s)`);
  fleet = await measureFleet({ client: opsflow.client, logger: opsflow.logger, databases, workerCounts });
}

if (overhead.length) {
  console.log('4. cost per operation: Kubernetes API requests by verb, history events');
  for (const f of overhead) {
    const verbs = Object.entries(byVerb(f.requests)).map(([v, n]) => `${v} ${n}`).join(', ');
    console.log(`  ${f.kind.padEnd(14)} ${f.variant.padEnd(8)} ${String(f.pods).padStart(2)} pods  ${String(total(f.requests)).padStart(4)} requests (${verbs}); ${f.events} events, ${f.activities} activities (${f.localActivities} local); run ${f.runMs} ms, waiting ${f.waitingMs} ms, orchestration ${f.runMs - f.waitingMs} ms`);
  }
  console.log('   where the run\'s time goes (sums from the history): workflow tasks queued / in the worker; regular activities queued / running; local activities');
  for (const f of overhead) {
    const b = f.breakdown;
    console.log(`  ${f.kind.padEnd(14)} ${f.variant.padEnd(8)} ${String(f.pods).padStart(2)} pods  ${b.workflowTasks} workflow tasks ${b.workflowTaskQueuedMs} / ${b.workflowTaskRunMs} ms; ${b.regularActivities} activities ${b.activityQueuedMs} / ${b.activityRunMs} ms (waits ${f.waitingMs} ms); ${b.localActivities} local ${b.localActivityMs} ms`);
  }
  console.log(`   by activity, over the ${overhead.length} operations (the SDK's metrics): calls per operation, mean time executing / end to end`);
  for (const a of activities) {
    console.log(`  ${a.type.padEnd(26)} ${a.local ? 'local  ' : 'regular'} ${(a.count / overhead.length).toFixed(1).padStart(5)}  ${a.executionMs} / ${a.endToEndMs} ms`);
  }
  if (floor) {
    // What the same number of no-op steps costs: the part of the overhead that is Temporal's, not opsflow's calls.
    const [r, l] = [median(floor.localEnvironment.regularSteps), median(floor.localEnvironment.localSteps)];
    console.log(`   Temporal's floor for each operation's shape (its regular activities × ${r} ms + its local ones × ${l} ms) against its overhead`);
    for (const f of overhead) {
      const shape = Math.round((f.activities - f.localActivities) * r + f.localActivities * l);
      console.log(`  ${f.kind.padEnd(14)} ${f.variant.padEnd(8)} ${String(f.pods).padStart(2)} pods  ${shape} ms of ${f.overheadMs} ms`);
    }
  }
}

const results = { started: started.toISOString(), machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, floor, overhead, activities, unready, trigger, fleet };
await mkdir(join(repoRoot, 'bench-results'), { recursive: true });
const resultsFile = join(repoRoot, 'bench-results', `${started.toISOString().replaceAll(':', '-')}.json`);
await writeFile(resultsFile, JSON.stringify(results, null, 2));

const plotDir = join(repoRoot, 'docs', 'bench');
await mkdir(plotDir, { recursive: true });
const series = (f: (typeof overhead)[number]) => `${f.kind} ${f.variant}`;
// Only the plots of the parts that ran, so that a partial run leaves the others' plots as they were.
const plots: Plot[] = [];
if (overhead.length) {
  plots.push(
    {
      file: join(plotDir, 'overhead.png'),
      spec: {
        title: 'Orchestration overhead per pod (operation − floor, ÷ pods)',
        width: 520,
        height: 280,
        data: { values: overhead.map((f) => ({ pods: f.pods, overhead: f.overheadPerPodMs, operation: series(f) })) },
        layer: [{ mark: { type: 'line', point: true } }, { mark: { type: 'rule', strokeDash: [4, 4], color: 'firebrick' }, encoding: { y: { datum: 100 } } }],
        encoding: {
          x: { field: 'pods', type: 'quantitative', title: 'pods', scale: { domain: [0, Math.max(...podCounts) + 1] } },
          y: { field: 'overhead', type: 'quantitative', title: 'overhead per pod (ms); goal ≤ 100' },
          color: { field: 'operation', type: 'nominal' },
        },
      },
    },
    {
      file: join(plotDir, 'requests.png'),
      spec: {
        title: 'Kubernetes API requests per operation',
        width: 520,
        height: 280,
        data: { values: overhead.map((f) => ({ pods: f.pods, requests: total(f.requests), operation: series(f) })) },
        layer: [{ mark: { type: 'line', point: true } }, { mark: { type: 'rule', strokeDash: [4, 4], color: 'firebrick' }, encoding: { y: { datum: 30 } } }],
        encoding: {
          x: { field: 'pods', type: 'quantitative', title: 'pods', scale: { domain: [0, Math.max(...podCounts) + 1] } },
          y: { field: 'requests', type: 'quantitative', title: 'requests (goal for a 3-pod rotation: ≤ 30)' },
          color: { field: 'operation', type: 'nominal' },
        },
      },
    },
  );
}
if (fleet) {
  plots.push({
    file: join(plotDir, 'fleet.png'),
    spec: {
      title: `A fleet of ${databases} 3-pod MySQLs rotated at once: operations Successful over time`,
      width: 520,
      height: 280,
      data: { values: fleet.runs.flatMap((r) => r.completions.map((ms, i) => ({ s: ms / 1000, done: i + 1, workers: `${r.workers} worker${r.workers > 1 ? 's' : ''}` }))) },
      mark: 'line',
      encoding: {
        x: { field: 's', type: 'quantitative', title: 'seconds since the requests were applied' },
        y: { field: 'done', type: 'quantitative', title: 'operations Successful' },
        color: { field: 'workers', type: 'nominal' },
      },
    },
  });
}
await renderPlots(plots);
await opsflow.stop();
if (!wasRunning) await down(quiet);
console.log(`figures: ${resultsFile}; plots: ${plots.map((p) => p.file).join(', ')} (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
process.exit(0);
