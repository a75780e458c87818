// Status conditions as Kubernetes keeps them: one per type, lastTransitionTime changes only when the
// status does. The controller compares before writing, so a write happens only when something changed
// (its own status writes come back as watch events and must not cause further writes).
import type { Condition } from '../../model/types.ts';

export const READY_MESSAGE = 'Certificate is up to date and has not expired';

/** `conditions` with `next` in place of the condition of its type. */
export function setCondition(conditions: Condition[], next: Omit<Condition, 'lastTransitionTime'>, now: string): Condition[] {
  const current = conditions.find((c) => c.type === next.type);
  const lastTransitionTime = current?.status === next.status && current.lastTransitionTime ? current.lastTransitionTime : now;
  const merged: Condition = { ...next, lastTransitionTime };
  return current ? conditions.map((c) => (c === current ? merged : c)) : [...conditions, merged];
}

export const findCondition = (conditions: Condition[] | undefined, type: string) => conditions?.find((c) => c.type === type);

/**
 * Whether two Issuing conditions are the same request. A request is its status, reason and transition
 * time; its message may be amended (we add why it is still pending) without making it a new request.
 */
export const sameRequest = (a?: Condition, b?: Condition) =>
  !!a && !!b && a.status === b.status && a.reason === b.reason && a.lastTransitionTime === b.lastTransitionTime;

/** Deep equality of JSON values regardless of key order (the API server returns keys sorted). */
export const sameJSON = (a: unknown, b: unknown) => canonical(a) === canonical(b);

const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
