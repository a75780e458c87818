#!/usr/bin/env node
// The opsflow command line: the long-running parts (start, worker, watcher) and the commands a user runs
// against them (plan, apply, status, list, watch, cancel, retry, history). Exit codes: 0 done, 1 failed,
// 2 wrong use.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { apiMessage } from '../platform/kube.ts';
import { Context } from './cli/context.ts';
import { exitCodes, Failure, UsageError } from './cli/errors.ts';
import { registerApply } from './commands/apply.ts';
import { registerCancel } from './commands/cancel.ts';
import { registerHistory } from './commands/history.ts';
import { registerList } from './commands/list.ts';
import { registerPlan } from './commands/plan.ts';
import { registerRetry } from './commands/retry.ts';
import { registerStatus } from './commands/status.ts';
import { registerWatch } from './commands/watch.ts';
import { runOpsflow } from './run.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command('opsflow')
  .description('Day-2 operations on KubeDB databases as durable Temporal workflows')
  .version(version)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .addHelpText(
    'after',
    `
Exit codes: 0 done (Successful), 1 failed (Failed, Skipped, refused, not found), 2 wrong use.
Settings: KUBECONFIG, TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_UI_URL, … (else the local environment's .localenv/env).`,
  );

const ctx = new Context();
let exitCode: number | undefined;
const done = (code: number) => {
  exitCode = code;
};

const runCommand = (name: string, description: string, parts: { worker: boolean; watcher: boolean }) =>
  program
    .command(name)
    .description(description)
    .option('-n, --namespace <namespace>', 'watch OpsRequests in this namespace only (default: all)')
    .option('--health <address>', 'serve /healthz and /readyz on this address, e.g. 0.0.0.0:8080', process.env.OPSFLOW_HEALTH_ADDRESS)
    .action((opts: { namespace?: string; health?: string }) => runOpsflow({ ...parts, namespace: opts.namespace, healthAddress: opts.health }));

runCommand('start', 'run the worker and the watcher', { worker: true, watcher: true });
runCommand('worker', 'run the worker only', { worker: true, watcher: false });
runCommand('watcher', 'run the watcher only', { worker: false, watcher: true });
registerPlan(program, ctx, done);
registerApply(program, ctx, done);
registerStatus(program, ctx, done);
registerList(program, ctx, done);
registerWatch(program, ctx, done);
registerCancel(program, ctx, done);
registerRetry(program, ctx, done);
registerHistory(program, ctx, done);

try {
  await program.parseAsync();
} catch (err) {
  if (err instanceof CommanderError) {
    // --help and --version end here too, with code 0; a wrong flag or argument is wrong use.
    exitCode = err.exitCode === 0 ? exitCodes.done : exitCodes.usage;
  } else if (err instanceof UsageError) {
    console.error(`opsflow: ${err.message}`);
    exitCode = exitCodes.usage;
  } else if (err instanceof Failure) {
    console.error(`opsflow: ${err.message}`);
    exitCode = exitCodes.failed;
  } else {
    console.error(`opsflow: ${apiMessage(err)}`);
    exitCode = exitCodes.failed;
  }
}
if (exitCode !== undefined) {
  await ctx.close().catch(() => {});
  process.exit(exitCode);
}
