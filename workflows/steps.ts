// One step of an OpsRequest: runs under the request's per-step time limit (a workflow timer, so that
// compensation always runs), its activities retried `maxRetries` times; on success it records the step's
// KubeDB condition, on failure it says which step failed and why. With a retry grace period a failed step
// waits for the Update retryFailedStep first (see retry.ts) and runs again when asked.
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  TimeoutFailure,
  type ActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { Settings, StatusUpdate } from '../activities/ops-request.ts';
import { formatDuration } from '../model/duration.ts';
import type { StepBase } from '../model/plan.ts';
import { heartbeating, type Dispatch } from './dispatch.ts';
import type { Progress } from './progress.ts';
import type { RetryGate } from './retry.ts';

/** A step that did not succeed; `cancelled` when the run itself was cancelled (not the step's time limit). */
export class StepFailed extends Error {
  readonly step: StepBase;
  readonly cancelled: boolean;
  constructor(step: StepBase, message: string, cancelled: boolean) {
    super(message);
    this.step = step;
    this.cancelled = cancelled;
  }
}

/** The innermost message of an activity failure: what actually went wrong. */
export function rootMessage(err: unknown): string {
  let e = err;
  while (e instanceof ActivityFailure && e.cause) e = e.cause;
  if (e instanceof TimeoutFailure) return `activity ${e.timeoutType === 'HEARTBEAT' ? 'stopped heartbeating (worker lost?)' : 'timed out'}`;
  if (e instanceof ApplicationFailure || e instanceof Error) return e.message;
  return String(e);
}

const isStartToCloseTimeout = (err: unknown) =>
  err instanceof ActivityFailure && err.cause instanceof TimeoutFailure && err.cause.timeoutType === 'START_TO_CLOSE';

const heartbeatTimeoutMs = 30_000;

export class StepRunner {
  private readonly options: ActivityOptions;
  private readonly waitOptions: ActivityOptions;
  private readonly dispatch: Dispatch;
  private readonly settings: Settings;
  private readonly progress: Progress;
  private readonly record: (update: StatusUpdate) => void;
  private readonly retry?: RetryGate;
  private readonly retryHint: string;

  constructor(settings: Settings, dispatch: Dispatch, progress: Progress, record: (update: StatusUpdate) => void, retry?: { gate: RetryGate; hint: string }) {
    this.settings = settings;
    this.dispatch = dispatch;
    this.progress = progress;
    this.record = record;
    this.retry = retry?.gate;
    this.retryHint = retry?.hint ?? 'the Update retryFailedStep';
    this.options = {
      startToCloseTimeout: settings.stepTimeoutMs,
      retry: { maximumAttempts: settings.maxRetries + 1, initialInterval: 1000, backoffCoefficient: 2, maximumInterval: 30_000 },
    };
    // A worker that dies mid-wait is noticed soon enough for a retry to fit in the step's time limit.
    this.waitOptions = { ...this.options, heartbeatTimeout: Math.min(heartbeatTimeoutMs, Math.max(1000, settings.stepTimeoutMs / 4)) };
  }

  /** Calls an activity with a summary that labels it on Temporal Web's timeline. */
  call<K extends keyof Activities & string>(name: K, summary: string, ...args: Parameters<Activities[K]>): Promise<Awaited<ReturnType<Activities[K]>>> {
    return this.dispatch.call(name, { ...(heartbeating.has(name) ? this.waitOptions : this.options), summary }, ...args);
  }

  /** Records a step that has no work of its own: its outcome is what the steps before it did. */
  mark(step: StepBase, message: string, status: 'True' | 'False' = 'True'): void {
    this.progress.set(step.label, 'done', message);
    this.record(this.stepUpdate(step, { type: step.condition, status, reason: step.condition, message }));
  }

  /** A status write of one step's condition, with when it happened and the step's run so far (for `opsflow history`). */
  stepUpdate(step: StepBase, condition: StatusUpdate['conditions'][number]): StatusUpdate {
    const r = this.progress.record(step.label);
    return {
      conditions: [condition],
      at: new Date().toISOString(),
      ...(r?.attemptStartedAt ? { step: { label: step.label, startedAt: r.attemptStartedAt, ...(r.finishedAt ? { endedAt: r.finishedAt } : {}), attempt: r.attempts } } : {}),
    };
  }

  /**
   * Runs `body` under the step's time limit; a failure becomes a StepFailed naming `step`. Records nothing,
   * unless the failed step waits for a retry (then its condition says so, and a retry runs `body` again).
   */
  async timed<T>(step: StepBase, body: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.progress.set(step.label, 'running');
      try {
        return await CancellationScope.withTimeout(this.settings.stepTimeoutMs, body);
      } catch (err) {
        const cancelled = isCancellation(err) && CancellationScope.current().consideredCancelled;
        // The step's timer and an attempt's start-to-close limit are the same length: either one firing means
        // the step overran spec.timeout.
        const overran = (isCancellation(err) && !cancelled) || isStartToCloseTimeout(err);
        const message = cancelled
          ? 'the run was cancelled'
          : overran
            ? `did not finish within ${formatDuration(this.settings.stepTimeoutMs)} (spec.timeout)`
            : rootMessage(err);
        this.progress.set(step.label, 'failed', message);
        if (cancelled || !this.retry?.enabled) throw new StepFailed(step, message, cancelled);
        const decision = await this.waitForRetry(step, message, attempt);
        if (decision !== 'retry') throw new StepFailed(step, decision === 'cancelled' ? `${message} (then the run was cancelled while it waited for a retry)` : message, decision === 'cancelled');
      }
    }
  }

  /** A failed step's wait for `retryFailedStep`, shown on the OpsRequest and in Temporal Web while it lasts. */
  private async waitForRetry(step: StepBase, error: string, attempt: number) {
    const gate = this.retry!;
    const until = new Date(Date.now() + gate.graceMs).toISOString();
    this.progress.set(step.label, 'waiting', `${error} — waiting for a retry until ${until}`);
    this.progress.setFooter(`**${step.label}** failed (attempt ${attempt}). Retry it with ${this.retryHint} before ${until}; after that the run fails and compensates.`);
    this.record(
      this.stepUpdate(step, {
        type: step.condition,
        status: 'False',
        reason: 'WaitingForRetry',
        message: `${error}; waiting until ${until} for a retry (${this.retryHint}); without one the run fails and compensates`,
      }),
    );
    const decision = await gate.offer(step, error, attempt);
    this.progress.setFooter(undefined);
    if (decision !== 'retry') this.progress.set(step.label, 'failed', error);
    return decision;
  }

  /** Runs `body` as `step`: under its time limit, then its condition recorded with `describe(result)`. */
  async run<T>(step: StepBase, body: () => Promise<T>, describe: (result: T) => string): Promise<T> {
    const result = await this.timed(step, body);
    this.mark(step, describe(result));
    return result;
  }
}
