// `opsflow history NAME`: from the run's workflow history, each step with every attempt (a retry of the step
// is an attempt of its own), the activities each attempt ran with their attempts, errors and durations, what
// ran before the steps (admission, the queue, the plan) and after them (putting things back), and how it ended.
import type { Command } from 'commander';
import type { Context } from '../cli/context.ts';
import { exitCodes, Failure } from '../cli/errors.ts';
import { clip, clock, duration } from '../cli/format.ts';
import { profileFor } from '../cli/kinds.ts';
import { printObject, withOutput, withTarget, type OutputOptions, type TargetOptions } from '../cli/options.ts';
import { stepsOf, type ActivityRun, type StepAttempt } from '../cli/run-history.ts';
import { describeRequest, findRun, readHistory, readOpsRequest } from '../cli/runs.ts';

function activityLine(a: ActivityRun): string[] {
  const took = a.endedAt !== undefined ? duration(a.endedAt - a.scheduledAt) : 'still running';
  const attempts = `${a.attempt} attempt${a.attempt === 1 ? '' : 's'}`;
  const lines = [`${clock(a.scheduledAt)}  ${a.summary ?? a.type} [${a.type}]: ${a.outcome}, ${attempts}, ${took}`];
  if (a.attempt > 2) lines.push(`    attempts 1–${a.attempt - 2}: their errors are not kept in the history`);
  if (a.previousFailure) lines.push(`    attempt ${a.attempt - 1} failed: ${clip(a.previousFailure, 300)}`);
  if (a.failure) lines.push(`    attempt ${a.attempt} ${a.outcome}: ${clip(a.failure, 300)}`);
  return lines;
}

export function registerHistory(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program.command('history').description("every step of an OpsRequest's run with each attempt, its error and duration (from the workflow history)").argument('<name>', 'the OpsRequest');
  withOutput(withTarget(cmd));
  cmd.action(async (name: string, o: TargetOptions & OutputOptions) => {
    const p = profileFor(o.kind!);
    const ns = ctx.namespace(o.namespace);
    const what = describeRequest(p, ns, name);
    const client = await ctx.client();
    const ops = await readOpsRequest(ctx, p, ns, name);
    const run = await findRun(client, p, ns, name, ops);
    if (!run) throw new Failure(`${what}: no run found${ops ? ' (the watcher has not started it yet)' : ' (and no such OpsRequest)'}`);
    const h = await readHistory(client, run);
    const { before, steps, top, after } = stepsOf(h);
    if (printObject({ workflowId: run.workflowId, runId: run.runId, plan: h.plan, closed: h.closed, before, steps, after, updates: h.updates }, o)) return done(exitCodes.done);
    const ended = h.closed ? `${h.closed.status} after ${duration(h.closed.at - h.startedAt)}` : `running for ${duration(Date.now() - h.startedAt)}`;
    const out: string[] = [`${what}: run ${run.workflowId} (${run.runId}), ${ended}`];
    if (h.plan) out.push(`  plan: ${h.plan.summary} of ${h.plan.database.kind} ${h.plan.database.namespace}/${h.plan.database.name}, ${h.plan.steps.length} steps`);
    out.push('', 'Before the steps:', ...before.flatMap(activityLine).map((l) => `  ${l}`));
    const show = (s: StepAttempt, number: string, pad: string) => {
      const took = s.endedAt !== undefined ? duration(s.endedAt - s.startedAt) : '';
      out.push(`${pad}${number} ${s.label}  [${s.condition}]  attempt ${s.attempt}: ${s.outcome}${took ? ` in ${took}` : ''}${s.outcome !== 'done' && s.message ? `: ${clip(s.message, 300)}` : ''}`);
      out.push(...s.activities.flatMap(activityLine).map((l) => `${pad}     ${l}`));
      if (s.retriedAt !== undefined) out.push(`${pad}     ${clock(s.retriedAt)}  retry asked for (Update retryFailedStep)`);
      s.within.forEach((w, j) => show(w, `${number}${j + 1}.`, `${pad}   `));
    };
    top.forEach((s, i) => {
      out.push('');
      show(s, `${i + 1}.`, '');
    });
    if (after.length) out.push('', h.closed ? 'After the steps (putting back what was changed, resuming the database):' : 'In progress:', ...after.flatMap(activityLine).map((l) => `  ${l}`));
    if (h.cancelRequestedAt !== undefined) out.push('', `${clock(h.cancelRequestedAt)}  cancellation requested`);
    if (h.closed) out.push('', `Ended ${clock(h.closed.at)}: ${h.closed.status}${h.closed.failure ? `: ${h.closed.failure}` : ''}`);
    process.stdout.write(`${out.join('\n')}\n`);
    done(exitCodes.done);
  });
}
