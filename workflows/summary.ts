// What a run changed, for its result (Temporal Web shows it as the run's result): one line, the changes one by
// one (Certificates made or re-issued with their serials, the pod template, the configuration, the database
// spec, the pods restarted in order with their roles), and the step list with durations and attempts.
import type { Plan, StepKind } from '../model/plan.ts';
import type { Outcome } from './execute-plan.ts';
import { formatElapsed, type StepRecord } from './progress.ts';

export interface RunSummary {
  summary: string;
  changes: string[];
  steps: StepRecord[];
}

/** Steps that change something; the others (waits, checks, pause and resume) change nothing that stays. */
const changing: StepKind[] = ['setCertificates', 'updateWorkload', 'updateConfig', 'updateDatabase', 'deleteCertificates'];

export function summarise(plan: Plan, outcome: Outcome, steps: StepRecord[], elapsedMs: number, failedAt?: string): RunSummary {
  const record = (label: string) => steps.find((s) => s.label === label);
  const changes: string[] = [];
  for (const { step } of plan.steps) {
    const r = record(step.label);
    if (r?.state !== 'done') continue;
    if (changing.includes(step.kind)) changes.push(`${step.label}: ${r.note ?? 'done'}`);
    if (step.kind === 'issueCertificates') {
      for (const c of outcome.certificates) changes.push(`Certificate ${c.name}: serial ${c.oldSerial ?? 'none'} → ${c.serial} (issued by ${c.issuer}, valid until ${c.notAfter})`);
    }
  }
  if (outcome.restarts.length) {
    // The role a pod had when it was chosen (its progress line's note); the pod that replaced it may have another.
    const role = (pod: string, now?: string) => record(`Restart ${pod}`)?.note ?? now;
    changes.push(`Pods restarted, one at a time: ${outcome.restarts.map((r) => `${r.pod}${role(r.pod, r.role) ? ` (${role(r.pod, r.role)})` : ''}`).join(', ')}`);
  }
  const what = `${plan.database.kind} ${plan.database.namespace}/${plan.database.name}`;
  const counts = [
    outcome.certificates.length ? `${outcome.certificates.length} certificate${outcome.certificates.length === 1 ? '' : 's'} issued` : undefined,
    `${outcome.restarts.length} pod${outcome.restarts.length === 1 ? '' : 's'} restarted`,
  ].filter(Boolean);
  const summary = failedAt
    ? `${plan.summary} of ${what}: failed at "${failedAt}" after ${formatElapsed(elapsedMs)} (${counts.join(', ')} before it)`
    : `${plan.summary} of ${what}: done in ${formatElapsed(elapsedMs)}, ${counts.join(', ')}`;
  return { summary, changes, steps };
}
