// Go's time.ParseDuration, which is what cert-manager's duration and renewBefore fields are
// ("2160h", "720h0m0s", "90m", "1.5h"). Returns milliseconds; throws on text Go would reject.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3,
  'μs': 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export function parseGoDuration(text: string): number {
  const match = /^([+-])?((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(text);
  if (!match) {
    if (text === '0' || text === '+0' || text === '-0') return 0;
    throw new Error(`invalid duration ${JSON.stringify(text)}`);
  }
  let total = 0;
  for (const [, value, unit] of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(value) * UNIT_MS[unit!]!;
  }
  return match[1] === '-' ? -total : total;
}

/** cert-manager's default Certificate duration: 90 days. */
export const DEFAULT_DURATION_MS = parseGoDuration('2160h');

export const certificateDurationMs = (duration?: string) =>
  duration ? parseGoDuration(duration) : DEFAULT_DURATION_MS;
