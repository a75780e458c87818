// `opsflow apply -f request.yaml`: creates the OpsRequest (the watcher starts its run, as for kubectl), then
// follows it like `watch`. An OpsRequest of that name with the same spec is followed as it is; another spec
// under that name is refused (KubeDB's specs are immutable). Exit 0 Successful, 1 Failed or Skipped.
import type { Command } from 'commander';
import { specDifferences } from '../../activities/adopt.ts';
import { retryGraceAnnotation } from '../../activities/ops-request.ts';
import { parseDuration } from '../../model/duration.ts';
import { apiMessage, isConflict, statusCode } from '../../platform/kube.ts';
import type { Context } from '../cli/context.ts';
import { exitCodes, Failure, UsageError } from '../cli/errors.ts';
import { exitCodeOf, follow, printOutcome } from '../cli/follow.ts';
import { withTarget, type TargetOptions } from '../cli/options.ts';
import { readRequestFile } from '../cli/request-file.ts';
import { describeRequest, finishedPhases, requireOpsRequest } from '../cli/runs.ts';

export function registerApply(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program
    .command('apply')
    .description('create an OpsRequest, then follow it until it ends (exit 0 Successful, 1 Failed or Skipped)')
    .requiredOption('-f, --filename <file>', 'the OpsRequest (YAML or JSON; - for standard input)')
    .option('--retry-grace <duration>', `on a failed step, wait this long for \`opsflow retry\` before putting things back (sets the annotation ${retryGraceAnnotation})`)
    .option('--no-wait', 'create it and return at once');
  withTarget(cmd, { fromFile: true });
  cmd.action(async (o: TargetOptions & { filename: string; retryGrace?: string; wait: boolean }) => {
    const { ops, profile: p } = await readRequestFile(o.filename, { namespace: (f) => ctx.namespace(f), namespaceFlag: o.namespace, kindFlag: o.kind });
    if (o.retryGrace !== undefined) {
      if (!parseDuration(o.retryGrace)) throw new UsageError(`--retry-grace ${o.retryGrace} is not a positive duration (e.g. 10m)`);
      ops.metadata.annotations = { ...ops.metadata.annotations, [retryGraceAnnotation]: o.retryGrace };
    }
    const ns = ops.metadata.namespace!;
    const name = ops.metadata.name!;
    const what = describeRequest(p, ns, name);
    try {
      await ctx.kube.custom.createNamespacedCustomObject({ group: 'ops.kubedb.com', version: 'v1alpha1', plural: p.opsRequest.plural, namespace: ns, body: ops });
      process.stdout.write(`${what} created\n`);
    } catch (err) {
      if (!isConflict(err)) {
        if (statusCode(err) === 422 || statusCode(err) === 400) throw new Failure(`${what} was refused by the API server: ${apiMessage(err)}`);
        throw err;
      }
      const existing = await requireOpsRequest(ctx, p, ns, name);
      const differences = await specDifferences(ctx.kube, existing, ops);
      if (differences.length) throw new Failure(`${what} exists with another spec (existing → file: ${differences.join('; ')}); its spec cannot change: delete it first, or give this one another name`);
      process.stdout.write(`${what} unchanged (it exists with this spec${existing.status?.phase ? `, phase ${existing.status.phase}` : ''})\n`);
      if (!o.wait || finishedPhases.includes(existing.status?.phase ?? '')) {
        if (finishedPhases.includes(existing.status?.phase ?? '')) await printOutcome(ctx, p, existing, process.stdout);
        return done(o.wait ? exitCodeOf(existing) : exitCodes.done);
      }
    }
    if (!o.wait) return done(exitCodes.done);
    const ended = await follow(ctx, p, ns, name, { tty: Boolean(process.stdout.isTTY), out: process.stdout });
    await printOutcome(ctx, p, ended, process.stdout);
    done(exitCodeOf(ended));
  });
}
