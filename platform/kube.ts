// Kubernetes access shared by activities, the watcher and the local environment's stand-ins.
import { createHash } from 'node:crypto';
import * as k8s from '@kubernetes/client-node';

export interface Kube {
  config: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  apps: k8s.AppsV1Api;
  custom: k8s.CustomObjectsApi;
  objects: k8s.KubernetesObjectApi;
}

/** KUBECONFIG, then ~/.kube/config, then the in-cluster service account. */
export function connectKube(config?: k8s.KubeConfig): Kube {
  const kc = config ?? new k8s.KubeConfig();
  if (!config) kc.loadFromDefault();
  reuseConnections(kc);
  return {
    config: kc,
    core: kc.makeApiClient(k8s.CoreV1Api),
    apps: kc.makeApiClient(k8s.AppsV1Api),
    custom: kc.makeApiClient(k8s.CustomObjectsApi),
    objects: k8s.KubernetesObjectApi.makeApiClient(kc),
  };
}

type CreateDispatcher = (cluster: k8s.Cluster | null, options: Record<string, unknown>) => unknown;

/**
 * client-node 2.0.1 builds a new undici Agent — so a new TLS connection — for every request
 * (kubernetes-client/javascript#2893): ~20 ms each on loopback. Reuse one per distinct set of connection
 * options, so that changed credentials (a rotated client certificate) still get a fresh one.
 */
function reuseConnections(kc: k8s.KubeConfig): void {
  const target = kc as unknown as { createDispatcher: CreateDispatcher };
  const create = target.createDispatcher.bind(kc);
  const dispatchers = new Map<string, unknown>();
  target.createDispatcher = (cluster, options) => {
    const key = createHash('sha256')
      .update(JSON.stringify([cluster?.server, cluster?.proxyUrl, options]))
      .digest('hex');
    if (!dispatchers.has(key)) dispatchers.set(key, create(cluster, options));
    return dispatchers.get(key);
  };
}

/** Pass as the last argument of a generated client's patch call: the 2.x clients default to JSON-Patch. */
export const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** A request the API server refused for what it is (not for the moment), passed on with what was asked. */
export class ApiRefusal extends Error {
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

export const statusCode = (err: unknown): number | undefined =>
  err instanceof k8s.ApiException || err instanceof ApiRefusal ? err.code : undefined;
export const isNotFound = (err: unknown) => statusCode(err) === 404;
export const isConflict = (err: unknown) => statusCode(err) === 409;

/** Text files as a Secret's data (base64, key by key). */
export const secretData = (files: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));

/** A Secret's data as text, key by key (undefined for no Secret). */
export const secretFiles = (secret: k8s.V1Secret | undefined): Record<string, string> | undefined =>
  secret && Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

/** The message the API server gave (its Status body), or the error's own. */
export function apiMessage(err: unknown): string {
  if (err instanceof k8s.ApiException) {
    const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    return `${err.code}: ${body?.message ?? err.message}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): { message?: string } | undefined {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** A collection of objects of one kind, optionally in one namespace: what lists and watches address. */
export interface Collection {
  apiVersion: string;
  kind: string;
  plural: string;
  namespace?: string;
}

export const collectionPath = ({ apiVersion, plural, namespace }: Collection) =>
  `${apiVersion.includes('/') ? '/apis' : '/api'}/${apiVersion}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`;

/** Pods of one namespace, or of all when `namespace` is omitted. */
export const pods = (namespace?: string): Collection => ({ apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespace });
export const secrets = (namespace: string): Collection => ({
  apiVersion: 'v1',
  kind: 'Secret',
  plural: 'secrets',
  namespace,
});
