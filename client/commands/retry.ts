// `opsflow retry NAME`: a step that failed and waits for a retry (the request has a retry grace period) runs
// again, without the steps before it: the workflow Update retryFailedStep. Then follows the run until it ends.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import type { RetryAccepted } from '../../workflows/retry.ts';
import type { Context } from '../cli/context.ts';
import { exitCodes, Failure } from '../cli/errors.ts';
import { exitCodeOf, follow, printOutcome } from '../cli/follow.ts';
import { withTarget, type TargetOptions } from '../cli/options.ts';
import { openRequest } from '../cli/runs.ts';

export function registerRetry(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program
    .command('retry')
    .description('run the failed step of an OpsRequest again (while its run waits for a retry), then follow it')
    .argument('<name>', 'the OpsRequest')
    .option('--no-wait', 'ask for the retry and return at once');
  withTarget(cmd);
  cmd.action(async (name: string, o: TargetOptions & { wait: boolean }) => {
    const { p, ns, what, client, run } = await openRequest(ctx, o, name, 'apply it again under a new name instead');
    if (!run) throw new Failure(`${what} has no run yet`);
    let accepted: RetryAccepted;
    try {
      accepted = await client.workflow.getHandle(run.workflowId).executeUpdate<RetryAccepted, []>('retryFailedStep');
    } catch (err) {
      const reason = err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : (err as Error).message;
      throw new Failure(`${what}: no retry: ${reason}`);
    }
    process.stdout.write(`retrying "${accepted.step}" of ${what} (attempt ${accepted.attempt}); the steps before it are not repeated\n`);
    if (!o.wait) return done(exitCodes.done);
    const ended = await follow(ctx, p, ns, name, { tty: Boolean(process.stdout.isTTY), out: process.stdout });
    await printOutcome(ctx, p, ended, process.stdout);
    done(exitCodeOf(ended));
  });
}
