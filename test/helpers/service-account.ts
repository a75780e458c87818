// A Kubernetes client that acts as a ServiceAccount of the test's, with a token from the TokenRequest API, as a
// pod running under that account would: what its role allows, and nothing more.
import { KubeConfig } from '@kubernetes/client-node';
import { connectKube, type Kube } from '../../platform/kube.ts';
import { kube } from './cluster.ts';

export async function serviceAccountKube(namespace: string, name: string): Promise<Kube> {
  await kube.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const token = await kube.core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { expirationSeconds: 3600 } } });
  const cluster = kube.config.getCurrentCluster()!;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: token.status!.token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  return connectKube(config);
}
