// A container's environment as the kubelet builds it when the container starts: `envFrom` Secrets, then
// `env` in order (literal values with $(VAR) references to what came before, secretKeyRef, the pod's own
// fields); resolved once per start, so a Secret changed later reaches a container only when it restarts.
// A missing Secret or key that is not optional stops the start, as the kubelet's CreateContainerConfigError.
import type { V1Container, V1Pod, V1Secret } from '@kubernetes/client-node';

export class ContainerConfigError extends Error {}

const decode = (b64: string) => Buffer.from(b64, 'base64').toString('utf8');

/** $(VAR) → the value defined before; $$(VAR) → a literal $(VAR); unknown references stay as written. */
function expand(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) =>
    match === '$$' ? '$' : name !== undefined && name in env ? env[name] : match,
  );
}

function fieldValue(pod: V1Pod, path: string): string {
  const fields: Record<string, string | undefined> = {
    'metadata.name': pod.metadata?.name,
    'metadata.namespace': pod.metadata?.namespace,
    'metadata.uid': pod.metadata?.uid,
    'spec.nodeName': pod.spec?.nodeName,
    'spec.serviceAccountName': pod.spec?.serviceAccountName,
    'status.podIP': pod.status?.podIP,
    'status.hostIP': pod.status?.hostIP,
  };
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path)?.[1];
  if (label) return pod.metadata?.labels?.[label] ?? '';
  if (!(path in fields)) throw new ContainerConfigError(`unsupported fieldRef ${path}`);
  return fields[path] ?? '';
}

export function containerEnv(pod: V1Pod, container: V1Container, secrets: (name: string) => V1Secret | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    if (!from.secretRef) throw new ContainerConfigError('envFrom: only secretRef is supported by the pod runtime');
    const secret = secrets(from.secretRef.name!);
    if (!secret) {
      if (from.secretRef.optional) continue;
      throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
    }
    for (const [key, value] of Object.entries(secret.data ?? {})) env[`${from.prefix ?? ''}${key}`] = decode(value);
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const secret = secrets(ref.name!);
      const value = secret?.data?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(secret ? `couldn't find key ${ref.key} in Secret ${pod.metadata?.namespace}/${ref.name}` : `secret "${ref.name}" not found`);
      }
      env[e.name] = decode(value);
    } else if (e.valueFrom?.fieldRef) {
      env[e.name] = fieldValue(pod, e.valueFrom.fieldRef.fieldPath);
    } else if (e.valueFrom) {
      throw new ContainerConfigError(`env ${e.name}: only secretKeyRef and fieldRef are supported by the pod runtime`);
    } else {
      env[e.name] = expand(e.value ?? '', env);
    }
  }
  return env;
}

/** The Secrets a container's environment reads. */
export const secretsOfEnv = (container: V1Container): string[] => [
  ...(container.envFrom ?? []).flatMap((f) => (f.secretRef?.name ? [f.secretRef.name] : [])),
  ...(container.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef?.name ? [e.valueFrom.secretKeyRef.name] : [])),
];
