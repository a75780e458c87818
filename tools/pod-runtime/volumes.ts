// A pod's volumes, as the kubelet prepares them before any container starts: a Secret or projected volume
// becomes a payload of files (the template's items and paths, its modes) written atomically into a folder of
// the pod's own; an emptyDir is a folder that lives as long as the pod (UID); a PersistentVolumeClaim is a
// folder kept per claim name, which outlives the pod as a claim does. A Secret that does not exist (and is
// not optional) or lacks a key holds the pod before its containers start, as the kubelet's MountVolume.SetUp
// failure does, and is tried again when Secrets change.
import type { V1KeyToPath, V1Pod, V1Secret, V1Volume } from '@kubernetes/client-node';
import type { Payload } from './atomic-writer.ts';

/** What the runtime makes of one volume. */
export type PreparedVolume =
  | { name: string; kind: 'payload'; payload: Payload; secrets: string[] }
  | { name: string; kind: 'emptyDir' }
  | { name: string; kind: 'claim'; claimName: string };

export class MountError extends Error {}

/** The kubelet's default mode for files of Secret and projected volumes (0644). */
const defaultFileMode = 0o644;

type Secrets = (name: string) => V1Secret | undefined;

/** The files one Secret contributes: all its keys, or the items asked for (each must exist unless optional). */
function secretFiles(
  volume: string,
  secret: V1Secret | undefined,
  ref: { name?: string; items?: V1KeyToPath[]; optional?: boolean },
  mode: number,
  into: Payload,
): void {
  if (!secret) {
    if (ref.optional) return;
    throw new MountError(`MountVolume.SetUp failed for volume "${volume}" : secret "${ref.name}" not found`);
  }
  const data = secret.data ?? {};
  const items: V1KeyToPath[] = ref.items?.length ? ref.items : Object.keys(data).map((key) => ({ key, path: key }));
  for (const item of items) {
    if (!(item.key in data)) {
      if (ref.optional) continue;
      throw new MountError(`MountVolume.SetUp failed for volume "${volume}" : references non-existent secret key: ${item.key}`);
    }
    into.set(item.path, { content: Buffer.from(data[item.key], 'base64'), mode: item.mode ?? mode });
  }
}

export function prepareVolume(volume: V1Volume, secrets: Secrets): PreparedVolume {
  const { name } = volume;
  if (volume.secret) {
    const payload: Payload = new Map();
    const secretName = volume.secret.secretName!;
    secretFiles(name, secrets(secretName), { name: secretName, items: volume.secret.items, optional: volume.secret.optional }, volume.secret.defaultMode ?? defaultFileMode, payload);
    return { name, kind: 'payload', payload, secrets: [secretName] };
  }
  if (volume.projected) {
    const payload: Payload = new Map();
    const names: string[] = [];
    for (const source of volume.projected.sources ?? []) {
      if (!source.secret) throw new MountError(`volume "${name}": only Secret sources of projected volumes are supported by the pod runtime`);
      names.push(source.secret.name!);
      secretFiles(name, secrets(source.secret.name!), source.secret, volume.projected.defaultMode ?? defaultFileMode, payload);
    }
    return { name, kind: 'payload', payload, secrets: names };
  }
  if (volume.emptyDir) return { name, kind: 'emptyDir' };
  if (volume.persistentVolumeClaim) return { name, kind: 'claim', claimName: volume.persistentVolumeClaim.claimName };
  throw new MountError(`volume "${name}": its type is not supported by the pod runtime (Secret, projected Secrets, emptyDir, persistentVolumeClaim are)`);
}

/** Every volume of the pod, or the first error that holds it. */
export function prepareVolumes(pod: V1Pod, secrets: Secrets): PreparedVolume[] {
  return (pod.spec?.volumes ?? []).map((v) => prepareVolume(v, secrets));
}

/** The Secrets a pod's volumes read, so a change to one of them refreshes the pod's files. */
export function secretsOfVolumes(pod: V1Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => [
    ...(v.secret?.secretName ? [v.secret.secretName] : []),
    ...(v.projected?.sources ?? []).flatMap((s) => (s.secret?.name ? [s.secret.name] : [])),
  ]);
}
