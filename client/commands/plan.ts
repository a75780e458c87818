// `opsflow plan -f request.yaml`: the dry run. Admission's checks (activities/ops-request.ts
// validateOpsRequest) and the planner (readPlanFacts + planRequest, as the workflow's planning activity calls
// them) against the live cluster; nothing is written.
import type { Command } from 'commander';
import { validateOpsRequest } from '../../activities/ops-request.ts';
import { readPlanFacts } from '../../activities/facts.ts';
import { planRequest } from '../../model/planner.ts';
import type { Context } from '../cli/context.ts';
import { exitCodes } from '../cli/errors.ts';
import { printObject, withOutput, withTarget, type OutputOptions, type TargetOptions } from '../cli/options.ts';
import { renderPlan } from '../cli/plan-view.ts';
import { readRequestFile } from '../cli/request-file.ts';
import { readOpsRequest } from '../cli/runs.ts';

export function registerPlan(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program
    .command('plan')
    .description('show what an OpsRequest would do (a dry run: validated as at admission, planned by the workflow\'s planner; nothing is changed)')
    .requiredOption('-f, --filename <file>', 'the OpsRequest (YAML or JSON; - for standard input)');
  withOutput(withTarget(cmd, { fromFile: true }));
  cmd.action(async (o: TargetOptions & OutputOptions & { filename: string }) => {
    const { ops, profile: p } = await readRequestFile(o.filename, { namespace: (f) => ctx.namespace(f), namespaceFlag: o.namespace, kindFlag: o.kind });
    const ref = { kind: p.opsRequest.kind, namespace: ops.metadata.namespace!, name: ops.metadata.name! };
    const valid = await validateOpsRequest(ctx.kube, p, ops);
    if (!valid.ok) {
      if (!printObject({ ok: false, refusedBy: 'admission', field: valid.field, message: valid.message }, o)) {
        process.stdout.write(`${ref.kind} ${ref.namespace}/${ref.name} would be refused at admission (nothing would be touched):\n  ${valid.message}\n`);
      }
      return done(exitCodes.failed);
    }
    const facts = await readPlanFacts(ctx.kube, ref, valid.database, ops);
    const planned = planRequest(p, facts);
    if (!planned.ok) {
      if (!printObject({ ok: false, refusedBy: 'planner', field: planned.field, message: planned.message }, o)) {
        process.stdout.write(`${ref.kind} ${ref.namespace}/${ref.name} would be refused by the planner (nothing would be touched):\n  ${planned.message}\n`);
      }
      return done(exitCodes.failed);
    }
    if (!printObject(planned.plan, o)) {
      process.stdout.write(renderPlan(p, facts, planned.plan));
      const existing = await readOpsRequest(ctx, p, ref.namespace, ref.name);
      if (existing) process.stdout.write(`\nNote: ${ref.kind} ${ref.namespace}/${ref.name} exists already (phase ${existing.status?.phase ?? 'none yet'}); apply would follow it rather than create it.\n`);
    }
    done(exitCodes.done);
  });
}
