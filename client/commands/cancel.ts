// `opsflow cancel NAME`: cancels the run, which compensates (the database is resumed; before the first restart
// everything is put back), then waits until the OpsRequest says so. Exit 0 when it was cancelled, 1 when it had
// already ended (nothing to cancel) or ended otherwise.
import type { Command } from 'commander';
import { cancelRun } from '../deletions.ts';
import type { Context } from '../cli/context.ts';
import { exitCodes, Failure } from '../cli/errors.ts';
import { follow, printOutcome } from '../cli/follow.ts';
import { withTarget, type TargetOptions } from '../cli/options.ts';
import { openRequest } from '../cli/runs.ts';

export function registerCancel(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program
    .command('cancel')
    .description('cancel an OpsRequest\'s run; it puts back what it changed and resumes the database')
    .argument('<name>', 'the OpsRequest')
    .option('--no-wait', 'ask for the cancellation and return at once');
  withTarget(cmd);
  cmd.action(async (name: string, o: TargetOptions & { wait: boolean }) => {
    const { p, ns, what, client, run } = await openRequest(ctx, o, name, 'nothing to cancel');
    if (!run || !(await cancelRun(client, run.workflowId))) throw new Failure(`${what} has no running run to cancel${run ? ` (${run.workflowId} has ended)` : ''}`);
    process.stdout.write(`cancellation of ${what} requested (run ${run.workflowId}); it puts back what it changed\n`);
    if (!o.wait) return done(exitCodes.done);
    const ended = await follow(ctx, p, ns, name, { tty: false, out: process.stdout, quiet: true });
    await printOutcome(ctx, p, ended, process.stdout);
    const cancelled = ended.status?.conditions?.find((c) => c.type === 'Failed')?.reason === 'OpsRequestCancelled' || /cancelled/.test(ended.status?.conditions?.find((c) => c.type === 'Failed')?.message ?? '');
    done(cancelled ? exitCodes.done : exitCodes.failed);
  });
}
