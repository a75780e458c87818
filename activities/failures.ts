// Kubernetes errors as Temporal sees them: a request the API server refuses for what it is (400, 403, 404,
// 422) will not succeed on retry, so it fails the step at once; everything else is retried by the policy.
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

/** Runs `fn`, translating Kubernetes errors (see asActivityFailure). */
export async function kubeCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw asActivityFailure(err, what);
  }
}
