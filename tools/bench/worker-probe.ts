// Loaded into a benchmark's worker process (node --import): its event-loop delay, written as JSON to
// OPSFLOW_BENCH_LOOP_DELAY_FILE on each SIGWINCH (then measured afresh), so the fleet benchmark reads the delay
// over exactly the span it measures. Not SIGUSR2: Temporal's runtime shuts the worker down on that one.
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const histogram = monitorEventLoopDelay({ resolution: 10 });
histogram.enable();
const file = process.env.OPSFLOW_BENCH_LOOP_DELAY_FILE!;
process.on('SIGWINCH', () => {
  const ms = (ns: number) => Number((ns / 1e6).toFixed(1));
  writeFileSync(file, JSON.stringify({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) }));
  histogram.reset();
});
