// Read-modify-write of a custom object's status. The write carries the resourceVersion it read, so a
// concurrent writer (KubeDB's provisioner updates the same database status) makes it fail with 409 instead
// of silently dropping the other's conditions; then it reads again and retries.
import { isConflict, mergePatch, type Kube } from './kube.ts';

export interface CustomResource {
  group: string;
  version: string;
  plural: string;
  namespace: string;
  name: string;
}

interface WithStatus {
  metadata: { resourceVersion?: string; generation?: number };
  status?: Record<string, unknown>;
}

export async function readCustom<T>(kube: Kube, r: CustomResource): Promise<T> {
  return (await kube.custom.getNamespacedCustomObject(r)) as T;
}

/**
 * Applies `change` to the object's current status and writes it, unless `change` returns undefined
 * (nothing to do). Returns the object as written (or as read, when nothing changed). With `known` (the object
 * as this process last wrote it) the first attempt starts from that instead of reading: if anyone changed the
 * object since, its resourceVersion no longer matches, the write fails with 409, and the next attempt reads.
 */
export async function updateStatus<T extends WithStatus>(
  kube: Kube,
  r: CustomResource,
  change: (current: T) => Record<string, unknown> | undefined,
  { attempts = 10, known }: { attempts?: number; known?: T } = {},
): Promise<T> {
  for (let i = 1; ; i++) {
    const current = i === 1 && known ? known : await readCustom<T>(kube, r);
    const status = change(current);
    if (status === undefined) return current;
    try {
      return (await kube.custom.patchNamespacedCustomObjectStatus(
        { ...r, body: { metadata: { resourceVersion: current.metadata.resourceVersion }, status } },
        mergePatch,
      )) as T;
    } catch (err) {
      if (!isConflict(err) || i >= attempts) throw err;
    }
  }
}
