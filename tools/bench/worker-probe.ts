// Loaded into a benchmark's worker process (node --import): its event-loop delay and the peak of its memory by
// part (the main thread's V8 heap; the workflow thread's, where the SDK runs and caches the workflows; memory
// held outside them by Node's buffers; the rest of the resident set: the Temporal core and native code), written
// as JSON to OPSFLOW_BENCH_PROBE_FILE on each SIGWINCH (then measured afresh), so the fleet benchmark reads them
// over exactly the span it measures. Not SIGUSR2: Temporal's runtime shuts the worker down on that one.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay } from 'node:perf_hooks';

// The SDK starts its workflow thread with `new worker_threads.Worker(...)`, read from the module when it is
// called: a subclass put there first keeps hold of each thread, whose heap can then be asked for.
const threads = createRequire(import.meta.url)('node:worker_threads') as typeof import('node:worker_threads');
const started: InstanceType<typeof threads.Worker>[] = [];
threads.Worker = class extends threads.Worker {
  constructor(...args: ConstructorParameters<typeof threads.Worker>) {
    super(...args);
    started.push(this);
  }
};

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const emptyPeak = () => ({ rss: 0, heapTotal: 0, heapUsed: 0, external: 0, threadHeapTotal: 0, threadHeapUsed: 0 });
let peak = emptyPeak();
// The parts at the moment the resident set peaked, so that they add up to it.
const sample = async () => {
  const m = process.memoryUsage();
  if (m.rss <= peak.rss) return;
  const heaps = await Promise.all(started.map((t) => t.getHeapStatistics().catch(() => undefined)));
  const sum = (k: 'total_heap_size' | 'used_heap_size') => heaps.reduce((a, h) => a + (h?.[k] ?? 0), 0);
  peak = { rss: m.rss, heapTotal: m.heapTotal, heapUsed: m.heapUsed, external: m.external, threadHeapTotal: sum('total_heap_size'), threadHeapUsed: sum('used_heap_size') };
};
setInterval(sample, 250).unref();
const file = process.env.OPSFLOW_BENCH_PROBE_FILE!;
process.on('SIGWINCH', async () => {
  await sample();
  const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
  const memoryMb = {
    rss: mb(peak.rss),
    heapTotal: mb(peak.heapTotal),
    heapUsed: mb(peak.heapUsed),
    workflowHeapTotal: mb(peak.threadHeapTotal),
    workflowHeapUsed: mb(peak.threadHeapUsed),
    external: mb(peak.external),
    rest: mb(peak.rss - peak.heapTotal - peak.threadHeapTotal - peak.external),
  };
  writeFileSync(file, JSON.stringify({ loopDelayMs: { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }, memoryMb }));
  histogram.reset();
  peak = emptyPeak();
});
