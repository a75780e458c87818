// `opsflow retry NAME`: a step that failed and waits for a retry (the request has a retry grace period) runs
// again, without the steps before it: the workflow Update retryFailedStep. Then follows the run until it ends.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { Command } from 'commander';
import type { RetryAccepted } from '../../workflows/retry.ts';
import type { Context } from '../cli/context.ts';
import { exitCodes, Failure } from '../cli/errors.ts';
import { exitCodeOf, follow, printOutcome } from '../cli/follow.ts';
import { profileFor } from '../cli/kinds.ts';
import { withTarget, type TargetOptions } from '../cli/options.ts';
import { describeRequest, findRun, finishedPhases, requireOpsRequest } from '../cli/runs.ts';

export function registerRetry(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program
    .command('retry')
    .description('run the failed step of an OpsRequest again (while its run waits for a retry), then follow it')
    .argument('<name>', 'the OpsRequest')
    .option('--no-wait', 'ask for the retry and return at once');
  withTarget(cmd);
  cmd.action(async (name: string, o: TargetOptions & { wait: boolean }) => {
    const p = profileFor(o.kind!);
    const ns = ctx.namespace(o.namespace);
    const what = describeRequest(p, ns, name);
    const ops = await requireOpsRequest(ctx, p, ns, name);
    if (finishedPhases.includes(ops.status?.phase ?? '')) throw new Failure(`${what} has already ended (${ops.status!.phase}): apply it again under a new name instead`);
    const client = await ctx.client();
    const run = await findRun(client, p, ns, name, ops);
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
