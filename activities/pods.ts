// Restarting a database's pods one at a time: the plan (pure, from the pods as they are), an eviction
// through the Eviction API (PodDisruptionBudgets are honoured), and the wait for the replacement.
import type { V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { labelSelector, podSelectorLabels, profiles, roleLabel } from '../model/profiles.ts';
import { restartPlan, type RestartStep } from '../model/restart-plan.ts';
import { isNotFound, pods, statusCode, type Kube } from '../platform/kube.ts';
import { waitFor } from '../platform/watch.ts';
import { asActivityFailure, kubeCall } from './failures.ts';
import { whileHeartbeating } from './heartbeat.ts';
import type { DatabaseRef } from './refs.ts';

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
    /** The pods of the database in the order they will restart (MySQL: standbys, then the primary). */
    async planRestart(db: DatabaseRef): Promise<RestartStep[]> {
      const p = profiles[db.kind];
      const list = await kubeCall(`listing pods of ${db.kind} ${db.namespace}/${db.name}`, () =>
        kube.core.listNamespacedPod({ namespace: db.namespace, labelSelector: labelSelector(podSelectorLabels(p, db.name)) }),
      );
      if (list.items.length === 0) {
        throw ApplicationFailure.nonRetryable(`${db.kind} ${db.namespace}/${db.name} has no pods to restart`, 'NoPods');
      }
      return restartPlan(
        p,
        list.items.map((pod) => ({ name: pod.metadata!.name!, uid: pod.metadata!.uid!, role: pod.metadata?.labels?.[roleLabel] })),
      );
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
          waitFor<V1Pod, Replacement>(
            kube,
            pods(namespace),
            { fieldSelector: `metadata.name=${pod}` },
            ([current]) => {
              if (!current || current.metadata?.uid === oldUid) return undefined;
              seen = `recreated (uid ${current.metadata?.uid}), phase ${current.status?.phase}, ${isReady(current) ? 'Ready' : 'not Ready'}`;
              return isReady(current) ? { pod, uid: current.metadata!.uid!, role: current.metadata?.labels?.[roleLabel] } : undefined;
            },
            signal,
          ),
        () => ({ pod, seen }),
      );
    },
  };
}
