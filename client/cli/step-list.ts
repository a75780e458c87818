// The steps of an OpsRequest as a user follows them: the plan's steps in order (each pod of the restart on a
// line of its own), each with its state from the OpsRequest's conditions, when it finished and how long it
// took (from one condition's time to the next). Without the plan (still waiting for its turn, or Temporal out
// of reach) the conditions alone, in the order they happened.
import type { Plan } from '../../model/plan.ts';
import type { Condition, OpsRequest } from '../../model/types.ts';

export type LineState = 'pending' | 'running' | 'done' | 'failed' | 'waiting';

export interface StepLine {
  label: string;
  condition: string;
  state: LineState;
  message?: string;
  /** When its condition was last set. */
  at?: string;
  durationMs?: number;
  /** A pod of "Restart the pods". */
  pod?: { name: string; role?: string };
}

const opening = new Set(['Running']);
const closing = new Set(['Successful', 'Failed', 'Skipped']);

const timeOf = (c: Condition | undefined) => (c?.lastTransitionTime ? Date.parse(c.lastTransitionTime) : undefined);

/** Conditions in the order they happened (ties keep the order they are stored in). */
export function chronological(conditions: Condition[]): Condition[] {
  return conditions.map((c, i) => ({ c, i })).sort((a, b) => (timeOf(a.c) ?? 0) - (timeOf(b.c) ?? 0) || a.i - b.i).map(({ c }) => c);
}

/** How long each condition's step took: from the condition before it (the first: from the request's creation). */
export function conditionDurations(ops: OpsRequest): Map<string, number> {
  const out = new Map<string, number>();
  let previous = ops.metadata.creationTimestamp ? Date.parse(ops.metadata.creationTimestamp) : undefined;
  for (const c of chronological(ops.status?.conditions ?? [])) {
    const t = timeOf(c);
    if (t !== undefined && previous !== undefined) out.set(c.type, t - previous);
    if (t !== undefined) previous = t;
  }
  return out;
}

const stateOf = (c: Condition | undefined): LineState =>
  !c ? 'pending' : c.status === 'True' ? 'done' : c.reason === 'WaitingForRetry' ? 'waiting' : c.status === 'False' ? 'failed' : 'pending';

/** The role a pod had when it was chosen ("my-db-1 (standby) is next"). */
const roleFrom = (message: string | undefined) => /\(([^)]*?)(?:, last)?\) is next/.exec(message ?? '')?.[1];

export function stepLines(ops: OpsRequest, plan?: Plan): StepLine[] {
  const conditions = ops.status?.conditions ?? [];
  const find = (type: string) => conditions.find((c) => c.type === type);
  const durations = conditionDurations(ops);
  const line = (label: string, condition: string, extra: Partial<StepLine> = {}): StepLine => {
    const c = find(condition);
    return { label, condition, state: stateOf(c), message: c?.message, at: c?.lastTransitionTime, durationMs: durations.get(condition), ...extra };
  };
  const podLine = (pod: string, role?: string): StepLine => {
    const get = find(`GetPod--${pod}`);
    const evict = find(`EvictPod--${pod}`);
    const ready = find(`CheckPodRunning--${pod}`);
    const worst = [evict, ready].find((c) => c && c.status !== 'True');
    const state: LineState = worst ? stateOf(worst) : ready?.status === 'True' ? 'done' : get ? 'running' : 'pending';
    const began = timeOf(get);
    const ended = timeOf(ready);
    return {
      label: `Restart ${pod}`,
      condition: `CheckPodRunning--${pod}`,
      state,
      message: worst?.message ?? ready?.message ?? evict?.message ?? get?.message,
      at: (ready ?? evict ?? get)?.lastTransitionTime,
      durationMs: ended !== undefined && began !== undefined ? ended - began + (durations.get(`GetPod--${pod}`) ?? 0) : undefined,
      pod: { name: pod, role: roleFrom(get?.message) ?? role },
    };
  };

  let lines: StepLine[];
  if (plan) {
    lines = [];
    for (const { step } of plan.steps) {
      if (step.kind === 'restartPods') {
        const pods = step.expected.map((e) => e.pod);
        // Pods the run restarted that the plan did not expect (roles move, a pod was added) are shown too.
        for (const c of conditions) {
          const m = /^GetPod--(.+)$/.exec(c.type);
          if (m && !pods.includes(m[1])) pods.push(m[1]);
        }
        const chosen = chronological(conditions.filter((c) => c.type.startsWith('GetPod--'))).map((c) => c.type.slice('GetPod--'.length));
        const ordered = [...chosen, ...pods.filter((x) => !chosen.includes(x))];
        for (const pod of ordered) lines.push(podLine(pod, step.expected.find((e) => e.pod === pod)?.role));
      }
      lines.push(line(step.label, step.condition));
    }
  } else {
    lines = chronological(conditions)
      .filter((c) => !opening.has(c.type) && !closing.has(c.type) && !/^(GetPod|EvictPod)--/.test(c.type))
      .map((c) => {
        const pod = /^CheckPodRunning--(.+)$/.exec(c.type)?.[1];
        return pod ? podLine(pod) : line(c.type, c.type);
      });
  }
  // The step after the last one done is the one running, while the request is.
  if (ops.status?.phase === 'Progressing' && !lines.some((l) => l.state === 'running' || l.state === 'waiting' || l.state === 'failed')) {
    const next = lines.find((l) => l.state === 'pending');
    if (next) next.state = 'running';
  }
  return lines;
}

/** Units of work for a progress bar: each line, done or not. */
export function progressOf(lines: StepLine[]): { done: number; total: number } {
  return { done: lines.filter((l) => l.state === 'done').length, total: lines.length };
}
