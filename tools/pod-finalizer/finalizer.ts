// The last step of a pod's deletion, as the kubelet does it: once a pod on a (simulated) node is terminating,
// delete it for good — with its UID as precondition, so that a replacement created under the same name
// (a StatefulSet's next incarnation) is never deleted by mistake (the kubelet's rule since kubernetes#25224).
// kwok v0.8.0's own pod-delete stage deletes by name only and, firing twice, can hit the replacement.
// Pods the pod runtime runs are left to it (`leaveTo`): it deletes them itself once their servers stopped.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { apiMessage, pods, type Kube } from '../../platform/kube.ts';
import { observe } from '../../platform/watch.ts';
import { podDeleter } from './delete-pod.ts';

const simulatedNodeAnnotation = 'kwok.x-k8s.io/node';

export interface PodFinalizerOptions {
  /** Pods another kubelet stand-in finishes (the pod runtime's). */
  leaveTo?: (pod: V1Pod) => boolean;
}

export async function runPodFinalizer(kube: Kube, signal: AbortSignal, log: Logger, options: PodFinalizerOptions = {}): Promise<void> {
  const simulated = new Set<string>();
  let current = new Map<string, V1Pod>();
  const finalize = podDeleter(kube, log);
  const finalizeTerminating = (list: Iterable<V1Pod>) => {
    for (const pod of list) {
      if (pod.metadata?.deletionTimestamp && simulated.has(pod.spec?.nodeName ?? '') && !options.leaveTo?.(pod)) void finalize(pod);
    }
  };

  const onError = (what: string) => (err: unknown) => log.warn({ err: apiMessage(err) }, `watch of ${what} failed; re-listing`);
  await Promise.all([
    observe<V1Node>(
      kube,
      { apiVersion: 'v1', kind: 'Node', plural: 'nodes' },
      {},
      ({ objects }) => {
        simulated.clear();
        for (const n of objects.values()) if (n.metadata?.annotations?.[simulatedNodeAnnotation]) simulated.add(n.metadata.name!);
        finalizeTerminating(current.values());
      },
      signal,
      onError('nodes'),
    ),
    observe<V1Pod>(
      kube,
      pods(),
      {},
      ({ type, object, objects }) => {
        current = objects;
        finalizeTerminating(type === 'SYNC' ? objects.values() : type === 'DELETED' ? [] : [object!]);
      },
      signal,
      onError('pods'),
    ),
  ]);
}
