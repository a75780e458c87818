// Long waits heartbeat, so a worker that dies mid-wait is noticed within the heartbeat timeout and so a
// cancellation (a step's time limit, a cancel from Temporal Web) reaches the activity and stops its watch.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { formatDuration } from '../model/duration.ts';
import { ApiRefusal } from '../platform/kube.ts';

export async function whileHeartbeating<T>(fn: (signal: AbortSignal) => Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  const every = Math.min(5000, Math.max(200, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
  ctx.heartbeat(details?.());
  const timer = setInterval(() => ctx.heartbeat(details?.()), every);
  try {
    return await fn(ctx.cancellationSignal);
  } catch (err) {
    // A watch the API server refuses for good fails the step at once, saying why, instead of waiting out its limit.
    throw err instanceof ApiRefusal ? ApplicationFailure.nonRetryable(err.message, `KubernetesApi${err.code}`) : err;
  } finally {
    clearInterval(timer);
  }
}

/** How long before its start-to-close limit a wait gives up by itself. */
const marginMs = (limitMs: number) => Math.min(1000, limitMs / 10);

/**
 * Runs `wait` until shortly before this attempt's start-to-close limit (the step's spec.timeout), then stops it
 * and fails for good with `why(limit)`: a wait that runs out says what it last saw, where the limit alone would
 * only say that it ran out.
 */
export async function beforeTimeLimit<T>(signal: AbortSignal, wait: (signal: AbortSignal) => Promise<T>, why: (limit: string) => string): Promise<T> {
  const limitMs = Context.current().info.startToCloseTimeoutMs;
  const stop = new AbortController();
  const cancel = () => stop.abort(signal.reason);
  if (signal.aborted) cancel();
  else signal.addEventListener('abort', cancel, { once: true });
  // Without a start-to-close limit (never so in opsflow's workflows) there is nothing to give up before.
  const timer = limitMs > 0 ? setTimeout(() => stop.abort(ApplicationFailure.nonRetryable(why(formatDuration(limitMs)), 'NotInTime')), limitMs - marginMs(limitMs)) : undefined;
  try {
    return await wait(stop.signal);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', cancel);
  }
}
