// A fleet: `databases` TLS MySQLs of 3 pods each, all rotated at once by `opsflow worker` processes (one, then
// two, or the counts asked for), the watcher in this process. Measured: the wall time against one rotation alone, the completion
// curve, the slowest operation against the median, each worker's peak RSS (and its parts) and event-loop delay, how the work
// split between the workers (workflow and activity tasks, from the histories), history events per operation,
// and the API server's own counts over the span (requests by verb and open watches, every client included).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readFile, rm } from 'node:fs/promises';
import { request, type RequestOptions } from 'node:https';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { runWatcher } from '../../client/watcher.ts';
import { opsRequestWorkflowId } from '../../client/workflow-ids.ts';
import type { Certificate } from '../../model/types.ts';
import { connectKube } from '../../platform/kube.ts';
import type { Logger } from '../../platform/logger.ts';
import { observe, waitFor } from '../../platform/watch.ts';
import { environmentPids } from '../localenv/lifecycle.ts';
import { repoRoot, stateDir } from '../localenv/paths.ts';
import { cpuSpan } from './cpu-time.ts';

export interface FleetRun {
  workers: number;
  wallMs: number;
  /** ms from the requests applied to each one Successful, sorted. */
  completions: number[];
  medianMs: number;
  slowestMs: number;
  failed: number;
  peakRssMb: number[];
  loopDelayMs: WorkerProbe['loopDelayMs'][];
  /** Per worker, at its resident set's peak: the main thread's V8 heap and the workflow thread's (total, used), Node's buffers outside them, the rest. */
  memoryMb: WorkerProbe['memoryMb'][];
  /** Per worker: workflow tasks and activity tasks it ran. */
  split: { workflowTasks: number; activityTasks: number }[];
  eventsPerOperation: number;
  apiServer: { requests: Record<string, number>; openWatchesAtEnd: number };
  /** CPU seconds each process used over the run: the environment's, each worker's, the benchmark's (its watcher). */
  cpuSeconds: Record<string, number>;
}

export interface FleetFigures {
  databases: number;
  aloneMs: number;
  runs: FleetRun[];
}

/** What tools/bench/worker-probe.ts reports from inside a worker. */
interface WorkerProbe {
  loopDelayMs: { p50: number; p99: number; max: number };
  memoryMb: { rss: number; heapTotal: number; heapUsed: number; workflowHeapTotal: number; workflowHeapUsed: number; external: number; rest: number };
}

interface BenchWorker {
  child: ChildProcess;
  probeFile: string;
  exited: Promise<void>;
}

// Not the tests' spawnWorker: that one keeps all its worker logs, and a fleet's worker logs for minutes.
// The workers run with the heap limits, glibc arenas and workflow cache that deploy/opsflow/deployment.yaml gives
// them; BENCH_WORKER_NODE_OPTIONS, MALLOC_ARENA_MAX and OPSFLOW_MAX_CACHED_WORKFLOWS set others
// (BENCH_WORKER_NODE_OPTIONS= for Node's defaults, MALLOC_ARENA_MAX= for glibc's).
function spawnWorker(taskQueue: string, n: number): Promise<BenchWorker> {
  const probeFile = join(stateDir, `bench-worker-probe-${n}.json`);
  const child = spawn(process.execPath, ['--import', join(repoRoot, 'tools', 'bench', 'worker-probe.ts'), join(repoRoot, 'client', 'cli.ts'), 'worker'], {
    env: { ...process.env, NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '--max-old-space-size=256 --max-semi-space-size=2', MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? '2', OPSFLOW_MAX_CACHED_WORKFLOWS: process.env.OPSFLOW_MAX_CACHED_WORKFLOWS ?? '1000', OPSFLOW_TASK_QUEUE: taskQueue, LOG_LEVEL: 'info', LOG_FORMAT: 'json', OPSFLOW_BENCH_PROBE_FILE: probeFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      if (out.length < 100_000) out += chunk;
      if (out.includes('"msg":"worker running"')) resolve({ child, probeFile, exited });
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${out.slice(-2000)}`)));
  });
}

async function probe(w: BenchWorker): Promise<WorkerProbe> {
  await rm(w.probeFile, { force: true });
  w.child.kill('SIGWINCH');
  for (let i = 0; i < 100; i++) {
    try {
      return JSON.parse(await readFile(w.probeFile, 'utf8'));
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error('the worker did not report its event-loop delay and memory');
}

function rssMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0; // exited
  }
}

/** The API server's request counts by verb and its open watches, from its /metrics (every client's). */
async function apiServerCounts(kube: ReturnType<typeof connectKube>): Promise<{ requests: Record<string, number>; watches: number }> {
  const server = new URL(kube.config.getCurrentCluster()!.server);
  const options: RequestOptions = { host: server.hostname, port: server.port, path: '/metrics', method: 'GET' };
  await kube.config.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    const req = request(options, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c)).on('end', () => resolve(body));
    });
    req.on('error', reject).end();
  });
  const requests: Record<string, number> = {};
  let watches = 0;
  for (const line of text.split('\n')) {
    const total = /^apiserver_request_total\{(.*)\} (\S+)$/.exec(line);
    if (total) {
      const verb = /verb="([^"]+)"/.exec(total[1])?.[1] ?? '?';
      requests[verb] = (requests[verb] ?? 0) + Number(total[2]);
    }
    const longRunning = /^apiserver_longrunning_requests\{(.*)\} (\S+)$/.exec(line);
    if (longRunning && /verb="WATCH"/.test(longRunning[1])) watches += Number(longRunning[2]);
  }
  return { requests, watches };
}

export async function measureFleet(o: { client: Client; logger: Logger; databases: number; workerCounts: number[] }): Promise<FleetFigures> {
  const { apply, createNamespace, deleteNamespace } = await import('../../test/helpers/cluster.ts');
  const { applyRotate, createCAIssuer } = await import('../../test/helpers/fixtures.ts');
  const kube = connectKube();
  const ns = await createNamespace('fleet');
  const taskQueue = `fleet-${Date.now()}`;
  const stopWatcher = new AbortController();
  const watcher = runWatcher({ kube, client: o.client, taskQueue, logger: o.logger, namespace: ns, signal: stopWatcher.signal });
  // Phases as a watch sees them: when each request ended, and how.
  const ended = new Map<string, { at: number; phase: string }>();
  const waiters = new Set<() => void>();
  const allEnded = (requests: string[]) =>
    new Promise<void>((resolve) => {
      const check = () => requests.every((r) => ended.has(r)) && (waiters.delete(check), resolve());
      waiters.add(check);
      check();
    });
  const stopWatch = new AbortController();
  const watching = observe<any>(
    kube,
    { apiVersion: 'ops.kubedb.com/v1alpha1', kind: 'MySQLOpsRequest', plural: 'mysqlopsrequests', namespace: ns },
    {},
    ({ objects }) => {
      for (const ops of objects.values()) {
        if (!ended.has(ops.metadata.name) && ['Successful', 'Failed', 'Skipped'].includes(ops.status?.phase)) ended.set(ops.metadata.name, { at: performance.now(), phase: ops.status.phase });
      }
      for (const check of waiters) check();
    },
    stopWatch.signal,
  );
  const names = Array.from({ length: o.databases }, (_, i) => `db-${i + 1}`);
  const rotateAll = async (prefix: string) => {
    const t0 = performance.now();
    await Promise.all(names.map((db) => applyRotate(ns, `${prefix}-${db}`, db)));
    const requests = names.map((db) => `${prefix}-${db}`);
    await allEnded(requests);
    return { t0, requests };
  };
  const figures: FleetFigures = { databases: o.databases, aloneMs: 0, runs: [] };
  let workers: BenchWorker[] = [await spawnWorker(taskQueue, 1)];
  try {
    await createCAIssuer(ns);
    const yaml = await readFile(new URL('../../deploy/examples/mysql-tls/2-mysql.yaml', import.meta.url), 'utf8');
    for (let i = 0; i < names.length; i += 20) await Promise.all(names.slice(i, i + 20).map((db) => apply(ns, yaml.replace('name: my-db\n', `name: ${db}\n`))));
    const certificates = o.databases * 3 + 1;
    await waitFor<Certificate, true>(
      kube,
      { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates', namespace: ns },
      {},
      (all) => (all.length >= certificates && all.every((c) => (c.status?.revision ?? 0) >= 1 && c.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')) ? true : undefined),
      AbortSignal.timeout(600_000),
    );
    await waitFor<any, true>(kube, { apiVersion: 'kubedb.com/v1', kind: 'MySQL', plural: 'mysqls', namespace: ns }, {}, (all) => (all.length === o.databases && all.every((d) => d.status?.phase === 'Ready') ? true : undefined), AbortSignal.timeout(600_000));
    console.log(`  ${o.databases} databases, ${o.databases * 3} pods, ${certificates} certificates ready`);
    const alone = performance.now();
    await applyRotate(ns, 'alone', names[0]);
    await allEnded(['alone']);
    figures.aloneMs = Math.round(performance.now() - alone);
    console.log(`  one rotation alone: ${figures.aloneMs} ms`);

    for (const count of o.workerCounts) {
      while (workers.length < count) workers.push(await spawnWorker(taskQueue, workers.length + 1));
      const identities = workers.map((w) => `${w.child.pid}@`);
      const before = await apiServerCounts(kube);
      await Promise.all(workers.map(probe));
      const peak = workers.map(() => 0);
      const sampler = setInterval(() => workers.forEach((w, i) => (peak[i] = Math.max(peak[i], rssMb(w.child.pid!)))), 250);
      const cpu = cpuSpan({ ...environmentPids(), ...Object.fromEntries(workers.map((w, i) => [`worker ${i + 1}`, w.child.pid!])), benchmark: process.pid });
      const { t0, requests } = await rotateAll(`w${count}`);
      const cpuSeconds = cpu();
      clearInterval(sampler);
      const wallMs = performance.now() - t0;
      const probes = await Promise.all(workers.map(probe));
      const delays = probes.map((p) => p.loopDelayMs);
      const after = await apiServerCounts(kube);
      const completions = requests.map((r) => Math.round(ended.get(r)!.at - t0)).sort((a, b) => a - b);
      const split = workers.map(() => ({ workflowTasks: 0, activityTasks: 0 }));
      let events = 0;
      const history = async (r: string) => {
        const uid = ((await kube.custom.getNamespacedCustomObject({ group: 'ops.kubedb.com', version: 'v1alpha1', plural: 'mysqlopsrequests', namespace: ns, name: r })) as any).metadata.uid;
        const handle = o.client.workflow.getHandle(opsRequestWorkflowId({ kind: 'MySQLOpsRequest', namespace: ns, name: r }, uid));
        await handle.result().catch(() => {});
        return handle.fetchHistory();
      };
      const histories = [];
      for (let i = 0; i < requests.length; i += 10) histories.push(...(await Promise.all(requests.slice(i, i + 10).map(history))));
      for (const history of histories) {
        events += history.events!.length;
        for (const e of history.events!) {
          const identity = e.workflowTaskStartedEventAttributes?.identity ?? e.activityTaskStartedEventAttributes?.identity;
          const i = identities.findIndex((id) => identity?.startsWith(id));
          if (i < 0) continue;
          if (e.workflowTaskStartedEventAttributes) split[i].workflowTasks++;
          else split[i].activityTasks++;
        }
      }
      const requestDelta = Object.fromEntries(Object.entries(after.requests).map(([verb, n]) => [verb, n - (before.requests[verb] ?? 0)]).filter(([, n]) => (n as number) > 0));
      const run: FleetRun = {
        workers: count,
        wallMs: Math.round(wallMs),
        completions,
        medianMs: completions[Math.floor(completions.length / 2)],
        slowestMs: completions.at(-1)!,
        failed: requests.filter((r) => ended.get(r)!.phase !== 'Successful').length,
        peakRssMb: peak.map((m) => Math.round(m)),
        loopDelayMs: delays,
        memoryMb: probes.map((p) => p.memoryMb),
        split,
        eventsPerOperation: Math.round(events / requests.length),
        apiServer: { requests: requestDelta, openWatchesAtEnd: after.watches },
        cpuSeconds,
      };
      figures.runs.push(run);
      console.log(
        `  ${count} worker${count > 1 ? 's' : ''}: wall ${run.wallMs} ms (${(run.wallMs / figures.aloneMs).toFixed(1)}× one alone), median ${run.medianMs} ms, slowest ${run.slowestMs} ms (${(run.slowestMs / run.medianMs).toFixed(2)}× median), ${run.failed} not Successful; peak RSS ${run.peakRssMb.join(' + ')} MB (${run.memoryMb.map((m) => `heap ${m.heapUsed} of ${m.heapTotal}, workflow thread's heap ${m.workflowHeapUsed} of ${m.workflowHeapTotal}, buffers ${m.external}, the rest ${m.rest}`).join(' | ')}); event-loop delay p99 ${delays.map((d) => d.p99).join(' / ')} ms; split ${split.map((s) => `${s.workflowTasks} workflow + ${s.activityTasks} activity tasks`).join(' | ')}; ${run.eventsPerOperation} events per operation; API server: ${Object.entries(requestDelta).map(([v, n]) => `${v} ${n}`).join(', ')}, ${after.watches} watches open`,
      );
      const cores = (run.wallMs / 1000) * availableParallelism();
      console.log(`    CPU over the run (${cores.toFixed(0)} core-seconds): ${Object.entries(cpuSeconds).sort((a, b) => b[1] - a[1]).map(([name, sec]) => `${name} ${sec} s (${Math.round((sec / cores) * 100)} %)`).join(', ')}`);
    }
  } finally {
    for (const w of workers) w.child.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exited));
    stopWatch.abort();
    await watching;
    stopWatcher.abort();
    await watcher;
    await deleteNamespace(ns);
  }
  return figures;
}
