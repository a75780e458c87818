// Long waits heartbeat, so a worker that dies mid-wait is noticed within the heartbeat timeout and so a
// cancellation (a step's time limit, a cancel from Temporal Web) reaches the activity and stops its watch.
import { Context } from '@temporalio/activity';

export async function whileHeartbeating<T>(fn: (signal: AbortSignal) => Promise<T>, details?: () => unknown): Promise<T> {
  const ctx = Context.current();
  const every = Math.min(5000, Math.max(200, (ctx.info.heartbeatTimeoutMs ?? 30_000) / 3));
  ctx.heartbeat(details?.());
  const timer = setInterval(() => ctx.heartbeat(details?.()), every);
  try {
    return await fn(ctx.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}
