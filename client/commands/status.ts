// `opsflow status NAME`: the phase, a step table with durations (from the conditions' times), each pod's
// restart, and the run in Temporal Web. Exit 0 Successful or still going, 1 Failed, Skipped or not found.
import type { Command } from 'commander';
import type { OpsRequest } from '../../model/types.ts';
import { targetName } from '../../model/validation.ts';
import type { Context } from '../cli/context.ts';
import { exitCodes } from '../cli/errors.ts';
import { symbols } from '../cli/follow.ts';
import { age, clip, clock, duration, table } from '../cli/format.ts';
import { profileFor } from '../cli/kinds.ts';
import { printObject, withOutput, withTarget, type OutputOptions, type TargetOptions } from '../cli/options.ts';
import { describeRequest, findRun, readHistory, requireOpsRequest } from '../cli/runs.ts';
import { chronological, stepLines } from '../cli/step-list.ts';

export interface PodRestart {
  pod: string;
  role?: string;
  evictedAt?: string;
  readyAt?: string;
  tookMs?: number;
  state: string;
}

export function podRestarts(ops: OpsRequest): PodRestart[] {
  const conditions = chronological(ops.status?.conditions ?? []);
  const find = (t: string) => conditions.find((c) => c.type === t);
  return conditions
    .filter((c) => c.type.startsWith('GetPod--'))
    .map((get) => {
      const pod = get.type.slice('GetPod--'.length);
      const evict = find(`EvictPod--${pod}`);
      const ready = find(`CheckPodRunning--${pod}`);
      const bad = [evict, ready].find((c) => c && c.status !== 'True');
      return {
        pod,
        role: /\(([^)]*?)(?:, last)?\) is next/.exec(get.message ?? '')?.[1],
        evictedAt: evict?.status === 'True' ? evict.lastTransitionTime : undefined,
        readyAt: ready?.status === 'True' ? ready.lastTransitionTime : undefined,
        tookMs: ready?.status === 'True' && ready.lastTransitionTime && get.lastTransitionTime ? Date.parse(ready.lastTransitionTime) - Date.parse(get.lastTransitionTime) : undefined,
        state: bad ? `${bad.type.split('--')[0]} ${bad.reason === 'WaitingForRetry' ? 'failed, waiting for a retry' : 'failed'}` : ready?.status === 'True' ? 'restarted' : evict ? 'evicted' : 'chosen',
      };
    });
}

export function registerStatus(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program.command('status').description('show an OpsRequest: phase, steps with durations, pod restarts, its run in Temporal Web').argument('<name>', 'the OpsRequest');
  withOutput(withTarget(cmd));
  cmd.action(async (name: string, o: TargetOptions & OutputOptions) => {
    const p = profileFor(o.kind!);
    const ns = ctx.namespace(o.namespace);
    const ops = await requireOpsRequest(ctx, p, ns, name);
    const client = await ctx.client().catch(() => undefined);
    const run = client && (await findRun(client, p, ns, name, ops).catch(() => undefined));
    const plan = client && run ? (await readHistory(client, run).catch(() => undefined))?.plan : undefined;
    const steps = stepLines(ops, plan);
    const pods = podRestarts(ops);
    const phase = ops.status?.phase ?? 'Pending';
    const conditions = chronological(ops.status?.conditions ?? []);
    const first = ops.metadata.creationTimestamp;
    const lastAt = conditions.at(-1)?.lastTransitionTime;
    const finished = ['Successful', 'Failed', 'Skipped'].includes(phase);
    const runStatus = run?.info?.status.name;
    const link = run && ctx.link(run.workflowId, run.runId);
    const target = targetName(p, ops);
    const value = {
      opsRequest: { kind: p.opsRequest.kind, namespace: ns, name, uid: ops.metadata.uid },
      type: ops.spec?.type,
      database: target ? { kind: p.kind, namespace: ns, name: target } : undefined,
      phase,
      plan: plan?.summary,
      run: run ? { workflowId: run.workflowId, runId: run.runId, status: runStatus, url: link } : undefined,
      steps,
      pods,
      conditions: ops.status?.conditions ?? [],
    };
    if (!printObject(value, o)) {
      const out: string[] = [
        describeRequest(p, ns, name),
        `  Type:      ${ops.spec?.type ?? '-'}${plan ? `  (${plan.summary})` : ''}`,
        `  Database:  ${target ? `${p.kind} ${ns}/${target}` : '-'}`,
        `  Phase:     ${phase}  (created ${age(first)} ago${finished && first && lastAt ? `, took ${duration(Date.parse(lastAt) - Date.parse(first))}` : ''})`,
        `  Run:       ${run ? `${run.workflowId}${runStatus ? `  ${runStatus}` : ''}` : 'not started yet'}`,
        ...(link ? [`  Web:       ${link}`] : []),
        '',
        table(
          ['', 'STEP', 'STATE', 'DURATION', 'FINISHED', 'MESSAGE'],
          steps.map((s) => [symbols[s.state], `${s.label}${s.pod?.role ? ` (${s.pod.role})` : ''}`, s.state, s.state === 'done' || s.state === 'failed' ? duration(s.durationMs) : '', s.at ? clock(s.at) : '', clip(s.message ?? '', 100)]),
        ),
      ];
      if (pods.length) {
        out.push('', 'Pods, restarted one at a time:', table(['POD', 'ROLE', 'EVICTED', 'READY AGAIN', 'TOOK', 'STATE'], pods.map((r) => [r.pod, r.role ?? '-', clock(r.evictedAt), clock(r.readyAt), duration(r.tookMs), r.state])));
      }
      const closing = conditions.find((c) => c.type === 'Failed' || c.type === 'Successful' || c.type === 'Skipped');
      if (closing) out.push('', `${closing.type}: ${closing.message ?? ''}`);
      process.stdout.write(`${out.join('\n')}\n`);
    }
    done(phase === 'Failed' || phase === 'Skipped' ? exitCodes.failed : exitCodes.done);
  });
}
