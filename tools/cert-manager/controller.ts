// The stand-in for cert-manager's controller (CA and SelfSigned issuers). It watches Certificates,
// Issuers, ClusterIssuers and Secrets; every change is mapped to the Certificates it concerns, which are
// reconciled one at a time each (reconcile.ts). Nothing polls: besides events, a Certificate is looked at
// again at its renewal time, and after an error with backoff.
import type { KubernetesObject } from '@kubernetes/client-node';
import { apiMessage, type Collection, type Kube } from '../../platform/kube.ts';
import type { Logger } from '../../platform/logger.ts';
import { observe, type Observation } from '../../platform/watch.ts';
import { reconcileCertificate, type ReconcileContext } from './reconcile.ts';
import { GROUP, VERSION, type CMCertificate, type Issuer } from './types.ts';
import { KeyedQueue } from '../../platform/keyed-queue.ts';

const collection = (kind: string, plural: string, apiVersion = `${GROUP}/${VERSION}`): Collection => ({ apiVersion, kind, plural });

// setTimeout cannot wait longer than this; a later renewal is re-armed when the shorter timer fires.
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_BACKOFF_MS = 5 * 60_000;

export async function runCertManager(kube: Kube, signal: AbortSignal, log: Logger): Promise<void> {
  const clusterResourceNamespace = process.env.CERT_MANAGER_CLUSTER_RESOURCE_NAMESPACE || 'cert-manager';
  const ctx: ReconcileContext = { kube, log, clusterResourceNamespace };

  // What the watches have seen: used only to decide which Certificates an event concerns.
  let certificates = new Map<string, CMCertificate>();
  let issuers = new Map<string, Issuer>();
  let clusterIssuers = new Map<string, Issuer>();

  const timers = new Map<string, NodeJS.Timeout>();
  const failures = new Map<string, number>();
  const lookAgainAt = (key: string, at: Date) => {
    clearTimeout(timers.get(key));
    const delay = Math.min(Math.max(at.getTime() - Date.now(), 0), MAX_TIMER_MS);
    timers.set(key, setTimeout(() => queue.add(key), delay));
  };

  const queue = new KeyedQueue(async (key) => {
    if (signal.aborted) return;
    const [namespace, name] = key.split('/') as [string, string];
    clearTimeout(timers.get(key));
    timers.delete(key);
    try {
      const next = await reconcileCertificate(ctx, namespace, name);
      failures.delete(key);
      if (next) lookAgainAt(key, next);
    } catch (err) {
      const attempt = (failures.get(key) ?? 0) + 1;
      failures.set(key, attempt);
      const backoff = Math.min(500 * 2 ** (attempt - 1), MAX_BACKOFF_MS);
      log.warn({ certificate: key, attempt, retryInMs: backoff, err: apiMessage(err) }, 'reconcile failed');
      if (!signal.aborted) lookAgainAt(key, new Date(Date.now() + backoff));
    }
  });

  const enqueue = (filter: (c: CMCertificate) => boolean) => {
    for (const [key, certificate] of certificates) if (filter(certificate)) queue.add(key);
  };
  const issuerOf = (c: CMCertificate) => ({ kind: c.spec?.issuerRef?.kind || 'Issuer', name: c.spec?.issuerRef?.name });

  const onCertificates = ({ objects, type, object }: Observation<KubernetesObject>) => {
    certificates = objects as unknown as Map<string, CMCertificate>;
    if (type === 'SYNC') return enqueue(() => true);
    const key = `${object!.metadata!.namespace}/${object!.metadata!.name}`;
    if (type === 'DELETED') {
      clearTimeout(timers.get(key));
      timers.delete(key);
      failures.delete(key);
    } else queue.add(key);
  };

  const onIssuers = ({ objects, type, object }: Observation<KubernetesObject>) => {
    issuers = objects as unknown as Map<string, Issuer>;
    const changed = object?.metadata;
    enqueue((c) => {
      const ref = issuerOf(c);
      return ref.kind === 'Issuer' && (type === 'SYNC' || (c.metadata.namespace === changed?.namespace && ref.name === changed?.name));
    });
  };

  const onClusterIssuers = ({ objects, type, object }: Observation<KubernetesObject>) => {
    clusterIssuers = objects as unknown as Map<string, Issuer>;
    enqueue((c) => {
      const ref = issuerOf(c);
      return ref.kind === 'ClusterIssuer' && (type === 'SYNC' || ref.name === object?.metadata?.name);
    });
  };

  // A Secret matters to the Certificates stored in it, and to those whose issuer signs with it.
  const onSecrets = ({ type, object }: Observation<KubernetesObject>) => {
    if (type === 'SYNC') return enqueue(() => true);
    const namespace = object!.metadata!.namespace;
    const name = object!.metadata!.name;
    enqueue((c) => {
      if (c.metadata.namespace === namespace && c.spec?.secretName === name) return true;
      const ref = issuerOf(c);
      if (ref.kind === 'Issuer') {
        return c.metadata.namespace === namespace && issuers.get(`${namespace}/${ref.name}`)?.spec?.ca?.secretName === name;
      }
      return namespace === clusterResourceNamespace && clusterIssuers.get(`/${ref.name}`)?.spec?.ca?.secretName === name;
    });
  };

  const onError = (what: string) => (err: unknown) => log.warn({ watch: what, err: apiMessage(err) }, 'watch failed; re-listing');
  log.info({ clusterResourceNamespace }, 'cert-manager stand-in started (CA and SelfSigned issuers)');
  await Promise.all([
    observe(kube, collection('Certificate', 'certificates'), {}, onCertificates, signal, onError('certificates'), 2000),
    observe(kube, collection('Issuer', 'issuers'), {}, onIssuers, signal, onError('issuers'), 2000),
    observe(kube, collection('ClusterIssuer', 'clusterissuers'), {}, onClusterIssuers, signal, onError('clusterissuers'), 2000),
    observe(kube, collection('Secret', 'secrets', 'v1'), {}, onSecrets, signal, onError('secrets'), 2000),
  ]);
  await queue.drain();
  for (const timer of timers.values()) clearTimeout(timer);
}
