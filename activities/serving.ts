// What each restarted pod serves, checked as a client would see it: connect to the pod (its IP and the
// kind's port, see platform/pod-endpoint.ts), make the protocol's TLS upgrade, read the certificate. It must be
// the one its Secret holds now (same serial) and chain to the Secret's CA; after TLS is removed the pod must
// serve without TLS. OPSFLOW_VERIFY_SERVING=false skips the check, for pods that run no server (simulated).
import { X509Certificate } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { ServingCheck } from '../model/plan.ts';
import type { Kube } from '../platform/kube.ts';
import { podEndpoint } from '../platform/pod-endpoint.ts';
import { probeTLS } from '../platform/tls-probe.ts';
import { kubeCall } from './failures.ts';
import type { DatabaseRef } from './refs.ts';

const certs = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => new X509Certificate(b));

/** Checks what `pod` serves against `check`; throws an ApplicationFailure (retryable where waiting may help) when it is wrong. */
export async function checkServing(kube: Kube, db: DatabaseRef, pod: string, check: ServingCheck): Promise<string> {
  if (process.env.OPSFLOW_VERIFY_SERVING === 'false') return `${pod}: not checked (OPSFLOW_VERIFY_SERVING=false)`;
  const current = await kubeCall(`reading pod ${db.namespace}/${pod}`, () => kube.core.readNamespacedPod({ namespace: db.namespace, name: pod }));
  const { host, port } = podEndpoint(current, check.port);
  let served;
  try {
    served = await probeTLS(host, port, check.protocol);
  } catch (err) {
    throw ApplicationFailure.retryable(`${pod} (${host}:${port}): ${(err as Error).message}`, 'NotServing');
  }
  if (!check.secretName) {
    if (served.tls) throw ApplicationFailure.nonRetryable(`${pod} still serves TLS (certificate serial ${served.certificate.serialNumber}) after TLS was removed`, 'StillTLS');
    return `${pod} serves without TLS, as it should`;
  }
  if (!served.tls) throw ApplicationFailure.retryable(`${pod} serves no TLS: ${served.detail}`, 'NoTLS');
  const secret = await kubeCall(`reading Secret ${db.namespace}/${check.secretName}`, () => kube.core.readNamespacedSecret({ namespace: db.namespace, name: check.secretName! }));
  const text = (k: string) => Buffer.from(secret.data?.[k] ?? '', 'base64').toString('utf8');
  const [expected] = certs(text('tls.crt'));
  const cas = certs(text('ca.crt'));
  const got = served.certificate;
  if (got.serialNumber !== expected?.serialNumber) {
    throw ApplicationFailure.retryable(`${pod} serves the certificate with serial ${got.serialNumber}, not the one in Secret ${check.secretName} (${expected?.serialNumber})`, 'OldCertificate');
  }
  const chained = [...served.chain, ...cas].some((ca) => got.checkIssued(ca) && got.verify(ca.publicKey));
  if (!chained) throw ApplicationFailure.nonRetryable(`${pod} serves serial ${got.serialNumber}, which does not chain to the CA in Secret ${check.secretName}`, 'UntrustedCertificate');
  return `${pod} serves serial ${got.serialNumber}`;
}

export function servingActivities(kube: Kube) {
  return {
    verifyServing: (db: DatabaseRef, pod: string, check: ServingCheck): Promise<string> => checkServing(kube, db, pod, check),
  };
}
