// The Temporal runtime is process-wide and must be installed before anything creates it: logs go to pino
// (the Rust core's too), metrics to a Prometheus endpoint when OPSFLOW_METRICS_ADDRESS is set.
import { makeTelemetryFilterString, Runtime } from '@temporalio/worker';
import type { Logger } from 'pino';
import { PinoTemporalLogger } from './temporal-logger.ts';

let installed = false;

/**
 * `handleSignals`: the runtime shuts workers down on SIGINT/SIGTERM (what the worker process wants; a test
 * process keeps its signals to itself).
 */
export function installRuntime(logger: Logger, { metricsAddress = process.env.OPSFLOW_METRICS_ADDRESS, handleSignals = true } = {}): void {
  if (installed) return;
  installed = true;
  Runtime.install({
    logger: new PinoTemporalLogger(logger),
    ...(handleSignals ? {} : { shutdownSignals: [] }),
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: 'WARN', other: 'ERROR' }) },
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
