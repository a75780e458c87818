// The kubelet's last step of a pod's deletion: delete it for good, with its UID as precondition, so that a
// replacement created under the same name (a StatefulSet's next incarnation) is never deleted by mistake.
// One deletion per pod at a time; both kubelet stand-ins (the pod finalizer and the pod runtime) use it.
import type { V1Pod } from '@kubernetes/client-node';
import { apiMessage, isConflict, isNotFound, type Kube } from '../../platform/kube.ts';
import type { Logger } from '../../platform/logger.ts';

export function podDeleter(kube: Kube, log: Logger): (pod: V1Pod) => Promise<void> {
  const inFlight = new Set<string>();
  return async (pod) => {
    const uid = pod.metadata!.uid!;
    if (inFlight.has(uid)) return;
    inFlight.add(uid);
    try {
      await kube.core.deleteNamespacedPod({
        namespace: pod.metadata!.namespace!,
        name: pod.metadata!.name!,
        gracePeriodSeconds: 0,
        body: { gracePeriodSeconds: 0, preconditions: { uid } },
      });
      log.info({ pod: `${pod.metadata!.namespace}/${pod.metadata!.name}`, uid }, 'pod deleted');
    } catch (err) {
      // Gone already, or the name now belongs to a new pod: nothing of ours to delete.
      if (!isNotFound(err) && !isConflict(err)) log.warn({ uid, err: apiMessage(err) }, 'could not finish deleting the pod');
    } finally {
      inFlight.delete(uid);
    }
  };
}
