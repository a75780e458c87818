// Kubernetes errors as Temporal sees them: a request the API server refuses for what it is (400, 403, 404,
// 422) will not succeed on retry, so it fails the step at once; a transient one (the server restarting or
// overloaded) is tried again in the activity; what remains is retried by the step's policy.
import { setTimeout as sleep } from 'node:timers/promises';
import { ApplicationFailure } from '@temporalio/common';
import { apiMessage, statusCode } from '../platform/kube.ts';

const permanent = new Set([400, 403, 404, 422]);

export function asActivityFailure(err: unknown, what: string): unknown {
  if (err instanceof ApplicationFailure) return err;
  const code = statusCode(err);
  if (code === undefined) return err;
  const message = `${what}: ${apiMessage(err)}`;
  return permanent.has(code)
    ? ApplicationFailure.nonRetryable(message, `KubernetesApi${code}`)
    : ApplicationFailure.retryable(message, `KubernetesApi${code}`);
}

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * An error the API server (or the way to it) gives for the moment: 5xx, 429, a connection refused or reset. (A
 * 409 is not: a create's means the object exists, and updates handle their conflicts where they read.)
 */
export function isTransient(err: unknown): boolean {
  const code = statusCode(err);
  if (code !== undefined) return code >= 500 || code === 429;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (networkCodes.has((e as { code?: string }).code ?? '')) return true;
  }
  return false;
}

/** The waits between tries of a call that met a transient error: about 15 s in all, as long as an API server restart. */
const transientBackoffMs = [250, 500, 1000, 2000, 2000, 2000, 2000, 2000, 2000];

/**
 * Runs `fn`, translating Kubernetes errors (see asActivityFailure). A transient error is tried again here, so
 * it does not use up the step's own retries (spec.maxRetries): `fn` must be safe to run again (a failed call
 * changed nothing; each `fn` reads what it writes from).
 */
export async function kubeCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const wait = transientBackoffMs[attempt];
      if (wait === undefined || !isTransient(err)) throw asActivityFailure(err, what);
      await sleep(wait);
    }
  }
}
