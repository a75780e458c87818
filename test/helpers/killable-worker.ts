// `opsflow worker` that crashes itself at one named point of a run, for the crash tests: OPSFLOW_KILL_AT is
// "<activity>#<n>:<before|during|after>", and the worker sends itself SIGKILL (nothing flushed, nothing handed
// back, as when a node dies) before the nth call of that activity starts its work, while it runs (100 ms in, or
// as it ends, whichever comes first), or right after it finished but before its result reached Temporal.
// It logs "worker running" once it polls, like `opsflow worker`, and keeps cached runs for 1 s only once it
// is gone (the test's stand-in for Temporal's default 10 s), so that the next worker takes over quickly.
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, Next } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube } from '../../platform/kube.ts';
import { createLogger } from '../../platform/logger.ts';
import { temporalSettings } from '../../platform/temporal.ts';
import { installRuntime } from '../../worker/runtime.ts';
import { createWorker } from '../../worker/worker.ts';
import { formatKillPoint, parseKillPoint, type KillPoint } from './kill-point.ts';

const die = (): never => {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
};

class KillAt implements ActivityInboundCallsInterceptor {
  private static calls = new Map<string, number>();
  private readonly point: KillPoint;
  private readonly activity: string;

  constructor(point: KillPoint, ctx: Context) {
    this.point = point;
    this.activity = ctx.info.activityType;
  }

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    if (this.activity !== this.point.activity) return next(input);
    const call = (KillAt.calls.get(this.activity) ?? 0) + 1;
    KillAt.calls.set(this.activity, call);
    if (call !== this.point.call) return next(input);
    if (this.point.when === 'before') die();
    if (this.point.when === 'during') setTimeout(die, 100).unref();
    await next(input);
    return die(); // after it, or during it when it ended within 100 ms
  }
}

loadLocalEnvDefaults();
const point = parseKillPoint(process.env.OPSFLOW_KILL_AT ?? '');
const logger = createLogger('opsflow');
installRuntime(logger);
const { worker } = await createWorker({
  temporal: temporalSettings(),
  kube: connectKube(),
  workflowBundlePath: process.env.OPSFLOW_WORKFLOW_BUNDLE,
  extra: { interceptors: { activity: [(ctx) => ({ inbound: new KillAt(point, ctx) })] }, stickyQueueScheduleToStartTimeout: '1s' },
});
const running = worker.run();
logger.info({ killAt: formatKillPoint(point) }, 'worker running');
await running;
