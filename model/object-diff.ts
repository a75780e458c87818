// Field-by-field differences between two JSON values, as dotted paths (`spec.tls.issuerRef.name`,
// `dnsNames[2]`): what the dry run shows of a Certificate that changes, and what an adopted OpsRequest's spec
// must not have.
import { isDeepStrictEqual } from 'node:util';

export interface FieldChange {
  path: string;
  from?: unknown;
  to?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The leaves that differ. Objects are compared key by key (a key absent on one side, or undefined, is a
 * change from or to nothing); lists of scalars as sets of added and removed items; other lists by position.
 */
export function fieldChanges(from: unknown, to: unknown, path = ''): FieldChange[] {
  if (isDeepStrictEqual(from, to)) return [];
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => fieldChanges(from[k], to[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const scalars = [...from, ...to].every((v) => !isObject(v) && !Array.isArray(v));
    if (scalars) {
      const removed = from.filter((v) => !to.some((w) => isDeepStrictEqual(v, w)));
      const added = to.filter((v) => !from.some((w) => isDeepStrictEqual(v, w)));
      if (!removed.length && !added.length) return [{ path, from, to }]; // the same items in another order
      return [...removed.map((v) => ({ path, from: v })), ...added.map((v) => ({ path, to: v }))];
    }
    const n = Math.max(from.length, to.length);
    return Array.from({ length: n }, (_, i) => fieldChanges(from[i], to[i], `${path}[${i}]`)).flat();
  }
  if (from === undefined && isObject(to)) return fieldChanges({}, to, path);
  if (to === undefined && isObject(from)) return fieldChanges(from, {}, path);
  return [{ path, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }];
}

/** One change as a line: `~ path: a → b`, `+ path: b`, `- path: a`. */
export function describeChange(c: FieldChange): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  if (c.from === undefined) return `+ ${c.path}: ${show(c.to)}`;
  if (c.to === undefined) return `- ${c.path}: ${show(c.from)}`;
  return `~ ${c.path}: ${show(c.from)} → ${show(c.to)}`;
}
