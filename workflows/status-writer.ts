// Writes to the OpsRequest's status. A step's condition is written in the background, in order behind the
// earlier ones, so the next step does not wait for it (each write is an activity round trip); the final
// status (phase Successful or Failed) waits for every earlier write first, so it is always the last word; it
// is written with `writeLast` (see dispatch.ts: others act on it).
import { log } from '@temporalio/workflow';
import type { StatusUpdate } from '../activities/ops-request.ts';

export class StatusWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly write: (update: StatusUpdate) => Promise<unknown>;
  private readonly writeLast: (update: StatusUpdate) => Promise<unknown>;

  constructor(write: (update: StatusUpdate) => Promise<unknown>, writeLast: (update: StatusUpdate) => Promise<unknown>) {
    this.write = write;
    this.writeLast = writeLast;
  }

  /** Queues `update`; the run goes on meanwhile. A write that fails for good is logged (the final one will say more). */
  background(update: StatusUpdate): void {
    this.queue = this.queue
      .then(() => this.write(update))
      .catch((err) => log.warn('status update failed', { conditions: update.conditions.map((c) => c.type), error: String(err) }));
  }

  /** Resolves once every write queued so far is done (or failed for good). */
  settled(): Promise<unknown> {
    return this.queue;
  }

  /** Writes `update` once every queued write is done. */
  async final(update: StatusUpdate): Promise<void> {
    await this.queue;
    await this.writeLast(update);
  }
}
