// `opsflow list`: the runs of OpsRequests, from Temporal's visibility (search attributes OpsDatabase,
// OpsRequest, OpsType, OpsPhase), newest first. Filters: -n / -A, --kind, --database, --phase, --since.
import type { WorkflowExecutionInfo } from '@temporalio/client';
import type { Command } from 'commander';
import { databaseKinds, profiles } from '../../model/profiles.ts';
import { opsDatabase, opsPhase, opsRequest, opsType } from '../../workflows/search-attributes.ts';
import type { Context } from '../cli/context.ts';
import { exitCodes, UsageError } from '../cli/errors.ts';
import { age, duration, table } from '../cli/format.ts';
import { profileFor } from '../cli/kinds.ts';
import { parseSince, printObject, withOutput, type OutputOptions } from '../cli/options.ts';

const quote = (s: string) => `'${s.replaceAll("'", "\\'")}'`;
const phases = ['Pending', 'Progressing', 'Successful', 'Failed', 'Skipped'];

interface ListOptions extends OutputOptions {
  namespace?: string;
  allNamespaces?: boolean;
  kind?: string;
  database?: string;
  phase?: string;
  since?: string;
  limit: string;
}

export interface ListedRun {
  namespace?: string;
  name?: string;
  kind?: string;
  database?: string;
  type?: string;
  phase: string;
  status: string;
  started: string;
  closed?: string;
  durationMs?: number;
  workflowId: string;
  runId: string;
}

/** The phase to show: the run's OpsPhase, unless the run ended without reaching one (cancelled while waiting, a duplicate). */
function shownPhase(run: WorkflowExecutionInfo, phase: string | undefined): string {
  const status = run.status.name;
  if (status === 'RUNNING') return phase ?? 'Running';
  if (phase === 'Successful' || phase === 'Failed' || phase === 'Skipped') return phase;
  return { COMPLETED: 'Completed', FAILED: 'Failed', CANCELLED: 'Cancelled', TERMINATED: 'Terminated', TIMED_OUT: 'TimedOut' }[status as string] ?? status;
}

export function buildQuery(o: ListOptions, namespace: string | undefined): string {
  const parts = [`WorkflowType = 'opsRequestWorkflow'`];
  const p = o.kind ? profileFor(o.kind) : undefined;
  if (namespace) parts.push(`OpsRequest STARTS_WITH ${quote(`${namespace}/`)}`);
  if (p) parts.push(`OpsDatabase STARTS_WITH ${quote(`${p.kind}/`)}`);
  if (o.database) {
    const [dbNs, dbName] = o.database.includes('/') ? o.database.split('/', 2) : [namespace, o.database];
    if (dbNs) {
      const kinds = p ? [p.kind] : databaseKinds.map((k) => profiles[k].kind);
      parts.push(`(${kinds.map((k) => `OpsDatabase = ${quote(`${k}/${dbNs}/${dbName}`)}`).join(' OR ')})`);
    }
  }
  if (o.phase) {
    const phase = phases.find((x) => x.toLowerCase() === o.phase!.toLowerCase());
    if (!phase) throw new UsageError(`--phase ${o.phase}: use one of ${phases.join(', ')}`);
    parts.push(`OpsPhase = ${quote(phase)}`);
  }
  if (o.since) parts.push(`StartTime > ${quote(parseSince(o.since).toISOString())}`);
  return parts.join(' AND ');
}

export function registerList(program: Command, ctx: Context, done: (code: number) => void) {
  const cmd = program
    .command('list')
    .description('list OpsRequest runs from Temporal (newest first)')
    .option('-n, --namespace <namespace>', "only this namespace (default: the kubeconfig context's)")
    .option('-A, --all-namespaces', 'every namespace')
    .option('--kind <kind>', 'only this kind (MySQLOpsRequest, … or MySQL, myops, …)')
    .option('--database <name>', 'only runs on this database (name, or namespace/name)')
    .option('--phase <phase>', `only runs in this phase (${phases.join(', ')})`)
    .option('--since <when>', 'only runs started since: a duration (30m, 2h, 7d) or a date')
    .option('--limit <n>', 'at most this many', '50');
  withOutput(cmd);
  cmd.action(async (o: ListOptions) => {
    const limit = Number(o.limit);
    if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit ${o.limit}: give a whole number > 0`);
    if (o.allNamespaces && o.namespace) throw new UsageError('-n and -A do not go together');
    const namespace = o.allNamespaces ? undefined : ctx.namespace(o.namespace);
    const query = buildQuery(o, namespace);
    const client = await ctx.client();
    const runs: ListedRun[] = [];
    for await (const run of client.workflow.list({ query })) {
      const at = (k: typeof opsRequest) => run.typedSearchAttributes.get(k) as string | undefined;
      const [ns, name] = at(opsRequest)?.split('/') ?? [];
      const database = at(opsDatabase);
      if (o.database && !o.database.includes('/') && !namespace && database?.split('/')[2] !== o.database) continue;
      runs.push({
        namespace: ns,
        name,
        kind: database?.split('/')[0],
        database: database?.split('/').slice(1).join('/'),
        type: at(opsType),
        phase: shownPhase(run, at(opsPhase)),
        status: run.status.name,
        started: run.startTime.toISOString(),
        closed: run.closeTime?.toISOString(),
        durationMs: (run.closeTime?.getTime() ?? Date.now()) - run.startTime.getTime(),
        workflowId: run.workflowId,
        runId: run.runId,
      });
      if (runs.length >= limit) break;
    }
    runs.sort((a, b) => b.started.localeCompare(a.started));
    if (!printObject(runs, o)) {
      if (!runs.length) process.stdout.write(`no OpsRequest runs${namespace ? ` in namespace ${namespace}` : ''} match\n`);
      else {
        process.stdout.write(
          `${table(
            ['NAMESPACE', 'NAME', 'KIND', 'DATABASE', 'TYPE', 'PHASE', 'AGE', 'DURATION', 'WORKFLOW'],
            runs.map((r) => [r.namespace ?? '-', r.name ?? '-', r.kind ? `${r.kind}OpsRequest` : '-', r.database?.split('/').slice(1).join('/') || '-', r.type ?? '-', r.phase, age(r.started), duration(r.durationMs), r.workflowId]),
          )}\n`,
        );
      }
    }
    done(exitCodes.done);
  });
}
