// Emits Kubernetes Events the way client-go's recorder aggregates them: one Event object per (object, type,
// reason, message), its `count` (and `series`) counting how often it happened. A retried activity emits the same occurrence again; it is recognised by an
// annotation naming the activity that emitted it, so a retry never counts twice. The Events this worker wrote
// last are remembered, so a repeated event costs one request, not three. Events are a courtesy: a
// failure to emit one is logged and never fails the work it describes.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { V1MicroTime, type CoreV1Event } from '@kubernetes/client-node';
import { Context, log } from '@temporalio/activity';
import type { EventContext, EventSpec, EventTarget } from '../model/events.ts';
import { databaseApiVersion, profileForOpsKind, profiles } from '../model/profiles.ts';
import { isConflict, isNotFound, type Kube } from '../platform/kube.ts';
import { RecentMap } from '../platform/recent-map.ts';

export const reportingController = 'opsflow';
export const occurrenceAnnotation = 'opsflow.dev/occurrence';

/** An object an event is about: what `regarding` (core/v1: `involvedObject`) names. */
export interface Regarding {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid?: string;
}

/** The Event object's name: the same for every occurrence of the same event on the same object. */
export function eventName(regarding: Regarding, spec: Pick<EventSpec, 'type' | 'reason' | 'message'>): string {
  const hash = createHash('sha256').update([regarding.uid ?? '', regarding.kind, regarding.name, spec.type, spec.reason, spec.message].join('\0')).digest('hex').slice(0, 16);
  return `${regarding.name.slice(0, 200)}.${hash}`;
}

/** This activity attempt's occurrence key: the same across retries of one scheduled activity. */
function currentOccurrence(): string | undefined {
  try {
    const info = Context.current().info;
    return `${info.workflowExecution?.runId ?? info.activityRunId ?? ""}/${info.activityId}`;
  } catch {
    return undefined; // not in an activity
  }
}

/**
 * Emits `spec` about `regarding` once per occurrence (`occurrence`, by default the calling activity): creates
 * the Event, or counts one more in its series.
 */
export async function emitEvent(kube: Kube, regarding: Regarding, spec: Omit<EventSpec, 'on'>, occurrence = currentOccurrence()): Promise<void> {
  const name = eventName(regarding, spec);
  const namespace = regarding.namespace;
  const key = occurrence ?? `${Date.now()}-${Math.random()}`;
  // eventTime (microseconds) for `kubectl get events --sort-by=.eventTime`; lastTimestamp (seconds), which
  // kubectl describe orders by, and count for the core/v1 view; written through core/v1, which allows both.
  const now = new V1MicroTime();
  const at = new Date(now.getTime());
  const body: CoreV1Event = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace, annotations: { [occurrenceAnnotation]: key } },
    involvedObject: { apiVersion: regarding.apiVersion, kind: regarding.kind, namespace, name: regarding.name, uid: regarding.uid },
    type: spec.type,
    reason: spec.reason.slice(0, 128),
    message: spec.message,
    action: spec.action.slice(0, 128),
    source: { component: reportingController },
    reportingComponent: reportingController,
    reportingInstance: `${reportingController}-${hostname()}`.slice(0, 128),
    eventTime: now,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
  const cacheKey = `${namespace}/${name}`;
  const create = async () => void written.set(cacheKey, await kube.core.createNamespacedEvent({ namespace, body }));
  let current = written.get(cacheKey);
  if (!current) {
    try {
      return await create();
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
  }
  for (let attempt = 1; attempt <= 5; attempt++) {
    current ??= await kube.core.readNamespacedEvent({ namespace, name }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
    try {
      // Gone since it was written (Events live an hour): made anew.
      if (!current) return await create();
      if (current.metadata?.annotations?.[occurrenceAnnotation] === key) return; // this occurrence, emitted by an earlier attempt
      const count = (current.count ?? 1) + 1;
      const replaced = await kube.core.replaceNamespacedEvent({
        namespace,
        name,
        body: {
          ...current,
          metadata: { ...current.metadata, annotations: { ...current.metadata?.annotations, [occurrenceAnnotation]: key } },
          count,
          lastTimestamp: at,
          series: { count, lastObservedTime: now },
        },
      });
      written.set(cacheKey, replaced);
      return;
    } catch (err) {
      // Changed (or made, or deleted) by someone else since it was read or remembered: read it again.
      if (!(isConflict(err) || isNotFound(err)) || attempt === 5) throw err;
      current = undefined;
    }
  }
}

// The Event objects this worker last wrote, by namespace/name, as client-go's recorder keeps them: the next
// occurrence of an event then updates its object at once, instead of a create refused and a read first. A
// copy gone stale (someone else counted on it) is refused for its resourceVersion and read afresh. Bounded:
// the oldest are forgotten first.
const written = new RecentMap<string, CoreV1Event>(1000);

/** The OpsRequest and the database of an event context, with their UIDs when known. */
export function eventTargets(c: EventContext, uids: { ops?: string; db?: string }): Record<EventTarget, Regarding> {
  const p = profiles[c.dbKind];
  return {
    OpsRequest: { apiVersion: 'ops.kubedb.com/v1alpha1', kind: c.opsKind, namespace: c.namespace, name: c.opsName, uid: uids.ops },
    Database: { apiVersion: databaseApiVersion(p), kind: c.dbKind, namespace: c.namespace, name: c.dbName, uid: uids.db },
  };
}

/** Finds the UID of an object an event is about; undefined when it is gone (its events are then left out). */
async function uidOf(kube: Kube, r: Regarding): Promise<string | undefined> {
  const [group, version] = r.apiVersion.split('/');
  const plural = profileForOpsKind(r.kind)?.opsRequest.plural ?? Object.values(profiles).find((p) => p.kind === r.kind)?.plural;
  if (!plural) return undefined;
  try {
    const obj = (await kube.custom.getNamespacedCustomObject({ group, version, plural, namespace: r.namespace, name: r.name })) as { metadata?: { uid?: string } };
    return obj.metadata?.uid;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Emits each event on the objects it names, in order on each object (the two objects at once). UIDs not given
 * are read (an object that is gone gets no event); returns the UIDs it used, for the next call. Failures are
 * logged, never thrown: events must not fail the step they describe.
 */
export async function emitEvents(kube: Kube, c: EventContext, specs: EventSpec[], uids: { ops?: string; db?: string } = {}): Promise<{ ops?: string; db?: string }> {
  const known: Partial<Record<EventTarget, string | undefined>> = { OpsRequest: uids.ops, Database: uids.db };
  if (!specs.length) return uids;
  try {
    const targets = eventTargets(c, uids);
    await Promise.all(
      (['OpsRequest', 'Database'] as const).map(async (t) => {
        const mine = specs.filter((s) => s.on.includes(t));
        if (!mine.length) return;
        if (known[t] === undefined) known[t] = await uidOf(kube, targets[t]);
        if (!known[t]) return;
        for (const spec of mine) await emitEvent(kube, { ...targets[t], uid: known[t] }, spec);
      }),
    );
  } catch (err) {
    logWarning('could not emit events', { reasons: specs.map((s) => s.reason), error: err instanceof Error ? err.message : String(err) });
  }
  return { ops: known.OpsRequest, db: known.Database };
}

function logWarning(message: string, meta: Record<string, unknown>) {
  try {
    log.warn(message, meta);
  } catch {
    console.warn(message, meta);
  }
}
