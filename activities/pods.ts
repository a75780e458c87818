// Restarting a database's pods one at a time: the plan (pure, from the pods as they are), an eviction
// through the Eviction API (PodDisruptionBudgets are honoured), and the wait for the replacement.
import { X509Certificate } from 'node:crypto';
import type { V1Pod, V1PodDisruptionBudget, V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { labelSelector, podSelectorLabels, profiles, roleLabel, type DatabaseProfile } from '../model/profiles.ts';
import { nextRestart, type RestartStep } from '../model/restart-plan.ts';
import { tlsShape } from '../model/tls-layout.ts';
import { isNotFound, pods, statusCode, type Collection, type Kube } from '../platform/kube.ts';
import { waitFor } from '../platform/watch.ts';
import { asActivityFailure, kubeCall } from './failures.ts';
import { beforeTimeLimit, whileHeartbeating } from './heartbeat.ts';
import { readWorkload, type WorkloadFacts } from './facts.ts';
import type { DatabaseRef } from './refs.ts';

/** How a replacement pod stands, as `kubectl describe` would say it: phase, readiness, each container's wait or last exit. */
export function podState(pod: V1Pod): string {
  const containers = (pod.status?.containerStatuses ?? []).flatMap((c) => {
    const waiting = c.state?.waiting;
    const last = c.lastState?.terminated;
    const parts = [
      waiting ? `${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}` : '',
      last ? `last exit code ${last.exitCode}${c.restartCount ? `, ${c.restartCount} restarts` : ''}` : '',
    ].filter(Boolean);
    return parts.length ? [`container ${c.name}: ${parts.join('; ')}`] : [];
  });
  return [`recreated (uid ${pod.metadata?.uid}), phase ${pod.status?.phase}, ${isReady(pod) ? 'Ready' : 'not Ready'}`, ...containers].join('; ');
}

/** The newest notBefore among the certificates `template` mounts: when what a pod would load now was issued. */
async function newestCertificate(kube: Kube, p: DatabaseProfile, namespace: string, template: V1PodTemplateSpec): Promise<string | undefined> {
  const names = [...new Set(tlsShape(p, template).volumes.flatMap((v) => v.sources.map((s) => s.secret)).filter((n): n is string => Boolean(n)))];
  let newest: number | undefined;
  for (const name of names) {
    const secret = await kube.core.readNamespacedSecret({ namespace, name }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
    const pem = secret?.data?.['tls.crt'];
    if (!pem) continue;
    const notBefore = new X509Certificate(Buffer.from(pem, 'base64')).validFromDate.getTime();
    newest = Math.max(newest ?? notBefore, notBefore);
  }
  return newest === undefined ? undefined : new Date(newest).toISOString();
}

/** Waits until the workload's controller has seen its newest template, so `updateRevision` is the one new pods get. */
function waitForWorkloadStatus(kube: Kube, db: DatabaseRef, kind: WorkloadFacts['kind'], signal: AbortSignal): Promise<WorkloadFacts> {
  const collection: Collection = kind === 'PetSet'
    ? { apiVersion: 'apps.k8s.appscode.com/v1', kind: 'PetSet', plural: 'petsets', namespace: db.namespace }
    : { apiVersion: 'apps/v1', kind: 'StatefulSet', plural: 'statefulsets', namespace: db.namespace };
  return waitFor<V1StatefulSet, WorkloadFacts>(kube, collection, { fieldSelector: `metadata.name=${db.name}` }, ([w]) =>
    w && (w.status?.observedGeneration ?? 0) >= (w.metadata?.generation ?? 0)
      ? { kind, name: db.name, template: w.spec!.template, replicas: w.spec?.replicas, updateRevision: w.status?.updateRevision, generation: w.metadata?.generation, observedGeneration: w.status?.observedGeneration }
      : undefined,
  signal);
}

export interface Eviction {
  pod: string;
  /** `evicted`: this call evicted it; `deleted`: it was crash-looping, so it was deleted; `gone`: already replaced. */
  outcome: 'evicted' | 'deleted' | 'gone';
}

export interface Replacement {
  pod: string;
  uid: string;
  role?: string;
}

const isReady = (pod: V1Pod) => pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const crashLooping = (pod: V1Pod) =>
  pod.status?.containerStatuses?.some((s) => s.state?.waiting?.reason === 'CrashLoopBackOff') ?? false;

const selects = (pdb: V1PodDisruptionBudget, pod: V1Pod) =>
  pdb.spec?.selector?.matchLabels !== undefined &&
  Object.entries(pdb.spec.selector.matchLabels).every(([k, v]) => pod.metadata?.labels?.[k] === v);

export function podActivities(kube: Kube) {
  return {
    /**
     * The pod to restart next, decided from the pods as they are now (roles move; a retried run finds pods
     * already on the new revision): in the kind's order, among those not on the workload's newest revision or
     * (`certificates`) created before the certificates they mount were issued, never one this run restarted.
     * When none is left it waits until every pod is Ready, so the run never ends with a pod down.
     */
    async nextPodToRestart(db: DatabaseRef, certificates: boolean, restarted: string[]): Promise<RestartStep & { role?: string } | undefined> {
      const p = profiles[db.kind];
      const what = `${db.kind} ${db.namespace}/${db.name}`;
      const selector = labelSelector(podSelectorLabels(p, db.name));
      const listPods = () => kubeCall(`listing pods of ${what}`, () => kube.core.listNamespacedPod({ namespace: db.namespace, labelSelector: selector }));
      // The pods are listed while the workload is read (one round trip fewer on the run's path). When the
      // controller had not yet seen the workload's template, they are listed again once it has: no pod is
      // compared with a revision older than the template the run wrote.
      const [workload, listed] = await Promise.all([kubeCall(`reading the workload of ${what}`, () => readWorkload(kube, db)), listPods()]);
      if (!workload) throw ApplicationFailure.nonRetryable(`${what} has no StatefulSet or PetSet named ${db.name}`, 'NoWorkload');
      const observed = workload.generation === undefined || (workload.observedGeneration ?? 0) >= workload.generation;
      const current = observed ? workload : await whileHeartbeating((signal) => waitForWorkloadStatus(kube, db, workload.kind, signal));
      const list = observed ? listed : await listPods();
      const issued = certificates ? await kubeCall(`reading the certificates of ${what}`, () => newestCertificate(kube, p, db.namespace, current.template)) : undefined;
      const next = nextRestart(
        p,
        list.items.filter((pod) => !pod.metadata?.deletionTimestamp).map((pod) => ({
          name: pod.metadata!.name!,
          uid: pod.metadata!.uid!,
          role: pod.metadata?.labels?.[roleLabel],
          revision: pod.metadata?.labels?.['controller-revision-hash'],
          created: new Date(pod.metadata!.creationTimestamp!).toISOString(),
        })),
        { updateRevision: current.updateRevision, certificatesIssued: issued, restarted },
      );
      if (next) return { ...next, role: list.items.find((pod) => pod.metadata?.name === next.pod)?.metadata?.labels?.[roleLabel] };
      const replicas = workload.replicas ?? list.items.length;
      let ready = 0;
      await whileHeartbeating(
        (signal) =>
          waitFor<V1Pod, true>(kube, pods(db.namespace), { labelSelector: selector }, (all) => {
            ready = all.filter((pod) => isReady(pod) && !pod.metadata?.deletionTimestamp).length;
            return ready >= replicas ? true : undefined;
          }, signal),
        () => ({ waiting: `${ready} of ${replicas} pods Ready` }),
      );
      return undefined;
    },

    /**
     * Evicts the pod if it is still the one planned (same UID): a retried or repeated call never restarts
     * a pod twice. A PodDisruptionBudget that refuses (429) is waited out by watching it, within the step's
     * time limit. A crash-looping pod is deleted instead, so that it comes back with the new template.
     */
    async evictPod(namespace: string, pod: string, uid: string): Promise<Eviction> {
      return whileHeartbeating(async (signal) => {
        for (;;) {
          const current = await kubeCall(`reading pod ${namespace}/${pod}`, () =>
            kube.core.readNamespacedPod({ namespace, name: pod }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err))),
          );
          if (!current || current.metadata?.uid !== uid) return { pod, outcome: 'gone' };
          if (crashLooping(current)) {
            await kubeCall(`deleting crash-looping pod ${namespace}/${pod}`, () =>
              kube.core.deleteNamespacedPod({ namespace, name: pod, body: { preconditions: { uid } } }),
            );
            return { pod, outcome: 'deleted' };
          }
          try {
            await kube.core.createNamespacedPodEviction({
              namespace,
              name: pod,
              body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod, namespace }, deleteOptions: { preconditions: { uid } } },
            });
            return { pod, outcome: 'evicted' };
          } catch (err) {
            if (isNotFound(err) || statusCode(err) === 409) continue; // gone or replaced meanwhile: re-read
            if (statusCode(err) !== 429) throw asActivityFailure(err, `evicting pod ${namespace}/${pod}`);
          }
          // Refused by a PodDisruptionBudget: wait until every budget selecting the pod allows a disruption.
          await waitFor<V1PodDisruptionBudget, true>(
            kube,
            { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', namespace },
            {},
            (pdbs) => (pdbs.filter((b) => selects(b, current)).every((b) => (b.status?.disruptionsAllowed ?? 0) > 0) ? true : undefined),
            signal,
          );
        }
      });
    },

    /** Waits, watching, until a pod of that name with a UID other than `oldUid` is Ready. */
    async waitPodReplaced(namespace: string, pod: string, oldUid: string): Promise<Replacement> {
      let seen = 'not yet recreated';
      return whileHeartbeating(
        (signal) =>
          beforeTimeLimit(
            signal,
            (stop) =>
              waitFor<V1Pod, Replacement>(
                kube,
                pods(namespace),
                { fieldSelector: `metadata.name=${pod}` },
                ([current]) => {
                  if (!current || current.metadata?.uid === oldUid) return undefined;
                  seen = podState(current);
                  return isReady(current) ? { pod, uid: current.metadata!.uid!, role: current.metadata?.labels?.[roleLabel] } : undefined;
                },
                stop,
              ),
            (limit) => `${pod} was not Ready within ${limit} (spec.timeout): ${seen}`,
          ),
        () => ({ pod, seen }),
      );
    },
  };
}
