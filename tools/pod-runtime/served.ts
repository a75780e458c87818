// Which pods the pod runtime serves: those KubeDB's provisioner made for a kind whose server can run here,
// on a simulated (kwok) node. kwok's own pod-ready stage keeps serving every other pod (a user's Deployment,
// a pod of a kind without a server here). The same facts are written into the kwok Stage
// tools/localenv/pod-runtime-stage.yaml, which a unit test keeps in step with this file.
import type { V1Pod } from '@kubernetes/client-node';

export const managedByLabel = 'app.kubernetes.io/managed-by';
export const managedBy = 'kubedb.com';
export const nameLabel = 'app.kubernetes.io/name';

/** `app.kubernetes.io/name` of the pods served: KubeDB's `<plural>.kubedb.com`. */
export const servedNames = [
  'mysqls.kubedb.com',
  'perconaxtradbs.kubedb.com',
  'proxysqls.kubedb.com',
  'pgpools.kubedb.com',
  'postgreses.kubedb.com',
] as const;

export const simulatedNodeAnnotation = 'kwok.x-k8s.io/node';

/** Whether a pod is one the runtime serves, given the names of the simulated nodes. */
export function isServed(pod: V1Pod, simulatedNodes: ReadonlySet<string>): boolean {
  const labels = pod.metadata?.labels ?? {};
  return (
    labels[managedByLabel] === managedBy &&
    (servedNames as readonly string[]).includes(labels[nameLabel] ?? '') &&
    simulatedNodes.has(pod.spec?.nodeName ?? '')
  );
}
