// cert-manager's duration and renewBefore fields, in Go's duration syntax ("2160h", "720h0m0s", "90m").
import { parseDuration } from '../../model/duration.ts';

export function parseGoDuration(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined) throw new Error(`invalid duration ${JSON.stringify(text)}`);
  return ms;
}

/** cert-manager's default Certificate duration: 90 days. */
export const DEFAULT_DURATION_MS = parseGoDuration('2160h');

export const certificateDurationMs = (duration?: string) => (duration ? parseGoDuration(duration) : DEFAULT_DURATION_MS);
