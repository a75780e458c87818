import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { isTransient, kubeCall } from '../../activities/failures.ts';

const apiError = (code: number) => new ApiException(code, `HTTP ${code}`, { message: `status ${code}` }, {});
const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }) });

test('transient: 5xx, 429 and a connection refused or reset; not 4xx, not a 409', () => {
  for (const e of [apiError(500), apiError(503), apiError(429), refused]) assert.equal(isTransient(e), true);
  for (const e of [apiError(400), apiError(403), apiError(404), apiError(409), apiError(422), new Error('boom')]) assert.equal(isTransient(e), false);
});

test('a call that meets transient errors is tried again in place, and succeeds without using the step’s retries', async () => {
  let calls = 0;
  const got = await kubeCall('reading x', async () => {
    calls++;
    if (calls === 1) throw refused;
    if (calls === 2) throw apiError(503);
    return 'ok';
  });
  assert.deepEqual([got, calls], ['ok', 3]);
});

test('a permanent refusal fails at once, non-retryable, naming the call', async () => {
  let calls = 0;
  const err = await kubeCall('updating y', async () => {
    calls++;
    throw apiError(403);
  }).catch((e: unknown) => e);
  assert.equal(calls, 1);
  assert.ok(err instanceof ApplicationFailure && err.nonRetryable, String(err));
  assert.match((err as Error).message, /^updating y: 403/);
});
