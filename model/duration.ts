// Go's duration syntax (time.ParseDuration), as KubeDB and cert-manager write durations: "5m", "90s", "1h30m",
// "2160h0m0s", "1.5h", "500ms", "0". Negative durations mean nothing in these APIs and are refused.

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const term = String.raw`(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)`;
const whole = new RegExp(`^(?:${term})+$`);

/** The longest duration Go holds (2^63 - 1 ns, about 2562047h): longer ones do not parse there either. */
const maxMs = 9_223_372_036_854;

/** Milliseconds, or undefined when `text` is not a (non-negative) duration Go could hold. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '0') return 0;
  if (!whole.test(trimmed)) return undefined;
  let total = 0;
  for (const [, value, unit] of trimmed.matchAll(new RegExp(term, 'g'))) total += Number(value) * unitMs[unit];
  return total <= maxMs ? total : undefined;
}

export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
