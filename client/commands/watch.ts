// `opsflow watch NAME`: live progress until the OpsRequest ends (a progress bar and the step list on a
// terminal, plain lines otherwise). Exit 0 Successful, 1 Failed or Skipped (or deleted meanwhile).
import type { Command } from 'commander';
import type { Context } from '../cli/context.ts';
import { exitCodeOf, follow, printOutcome } from '../cli/follow.ts';
import { profileFor } from '../cli/kinds.ts';
import { withTarget, type TargetOptions } from '../cli/options.ts';

export function registerWatch(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program.command('watch').description('follow an OpsRequest live until it ends (exit 0 Successful, 1 Failed or Skipped)').argument('<name>', 'the OpsRequest');
  withTarget(cmd);
  cmd.action(async (name: string, o: TargetOptions) => {
    const p = profileFor(o.kind!);
    const ns = ctx.namespace(o.namespace);
    const ended = await follow(ctx, p, ns, name, { tty: Boolean(process.stdout.isTTY), out: process.stdout });
    await printOutcome(ctx, p, ended, process.stdout);
    done(exitCodeOf(ended));
  });
}
