// The opsflow command line.
import { Command } from 'commander';
import { runOpsflow } from './run.ts';

const program = new Command('opsflow').description('Day-2 operations on KubeDB databases as durable Temporal workflows');

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

try {
  await program.parseAsync();
} catch (err) {
  console.error(`opsflow: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
}
