// Follows an OpsRequest live (watching it, not polling) until its phase is final: on a terminal a progress bar
// and the step list, redrawn in place; otherwise one plain line per step as it completes. Ends with the outcome,
// the run's summary and the link to it in Temporal Web. Resolves with the OpsRequest as it ended.
import type { Writable } from 'node:stream';
import type { DatabaseProfile } from '../../model/profiles.ts';
import type { Plan } from '../../model/plan.ts';
import type { Condition, OpsRequest } from '../../model/types.ts';
import { observe } from '../../platform/watch.ts';
import type { Context } from './context.ts';
import { Failure } from './errors.ts';
import { clip, duration } from './format.ts';
import { describeRequest, findRun, finishedPhases, readHistory, type RunRef } from './runs.ts';
import { progressOf, stepLines, type LineState, type StepLine } from './step-list.ts';

export const symbols: Record<LineState, string> = { pending: '·', running: '▶', done: '✔', failed: '✘', waiting: '‖' };

export interface FollowOptions {
  tty: boolean;
  out: Writable;
  /** Print nothing until the end (the outcome lines still come). */
  quiet?: boolean;
}

function bar(done: number, total: number, width = 24): string {
  const filled = total ? Math.round((done / total) * width) : 0;
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${done}/${total}`;
}

export async function follow(ctx: Context, p: DatabaseProfile, namespace: string, name: string, o: FollowOptions): Promise<OpsRequest> {
  const what = describeRequest(p, namespace, name);
  const started = Date.now();
  const client = await ctx.client().catch(() => undefined); // following works without Temporal too, with less to show
  let run: RunRef | undefined;
  let plan: Plan | undefined;
  let last: OpsRequest | undefined;
  let drawn = 0;
  const printed = new Map<string, string>();
  let phaseShown: string | undefined;
  const width = () => Math.max(40, (o.out as NodeJS.WriteStream).columns || Number(process.env.COLUMNS) || 100);
  const write = (text: string) => o.out.write(text);
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s]`;

  async function learnRun(ops: OpsRequest) {
    if (!client || (run && plan)) return;
    try {
      run ??= await findRun(client, p, namespace, name, ops);
      if (run && !plan) plan = (await readHistory(client, run)).plan;
    } catch {
      // Temporal out of reach: the conditions alone still tell the story.
    }
  }

  function drawTTY(ops: OpsRequest) {
    const lines = stepLines(ops, plan);
    const { done, total } = progressOf(lines);
    const phase = ops.status?.phase ?? 'Pending';
    const out = [
      `${what}${plan ? `: ${plan.summary} of ${plan.database.kind} ${plan.database.namespace}/${plan.database.name}` : ''}`,
      `${total ? bar(done, total) : `[${'░'.repeat(24)}] ${phase === 'Pending' ? 'waiting for its turn' : 'planning'}`}  ${phase}  ${duration(Date.now() - started)}`,
      ...lines.map((l) => `  ${symbols[l.state]} ${l.label}${l.pod?.role ? ` (${l.pod.role})` : ''}${l.state === 'done' && l.durationMs !== undefined ? `  ${duration(l.durationMs)}` : ''}${l.state === 'failed' || l.state === 'waiting' ? `: ${l.message ?? ''}` : ''}`),
    ];
    const pending = ops.status?.conditions?.find((c) => c.type === 'Running' && c.status === 'False');
    if (phase === 'Pending' && pending?.message) out.push(`  ${pending.message}`);
    const text = out.map((l) => clip(l, width() - 1)).join('\n');
    write(`${drawn ? `\x1b[${drawn}F\x1b[J` : ''}${text}\n`);
    drawn = out.length;
  }

  function printPlain(ops: OpsRequest) {
    const phase = ops.status?.phase;
    if (phase && phase !== phaseShown && !finishedPhases.includes(phase)) {
      const running = ops.status?.conditions?.find((c) => c.type === 'Running');
      write(`${stamp()} phase ${phase}${running?.message ? `: ${running.message}` : ''}\n`);
      phaseShown = phase;
    }
    const conditions = [...(ops.status?.conditions ?? [])].sort((a, b) => Date.parse(a.lastTransitionTime ?? '') - Date.parse(b.lastTransitionTime ?? ''));
    for (const c of conditions as Condition[]) {
      if (['Running', 'Successful', 'Failed', 'Skipped'].includes(c.type)) continue;
      const text = `${c.status === 'True' ? '✔' : c.reason === 'WaitingForRetry' ? '‖' : '✘'} ${c.type}: ${c.message ?? ''}`;
      if (printed.get(c.type) === text) continue;
      printed.set(c.type, text);
      write(`${stamp()} ${text}\n`);
    }
  }

  const stop = new AbortController();
  let deleted = false;
  const render = (ops: OpsRequest) => {
    if (o.quiet) return;
    if (o.tty) drawTTY(ops);
    else printPlain(ops);
  };
  const ticker = o.tty && !o.quiet ? setInterval(() => last && drawTTY(last), 1000) : undefined;
  ticker?.unref();
  try {
    await observe<OpsRequest>(
      ctx.kube,
      { apiVersion: 'ops.kubedb.com/v1alpha1', kind: p.opsRequest.kind, plural: p.opsRequest.plural, namespace },
      { fieldSelector: `metadata.name=${name}` },
      async ({ objects, type }) => {
        const ops = objects.get(`${namespace}/${name}`);
        if (!ops) {
          if (type === 'DELETED' || last) {
            deleted = true;
            stop.abort();
          } else if (type === 'SYNC') {
            throw new Failure(`${what} not found`);
          }
          return;
        }
        last = ops;
        if (ops.status?.phase === 'Progressing' || finishedPhases.includes(ops.status?.phase ?? '')) await learnRun(ops);
        render(ops);
        if (finishedPhases.includes(ops.status?.phase ?? '')) stop.abort();
      },
      stop.signal,
      (err) => {
        if (err instanceof Failure) {
          stop.abort(err);
        }
      },
    );
  } finally {
    if (ticker) clearInterval(ticker);
  }
  if (stop.signal.reason instanceof Failure) throw stop.signal.reason;
  if (deleted) throw new Failure(`${what} was deleted${last?.status?.phase ? ` while ${last.status.phase}` : ''}`);
  return last!;
}

/** The closing lines: the outcome, what the run changed (from its result), the link to it. */
export async function printOutcome(ctx: Context, p: DatabaseProfile, ops: OpsRequest, out: Writable): Promise<void> {
  const phase = ops.status?.phase;
  const closing = ops.status?.conditions?.find((c) => c.type === phase) ?? ops.status?.conditions?.find((c) => c.type === 'Failed');
  out.write(`${describeRequest(p, ops.metadata.namespace!, ops.metadata.name!)}: ${phase}${closing?.message ? `: ${closing.message}` : ''}\n`);
  const client = await ctx.client().catch(() => undefined);
  const run = client && (await findRun(client, p, ops.metadata.namespace!, ops.metadata.name!, ops).catch(() => undefined));
  if (client && run && phase === 'Successful') {
    const result = (await client.workflow.getHandle(run.workflowId).result().catch(() => undefined)) as { summary?: string; changes?: string[] } | undefined;
    if (result?.summary) out.write(`  ${result.summary}\n`);
    for (const c of result?.changes ?? []) out.write(`  - ${c}\n`);
  }
  const link = run && ctx.link(run.workflowId, run.runId);
  if (link) out.write(`Temporal Web: ${link}\n`);
}

/** Exit code of a finished OpsRequest: 0 Successful, 1 Failed or Skipped. */
export const exitCodeOf = (ops: OpsRequest) => (ops.status?.phase === 'Successful' ? 0 : 1);

export type { StepLine };
