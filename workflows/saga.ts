// The compensation stack (Temporal's saga pattern): after a step that changes the world succeeds — or,
// for resume, before the pause is even attempted — push what undoes it; on failure run the stack newest
// first, each undo on its own, so one failing undo does not stop the others. Runs even when cancelled.
import { CancellationScope, log } from '@temporalio/workflow';

export class Compensations {
  private readonly stack: { name: string; undo: () => Promise<unknown> }[] = [];

  push(name: string, undo: () => Promise<unknown>): void {
    this.stack.push({ name, undo });
  }

  /** Runs and removes the newest compensation named `name` now (the normal, successful path). */
  async runNow(name: string): Promise<void> {
    const i = this.stack.map((c) => c.name).lastIndexOf(name);
    if (i < 0) return;
    const [c] = this.stack.splice(i, 1);
    await c.undo();
  }

  async compensate(): Promise<string[]> {
    const failures: string[] = [];
    await CancellationScope.nonCancellable(async () => {
      while (this.stack.length) {
        const c = this.stack.pop()!;
        try {
          await c.undo();
        } catch (err) {
          log.error('compensation failed', { compensation: c.name, error: String(err) });
          failures.push(`${c.name}: ${err instanceof Error ? err.message : err}`);
        }
      }
    });
    return failures;
  }
}
