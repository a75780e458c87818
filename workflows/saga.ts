// The compensation stack (Temporal's saga pattern): before each step that changes the world, push what puts
// it back (pushed before, so a change that landed although its step failed is undone too); on failure run the
// stack newest first, each undo on its own, so one failing undo does not stop the others. Runs even when
// cancelled. Once the first pod has restarted on the new configuration there is no going back: `commit()`
// drops every undo but those that must always run (resuming the database).
import { CancellationScope, log } from '@temporalio/workflow';

export class Compensations {
  private readonly stack: { name: string; undo: () => Promise<unknown>; always: boolean }[] = [];

  push(name: string, undo: () => Promise<unknown>, { always = false } = {}): void {
    this.stack.push({ name, undo, always });
  }

  /** Whether the point of no return was passed. */
  committed = false;

  /** The point of no return: from now on only the undos marked `always` run. */
  commit(): void {
    this.committed = true;
    for (let i = this.stack.length - 1; i >= 0; i--) if (!this.stack[i].always) this.stack.splice(i, 1);
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
