// The /etc/hosts of a pod, standing in for cluster DNS: no DNS server runs here and the servers share the
// machine's resolver, so each pod gets a hosts file of its own (bind-mounted over /etc/hosts) that answers
// the names a pod in a cluster resolves: its own hostname; each Service `<svc>.<ns>.svc` (and
// `.svc.cluster.local`; the bare `<svc>` and `<svc>.<ns>` within the pod's namespace, as its DNS search path
// would) with the IPs of its ready endpoints — the pods its selector picks that are Ready, or all of them with
// publishNotReadyAddresses — instead of a cluster IP that nothing here routes; and `<pod>.<svc>.<ns>.svc` for
// pods whose hostname and subdomain name a headless Service, as StatefulSet pods do. It is rewritten as
// endpoints change, as DNS answers would.
import type { V1Pod, V1Service } from '@kubernetes/client-node';

const isReady = (pod: V1Pod) =>
  !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

const selects = (selector: Record<string, string>, pod: V1Pod) =>
  Object.entries(selector).every(([k, v]) => pod.metadata?.labels?.[k] === v);

const domain = 'cluster.local';

/** The names a Service answers to, from a pod in `fromNamespace`. */
function serviceNames(name: string, namespace: string, fromNamespace: string): string[] {
  const names = [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.${domain}`];
  return namespace === fromNamespace ? [...names, `${name}.${namespace}`, name] : names;
}

export function hostsFile(self: V1Pod, services: Iterable<V1Service>, pods: Iterable<V1Pod>): string {
  const lines = ['# Kubernetes-managed hosts file (the opsflow pod runtime\'s stand-in for cluster DNS).', '127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback'];
  const ns = self.metadata!.namespace!;
  const hostname = self.spec?.hostname ?? self.metadata!.name!;
  const own = self.spec?.subdomain ? [`${hostname}.${self.spec.subdomain}.${ns}.svc.${domain}`, hostname] : [hostname];
  if (self.status?.podIP) lines.push(`${self.status.podIP}\t${own.join(' ')}`);

  const allPods = [...pods].filter((p) => p.status?.podIP && !p.metadata?.deletionTimestamp);
  const entries: [string, string][] = [];
  for (const svc of [...services].sort((a, b) => `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`))) {
    const svcNs = svc.metadata!.namespace!;
    const svcName = svc.metadata!.name!;
    const selector = svc.spec?.selector;
    if (!selector || !Object.keys(selector).length) continue;
    const members = allPods
      .filter((p) => p.metadata?.namespace === svcNs && selects(selector, p) && (svc.spec?.publishNotReadyAddresses || isReady(p)))
      .sort((a, b) => a.metadata!.name!.localeCompare(b.metadata!.name!));
    for (const p of members) entries.push([p.status!.podIP!, serviceNames(svcName, svcNs, ns).join(' ')]);
    // A headless Service names each of its pods that claims it as subdomain.
    if (svc.spec?.clusterIP === 'None') {
      for (const p of members) {
        if (p.spec?.subdomain !== svcName) continue;
        const host = p.spec.hostname ?? p.metadata!.name!;
        entries.push([p.status!.podIP!, [`${host}.${svcName}.${svcNs}.svc`, `${host}.${svcName}.${svcNs}.svc.${domain}`, ...(svcNs === ns ? [`${host}.${svcName}.${svcNs}`, `${host}.${svcName}`] : [])].join(' ')]);
      }
    }
  }
  for (const [ip, names] of entries) lines.push(`${ip}\t${names}`);
  return `${lines.join('\n')}\n`;
}
