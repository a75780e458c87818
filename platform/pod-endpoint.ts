// How the worker reaches a pod's server: by default the pod's IP and the container's port, as anything in the
// cluster does. A worker outside the cluster sets OPSFLOW_POD_ENDPOINT to a pattern with {ip}, {pod},
// {namespace} and {port} (e.g. `{pod}.{namespace}.example:{port}`).
import type { V1Pod } from '@kubernetes/client-node';

export function podEndpoint(pod: V1Pod, port: number, pattern = process.env.OPSFLOW_POD_ENDPOINT ?? '{ip}:{port}'): { host: string; port: number } {
  const ip = pod.status?.podIP;
  if (!ip && pattern.includes('{ip}')) throw new Error(`pod ${pod.metadata?.namespace}/${pod.metadata?.name} has no IP yet`);
  const address = pattern
    .replaceAll('{ip}', ip ?? '')
    .replaceAll('{pod}', pod.metadata?.name ?? '')
    .replaceAll('{namespace}', pod.metadata?.namespace ?? '')
    .replaceAll('{port}', String(port));
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
}
