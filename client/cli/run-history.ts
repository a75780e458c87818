// A run's workflow history read back as what a user asks of it: the plan it made, every activity with its
// attempts, the last error before its final attempt and its final outcome, the status writes that close each
// step (with when each step's attempt started: see StatusUpdate.step), the retries asked for (Update
// retryFailedStep), and how the run ended. Temporal records an activity's retries as one event with the attempt
// number and the previous attempt's failure, so earlier attempts' errors are not in the history.
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { StatusUpdate } from '../../activities/ops-request.ts';
import type { Plan, PlanOutcome } from '../../model/plan.ts';

type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;
type Failure = temporal.api.failure.v1.IFailure | null | undefined;

export interface ActivityRun {
  scheduledEventId: number;
  type: string;
  summary?: string;
  scheduledAt: number;
  startedAt?: number;
  endedAt?: number;
  /** The attempt that ran last (1 when it was never retried). */
  attempt: number;
  /** The error of the attempt before the last, when there was one. */
  previousFailure?: string;
  outcome: 'scheduled' | 'running' | 'completed' | 'failed' | 'timed out' | 'cancelled';
  failure?: string;
  /** Its input (not kept for a local activity). */
  input: unknown[];
  result?: unknown;
  /** Run as a local activity, in the worker that ran the workflow. */
  local?: true;
}

export interface StepWrite {
  at: number;
  label: string;
  startedAt: number;
  attempt: number;
  condition: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface UpdateEvent {
  at: number;
  name: string;
  outcome: 'accepted' | 'completed' | 'rejected';
  result?: unknown;
}

export interface RunHistory {
  startedAt: number;
  input?: unknown;
  closed?: { at: number; status: 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed out' | 'continued'; failure?: string; result?: unknown };
  cancelRequestedAt?: number;
  activities: ActivityRun[];
  writes: StepWrite[];
  updates: UpdateEvent[];
  plan?: Plan;
}

type Timestamp = { seconds?: number | { toNumber(): number } | null; nanos?: number | null } | null | undefined;
const millis = (t: Timestamp) => (t ? Number(t.seconds ?? 0) * 1000 + (t.nanos ?? 0) / 1e6 : 0);
const timeOf = (e: Event) => millis(e.eventTime as Timestamp);

const decode = (p: Payload | null | undefined): unknown => (p ? defaultPayloadConverter.fromPayload(p as Payload) : undefined);
const decodeAll = (ps: { payloads?: Payload[] | null } | null | undefined): unknown[] => (ps?.payloads ?? []).map((p) => decode(p));

/** The innermost message of a failure chain: what went wrong. */
export function failureMessage(f: Failure): string | undefined {
  let cur = f;
  let message = cur?.message ?? undefined;
  while (cur?.cause) {
    cur = cur.cause;
    if (cur.message) message = cur.message;
  }
  return message;
}

const localActivityMarker = 'core_local_activity';

/** What a local activity's marker says of it (the SDK's own record). */
interface LocalActivityData {
  activity_type?: string;
  attempt?: number;
  complete_time?: { seconds?: number; nanos?: number };
  original_schedule_time?: { seconds?: number; nanos?: number };
}

/** A status write that closes a step attempt (see StatusUpdate.step). */
function noteWrite(out: RunHistory, update: StatusUpdate | undefined | null, at: number): void {
  if (!update?.step) return;
  const c = update.conditions[0];
  out.writes.push({
    // When the step's attempt ended (a failure's final write comes after putting things back).
    at: update.step.endedAt ? Date.parse(update.step.endedAt) : update.at ? Date.parse(update.at) : at,
    label: update.step.label,
    startedAt: Date.parse(update.step.startedAt),
    attempt: update.step.attempt,
    condition: c.type,
    status: c.status,
    reason: c.reason,
    message: c.message,
  });
}

export function parseHistory(history: History): RunHistory {
  const events = history.events ?? [];
  const out: RunHistory = { startedAt: events[0] ? timeOf(events[0]) : 0, activities: [], writes: [], updates: [] };
  const byScheduled = new Map<number, ActivityRun>();
  for (const e of events) {
    const at = timeOf(e);
    if (e.workflowExecutionStartedEventAttributes) {
      out.input = decodeAll(e.workflowExecutionStartedEventAttributes.input)[0];
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const run: ActivityRun = {
        scheduledEventId: Number(e.eventId),
        type: a.activityType?.name ?? '?',
        summary: decode(e.userMetadata?.summary as Payload | undefined) as string | undefined,
        scheduledAt: at,
        attempt: 1,
        outcome: 'scheduled',
        input: decodeAll(a.input),
      };
      byScheduled.set(run.scheduledEventId, run);
      out.activities.push(run);
      if (run.type === 'recordStatus') noteWrite(out, run.input[1] as StatusUpdate | undefined, at);
    } else if (e.markerRecordedEventAttributes?.markerName === localActivityMarker) {
      // A local activity: one marker once it is done, with its type, attempt and times; its input is not kept.
      const m = e.markerRecordedEventAttributes;
      const data = decodeAll(m.details?.data)[0] as LocalActivityData | undefined;
      const result = decodeAll(m.details?.result)[0];
      // Scheduled at the workflow's time (its task's start), completed at the worker's clock: never before.
      const scheduledAt = data?.original_schedule_time ? millis(data.original_schedule_time) : at;
      const run: ActivityRun = {
        scheduledEventId: Number(e.eventId),
        type: data?.activity_type ?? '?',
        summary: decode(e.userMetadata?.summary as Payload | undefined) as string | undefined,
        scheduledAt,
        startedAt: scheduledAt,
        endedAt: Math.max(scheduledAt, data?.complete_time ? millis(data.complete_time) : at),
        attempt: data?.attempt ?? 1,
        outcome: m.failure ? 'failed' : 'completed',
        ...(m.failure ? { failure: failureMessage(m.failure) } : { result }),
        input: [],
        local: true,
      };
      out.activities.push(run);
      // recordStatus returns the update it wrote, for this.
      if (run.type === 'recordStatus' && !m.failure) noteWrite(out, result as StatusUpdate | undefined, at);
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      const run = byScheduled.get(Number(a.scheduledEventId));
      if (run) {
        run.startedAt = at;
        run.attempt = a.attempt ?? 1;
        run.outcome = 'running';
        run.previousFailure = failureMessage(a.lastFailure);
      }
    } else if (e.activityTaskCompletedEventAttributes) {
      const a = e.activityTaskCompletedEventAttributes;
      const run = byScheduled.get(Number(a.scheduledEventId));
      if (run) Object.assign(run, { endedAt: at, outcome: 'completed', result: decodeAll(a.result)[0] });
      if (run?.type === 'planOperation') {
        const planned = run.result as PlanOutcome | undefined;
        if (planned?.ok) out.plan = planned.plan;
      }
    } else if (e.activityTaskFailedEventAttributes) {
      const a = e.activityTaskFailedEventAttributes;
      const run = byScheduled.get(Number(a.scheduledEventId));
      if (run) Object.assign(run, { endedAt: at, outcome: 'failed', failure: failureMessage(a.failure) });
    } else if (e.activityTaskTimedOutEventAttributes) {
      const a = e.activityTaskTimedOutEventAttributes;
      const run = byScheduled.get(Number(a.scheduledEventId));
      if (run) Object.assign(run, { endedAt: at, outcome: 'timed out', failure: failureMessage(a.failure) ?? 'timed out' });
    } else if (e.activityTaskCanceledEventAttributes) {
      const a = e.activityTaskCanceledEventAttributes;
      const run = byScheduled.get(Number(a.scheduledEventId));
      if (run) Object.assign(run, { endedAt: at, outcome: 'cancelled', failure: 'cancelled (its step ran out of time, or the run was cancelled)' });
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const a = e.workflowExecutionUpdateAcceptedEventAttributes;
      out.updates.push({ at, name: a.acceptedRequest?.input?.name ?? '?', outcome: 'accepted' });
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      const accepted = [...out.updates].reverse().find((u) => u.outcome === 'accepted');
      if (accepted) Object.assign(accepted, { outcome: 'completed', result: decodeAll(a.outcome?.success)[0] });
    } else if (e.workflowExecutionCancelRequestedEventAttributes) {
      out.cancelRequestedAt = at;
    } else if (e.workflowExecutionCompletedEventAttributes) {
      out.closed = { at, status: 'completed', result: decodeAll(e.workflowExecutionCompletedEventAttributes.result)[0] };
    } else if (e.workflowExecutionFailedEventAttributes) {
      out.closed = { at, status: 'failed', failure: e.workflowExecutionFailedEventAttributes.failure?.message ?? undefined };
    } else if (e.workflowExecutionCanceledEventAttributes) {
      out.closed = { at, status: 'cancelled' };
    } else if (e.workflowExecutionTerminatedEventAttributes) {
      out.closed = { at, status: 'terminated', failure: e.workflowExecutionTerminatedEventAttributes.reason ?? undefined };
    } else if (e.workflowExecutionTimedOutEventAttributes) {
      out.closed = { at, status: 'timed out' };
    } else if (e.workflowExecutionContinuedAsNewEventAttributes) {
      out.closed = { at, status: 'continued' };
    }
  }
  return out;
}

/** Activities that keep the books (admission, the queue, planning, status writes) rather than do a step's work. */
export const bookkeepingActivities = new Set(['admit', 'awaitTurn', 'planOperation', 'adoptOpsRequest', 'recordStatus']);

export interface StepAttempt {
  label: string;
  condition: string;
  attempt: number;
  startedAt: number;
  endedAt?: number;
  outcome: 'done' | 'failed' | 'waiting for a retry' | 'running';
  message?: string;
  activities: ActivityRun[];
  /** A retry asked for after this attempt failed (the Update retryFailedStep). */
  retriedAt?: number;
  /** Steps that ran within this one (a pod's restart within "Restart the pods"). */
  within: StepAttempt[];
}

export interface StepHistory {
  /** Admission, its turn, the plan (and creating the OpsRequest, for a whole-OpsRequest input). */
  before: ActivityRun[];
  /** Each step attempt in the order they started; those that ran within another are also in its `within`. */
  steps: StepAttempt[];
  /** The attempts that ran within no other one. */
  top: StepAttempt[];
  /** What ran after the last step: putting things back when it failed. */
  after: ActivityRun[];
}

/**
 * Each step's attempts, each with the activities it ran: an activity belongs to the step attempt whose time
 * window (from when the attempt started until its status was recorded) it was scheduled in, the innermost
 * when they nest (a pod's restart within "Restart the pods").
 */
export function stepsOf(h: RunHistory): StepHistory {
  const attempts = new Map<string, StepAttempt>();
  for (const w of h.writes) {
    const key = `${w.label}\0${w.attempt}`;
    const outcome: StepAttempt['outcome'] = w.status === 'True' ? 'done' : w.reason === 'WaitingForRetry' ? 'waiting for a retry' : 'failed';
    const known = attempts.get(key);
    if (known) {
      // The attempt that waited for a retry and then did not get one: its final word.
      Object.assign(known, { outcome: known.outcome === 'waiting for a retry' && outcome === 'failed' ? 'failed' : known.outcome });
      continue;
    }
    attempts.set(key, { label: w.label, condition: w.condition, attempt: w.attempt, startedAt: w.startedAt, endedAt: w.at, outcome, message: w.message, activities: [], within: [] });
  }
  const steps = [...attempts.values()].sort((a, b) => a.startedAt - b.startedAt || (a.endedAt ?? Infinity) - (b.endedAt ?? Infinity));
  for (const s of steps) {
    if (s.outcome !== 'waiting for a retry' && s.outcome !== 'failed') continue;
    const retry = h.updates.find((u) => u.name === 'retryFailedStep' && u.at >= (s.endedAt ?? 0) && u.outcome !== 'rejected');
    const next = steps.find((x) => x.label === s.label && x.attempt === s.attempt + 1);
    if (retry && next) s.retriedAt = retry.at;
    if (s.outcome === 'waiting for a retry' && (next || h.closed)) s.outcome = 'failed';
  }
  const before: ActivityRun[] = [];
  const after: ActivityRun[] = [];
  const firstStart = steps[0]?.startedAt ?? Infinity;
  const lastEnd = steps.reduce((m, s) => Math.max(m, s.endedAt ?? Infinity), -Infinity);
  for (const a of h.activities) {
    if (a.type === 'recordStatus') continue;
    const holders = steps.filter((s) => s.startedAt <= a.scheduledAt && a.scheduledAt <= (s.endedAt ?? Infinity));
    const holder = holders.sort((x, y) => y.startedAt - x.startedAt)[0];
    if (holder && !bookkeepingActivities.has(a.type)) holder.activities.push(a);
    else if (a.scheduledAt < firstStart || bookkeepingActivities.has(a.type)) before.push(a);
    else if (a.scheduledAt > lastEnd) after.push(a);
    else {
      // Between two steps (a step with no status of its own yet, e.g. still running): the latest that started.
      const started = steps.filter((s) => s.startedAt <= a.scheduledAt).sort((x, y) => y.startedAt - x.startedAt)[0];
      (started ? started.activities : after).push(a);
    }
  }
  const top: StepAttempt[] = [];
  for (const s of steps) {
    const end = s.endedAt ?? Infinity;
    const parent = steps
      .filter((x) => x !== s && x.startedAt < s.startedAt && (x.endedAt ?? Infinity) >= end)
      .sort((x, y) => y.startedAt - x.startedAt)[0];
    (parent ? parent.within : top).push(s);
  }
  // A step recorded at one instant (choosing a pod) did its work just before, in its parent's activity that
  // ended then ("choose the next pod"): that activity is shown under it.
  for (const parent of steps) {
    let since = parent.startedAt;
    for (const child of parent.within) {
      if (child.endedAt === child.startedAt) {
        const i = parent.activities.findLastIndex((a) => a.endedAt !== undefined && a.endedAt >= since && a.endedAt <= child.startedAt + 1);
        if (i >= 0) {
          const [a] = parent.activities.splice(i, 1);
          child.activities.push(a);
          child.startedAt = a.scheduledAt;
        }
      }
      since = child.endedAt ?? since;
    }
  }
  return { before, steps, top, after };
}
