// Where a run's time goes, from its history: its span and its waits (issuance, pods, the database), workflow
// tasks (waiting to be picked up, then in the worker, local activities included), regular activities (waiting
// to be picked up, then running), and local activities. Sums over the run; the parts mostly follow each other.
import type { temporal } from '@temporalio/proto';
import { parseHistory } from '../../client/cli/run-history.ts';

export interface Breakdown {
  /** First to last event. */
  runMs: number;
  /** In the waits for issuance, pods and the database (regular activities, running). */
  waitingMs: number;
  workflowTasks: number;
  /** Scheduled → started, summed. */
  workflowTaskQueuedMs: number;
  /** Started → completed (the worker's part: workflow code and the local activities it ran), summed. */
  workflowTaskRunMs: number;
  regularActivities: number;
  activityQueuedMs: number;
  activityRunMs: number;
  localActivities: number;
  localActivityMs: number;
}

const waits = new Set(['awaitCertificates', 'waitPodReplaced', 'waitDatabaseReady']);
const at = (e: temporal.api.history.v1.IHistoryEvent) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;

export function breakdown(history: temporal.api.history.v1.IHistory): Breakdown {
  const events = history.events ?? [];
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const b: Breakdown = { runMs: events.length ? at(events.at(-1)!) - at(events[0]) : 0, waitingMs: 0, workflowTasks: 0, workflowTaskQueuedMs: 0, workflowTaskRunMs: 0, regularActivities: 0, activityQueuedMs: 0, activityRunMs: 0, localActivities: 0, localActivityMs: 0 };
  for (const e of events) {
    const started = e.workflowTaskStartedEventAttributes;
    if (started) {
      b.workflowTasks++;
      b.workflowTaskQueuedMs += at(e) - at(byId.get(Number(started.scheduledEventId))!);
    }
    const completed = e.workflowTaskCompletedEventAttributes;
    if (completed) b.workflowTaskRunMs += at(e) - at(byId.get(Number(completed.startedEventId))!);
  }
  for (const a of parseHistory(history).activities) {
    if (a.local) {
      b.localActivities++;
      b.localActivityMs += (a.endedAt ?? a.scheduledAt) - a.scheduledAt;
      continue;
    }
    b.regularActivities++;
    if (a.startedAt !== undefined) b.activityQueuedMs += a.startedAt - a.scheduledAt;
    if (a.endedAt === undefined) continue;
    b.activityRunMs += a.endedAt - (a.startedAt ?? a.scheduledAt);
    if (waits.has(a.type)) b.waitingMs += a.endedAt - (a.startedAt ?? a.scheduledAt);
  }
  for (const k of Object.keys(b) as (keyof Breakdown)[]) b[k] = Math.round(b[k]);
  return b;
}
