// Retrying a failed step without repeating the steps before it: when a step fails and the request has a retry
// grace period (Settings.retryGraceMs), the run does not compensate at once. It waits, offering the workflow
// Update `retryFailedStep` (`opsflow retry NAME`, or `temporal workflow update execute --name retryFailedStep`),
// for at most the grace period. A retry runs the failed step again, with a fresh time limit; no retry in time,
// or a cancellation, and the run compensates as it always did. Without a grace period nothing here waits, so
// runs recorded before this existed replay unchanged.
import { condition, defineUpdate, isCancellation, setHandler } from '@temporalio/workflow';
import type { StepBase } from '../model/plan.ts';

export interface RetryAccepted {
  /** The step that runs again, and its attempt from now. */
  step: string;
  condition: string;
  attempt: number;
}

export const retryFailedStepUpdate = defineUpdate<RetryAccepted, []>('retryFailedStep');

export interface WaitingStep {
  step: StepBase;
  error: string;
  attempt: number;
  until: string;
}

export type RetryDecision = 'retry' | 'expired' | 'cancelled';

export class RetryGate {
  private waiting?: WaitingStep;
  private requested = false;
  readonly graceMs: number;

  constructor(graceMs: number | undefined) {
    this.graceMs = graceMs ?? 0;
    setHandler(
      retryFailedStepUpdate,
      () => {
        this.requested = true;
        const w = this.waiting!;
        return { step: w.step.label, condition: w.step.condition, attempt: w.attempt + 1 };
      },
      {
        validator: () => {
          if (!this.waiting || this.requested) {
            throw new Error(
              this.graceMs
                ? 'no failed step is waiting for a retry: the run is not failing right now (or a retry was already asked for)'
                : 'this run offers no retries: its OpsRequest has no retry grace period (annotation opsflow.dev/retry-grace-period)',
            );
          }
        },
      },
    );
  }

  /** Whether a failed step may wait for a retry at all. */
  get enabled(): boolean {
    return this.graceMs > 0;
  }

  current(): WaitingStep | undefined {
    return this.waiting;
  }

  /** Waits up to the grace period for `retryFailedStep`; says what to do next. */
  async offer(step: StepBase, error: string, attempt: number): Promise<RetryDecision> {
    this.waiting = { step, error, attempt, until: new Date(Date.now() + this.graceMs).toISOString() };
    this.requested = false;
    try {
      return (await condition(() => this.requested, this.graceMs)) ? 'retry' : 'expired';
    } catch (err) {
      if (isCancellation(err)) return 'cancelled';
      throw err;
    } finally {
      this.waiting = undefined;
      this.requested = false;
    }
  }
}
