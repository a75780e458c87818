// A live view of a Kubernetes collection: list, then watch from the list's resourceVersion, so no event
// is missed and nothing polls. A watch that closes is resumed from the last resourceVersion seen; one that
// expires (410) or fails is replaced by a fresh list, so the view heals after API-server restarts too.
import { Watch } from '@kubernetes/client-node';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiRefusal, apiMessage, collectionPath, statusCode, type Collection, type Kube } from './kube.ts';

export interface Selector {
  labelSelector?: string;
  fieldSelector?: string;
}

export interface Observation<T> {
  /** Every object currently in the collection, keyed by namespace/name. */
  objects: Map<string, T>;
  /** SYNC after a (re-)list; otherwise the watch event that changed `object`. */
  type: 'SYNC' | 'ADDED' | 'MODIFIED' | 'DELETED';
  object?: T;
}

/** What a watched object needs: its identity and version. */
export interface Watched {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

export const objectKey = (o: Watched) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

type WatchEnd = { relist: boolean; error?: unknown };

/**
 * Calls `onChange` (serially, awaited) with the collection's current state after each list and each event,
 * until `signal` aborts. API errors are reported to `onError` and healed by re-listing after `retryDelayMs`.
 */
export async function observe<T extends Watched>(
  kube: Kube,
  collection: Collection,
  selector: Selector,
  onChange: (o: Observation<T>) => void | Promise<void>,
  signal: AbortSignal,
  onError: (err: unknown) => void = () => {},
  retryDelayMs = 500,
): Promise<void> {
  const path = collectionPath(collection);
  while (!signal.aborted) {
    let resourceVersion: string | undefined;
    const objects = new Map<string, T>();
    try {
      const list = await kube.objects.list<T>(
        collection.apiVersion,
        collection.kind,
        collection.namespace,
        undefined,
        undefined,
        undefined,
        selector.fieldSelector,
        selector.labelSelector,
      );
      for (const item of list.items) objects.set(objectKey(item), item);
      resourceVersion = list.metadata?.resourceVersion;
      await onChange({ objects, type: 'SYNC' });
    } catch (err) {
      if (signal.aborted) return;
      onError(err);
      await sleep(retryDelayMs, undefined, { signal }).catch(() => {});
      continue;
    }
    for (;;) {
      if (signal.aborted) return;
      const end = await watchOnce<T>(kube, path, { ...selector, resourceVersion }, signal, async (type, obj) => {
        resourceVersion = obj.metadata?.resourceVersion ?? resourceVersion;
        if (type === 'DELETED') objects.delete(objectKey(obj));
        else objects.set(objectKey(obj), obj);
        await onChange({ objects, type, object: obj });
      }, (rv) => (resourceVersion = rv));
      if (signal.aborted) return;
      if (end.relist) {
        if (end.error !== undefined) {
          onError(end.error);
          await sleep(retryDelayMs, undefined, { signal }).catch(() => {});
        }
        break;
      }
    }
  }
}

function watchOnce<T extends Watched>(
  kube: Kube,
  path: string,
  query: Selector & { resourceVersion?: string },
  signal: AbortSignal,
  onEvent: (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T) => Promise<void>,
  onBookmark: (resourceVersion: string) => void,
): Promise<WatchEnd> {
  return new Promise((resolve) => {
    let queue = Promise.resolve();
    let settled = false;
    let unlisten = () => {};
    let close = () => {};
    const finish = (end: WatchEnd) => {
      if (settled) return;
      settled = true;
      // The stream closed (an ERROR event or a failed callback leave it open) and its listener gone with it: a
      // long wait reconnects many times on the same signal.
      close();
      unlisten();
      // Let callbacks already queued run before the caller decides what to do next.
      queue.then(() => resolve(end), (error) => resolve({ relist: true, error }));
    };
    const callback = (type: string, obj: any) => {
      if (type === 'BOOKMARK') return onBookmark(obj.metadata.resourceVersion);
      if (type === 'ERROR') return finish({ relist: true, error: obj.code === 410 ? undefined : obj });
      queue = queue.then(() => onEvent(type as 'ADDED', obj));
      queue.catch((error) => finish({ relist: true, error }));
    };
    const done = (err: unknown) => {
      if (!err) return finish({ relist: false });
      // The client aborts a watch that was silent for a while: resume it, nothing was lost.
      if (err instanceof Error && err.name === 'TimeoutError') return finish({ relist: false });
      if (err instanceof Error && err.name === 'AbortError') return finish({ relist: false });
      finish({ relist: true, error: statusCode(err) === 410 ? undefined : err });
    };
    new Watch(kube.config)
      .watch(path, { ...query, allowWatchBookmarks: true }, callback, done)
      .then((controller) => {
        if (signal.aborted || settled) return controller.abort();
        const abort = () => controller.abort();
        close = abort;
        signal.addEventListener('abort', abort, { once: true });
        unlisten = () => signal.removeEventListener('abort', abort);
      }, (err) => finish({ relist: true, error: err }));
  });
}

/** Refusals no re-list heals: unauthenticated, forbidden (RBAC), a resource the API server does not serve. */
const refusals: Record<number, string> = {
  401: 'the API server does not accept these credentials',
  403: 'forbidden: the role must allow list and watch on it',
  404: 'the API server does not serve it (is its CRD installed?)',
};

/**
 * Resolves with the first defined result of `check` over the collection's objects (evaluated after the list
 * and after every event). `check` may throw to fail the wait. Rejects with the signal's reason on abort, and
 * with an ApiRefusal at once when the API server refuses the list or watch for good (see `refusals`); other
 * errors go to `onError` and are healed by re-listing.
 */
export function waitFor<T extends Watched, R>(
  kube: Kube,
  collection: Collection,
  selector: Selector,
  check: (objects: T[]) => R | undefined,
  signal?: AbortSignal,
  onError?: (err: unknown) => void,
): Promise<R> {
  const stop = new AbortController();
  const abort = () => stop.abort(signal?.reason);
  signal?.addEventListener('abort', abort, { once: true });
  return new Promise<R>((resolve, reject) => {
    const onChange = ({ objects }: Observation<T>) => {
      try {
        const result = check([...objects.values()]);
        if (result !== undefined) {
          resolve(result);
          stop.abort();
        }
      } catch (err) {
        reject(err);
        stop.abort();
      }
    };
    const refusedOrReport = (err: unknown) => {
      const code = statusCode(err);
      if (code === undefined || !refusals[code]) return onError?.(err);
      const where = collection.namespace ? ` in namespace ${collection.namespace}` : '';
      reject(new ApiRefusal(code, `watching ${collection.plural} (${collection.apiVersion})${where}: ${refusals[code]} (${apiMessage(err)})`));
      stop.abort();
    };
    observe<T>(kube, collection, selector, onChange, stop.signal, refusedOrReport).then(() => {
      if (signal?.aborted) reject(signal.reason);
    }, reject);
  }).finally(() => signal?.removeEventListener('abort', abort));
}
