import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { formatDuration, parseDuration } from '../../model/duration.ts';

describe('parseDuration', () => {
  const valid: [string, number][] = [
    ['5m', 300_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['2160h0m0s', 2160 * 3_600_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    ['1m500ms', 60_500],
    [' 5m ', 300_000],
    ['.5h', 1_800_000],
    ['250us', 0.25],
    ['0', 0],
    ['2562047h', 2562047 * 3_600_000],
  ];
  for (const [text, ms] of valid) test(`"${text}" is ${ms} ms`, () => assert.equal(parseDuration(text), ms));

  // The last two: longer than Go's time.Duration holds (it refuses them too).
  for (const text of ['', '5', '5 minutes', '-1s', '+1s', '1d', 'm', '1h 30m', '1..5h', '2562048h', '999999999999h']) {
    test(`rejects "${text}"`, () => assert.equal(parseDuration(text), undefined));
  }
});

describe('formatDuration', () => {
  const cases: [number, string][] = [
    [300_000, '5m'],
    [90_000, '90s'],
    [7_200_000, '2h'],
    [5_400_000, '90m'],
    [500, '500ms'],
    [1500, '1500ms'],
  ];
  for (const [ms, text] of cases) {
    test(`${ms} ms is "${text}" and parses back`, () => {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(formatDuration(ms)), ms);
    });
  }
});
