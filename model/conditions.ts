// Status conditions, KubeDB-style: one entry per type, replaced in place; the transition time moves only
// when the status does.
import type { Condition } from './types.ts';

export function upsertCondition(conditions: Condition[] | undefined, next: Condition, now: string): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  const previous = i >= 0 ? list[i] : undefined;
  const merged: Condition = {
    ...next,
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime ?? now : now,
  };
  if (i >= 0) list[i] = merged;
  else list.push(merged);
  return list;
}

export function removeCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

export const findCondition = (conditions: Condition[] | undefined, type: string) => conditions?.find((c) => c.type === type);

export const isConditionTrue = (conditions: Condition[] | undefined, type: string) =>
  findCondition(conditions, type)?.status === 'True';
