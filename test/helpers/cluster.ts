// Test access to the local environment's Kubernetes: a fresh namespace per test, objects applied from YAML
// (as a user would), and event-driven waits on them.
import { randomBytes } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube, isConflict, type Kube } from '../../platform/kube.ts';
import { waitFor } from '../../platform/watch.ts';

loadLocalEnvDefaults();
export const kube: Kube = connectKube();

export async function createNamespace(prefix: string): Promise<string> {
  const name = `${prefix}-${randomBytes(3).toString('hex')}`;
  await kube.core.createNamespace({ body: { metadata: { name, labels: { 'opsflow.dev/test': 'true' } } } });
  return name;
}

export async function deleteNamespace(name: string): Promise<void> {
  await kube.core.deleteNamespace({ name }).catch(() => {});
}

/** Creates every object of a (multi-document) YAML in `namespace`; `ignoreExisting` skips those already there. */
export async function apply(namespace: string, yaml: string, { ignoreExisting = false } = {}): Promise<void> {
  for (const doc of parseAllDocuments(yaml)) {
    const obj = doc.toJS();
    if (!obj) continue;
    obj.metadata = { ...obj.metadata, namespace: obj.metadata?.namespace ?? namespace };
    await kube.objects.create(obj).catch((err) => (ignoreExisting && isConflict(err) ? undefined : Promise.reject(err)));
  }
}

export interface Res {
  group: string;
  version: string;
  plural: string;
  kind: string;
}

export const res = {
  mysql: { group: 'kubedb.com', version: 'v1', plural: 'mysqls', kind: 'MySQL' },
  mysqlOps: { group: 'ops.kubedb.com', version: 'v1alpha1', plural: 'mysqlopsrequests', kind: 'MySQLOpsRequest' },
  certificate: { group: 'cert-manager.io', version: 'v1', plural: 'certificates', kind: 'Certificate' },
} satisfies Record<string, Res>;

export async function get<T = any>(r: Res, namespace: string, name: string): Promise<T> {
  return (await kube.custom.getNamespacedCustomObject({ group: r.group, version: r.version, plural: r.plural, namespace, name })) as T;
}

/** Waits (watching) until `check` returns a value for the named object; fails after `timeoutMs`, saying what it last saw. */
export function waitForObject<T, R>(r: Res, namespace: string, name: string, check: (obj: T | undefined) => R | undefined, timeoutMs = 60_000): Promise<R> {
  let last: any;
  return waitFor<any, R>(
    kube,
    { apiVersion: `${r.group}/${r.version}`, kind: r.kind, plural: r.plural, namespace },
    { fieldSelector: `metadata.name=${name}` },
    ([obj]) => check((last = obj)),
    AbortSignal.timeout(timeoutMs),
  ).catch((err) => {
    if ((err as Error)?.name !== 'TimeoutError') throw err;
    throw new Error(`timed out after ${timeoutMs} ms waiting on ${r.kind} ${namespace}/${name}; it was last ${last ? JSON.stringify(last.status ?? {}).slice(0, 1500) : 'not there'}`);
  });
}

export const conditionOf = (obj: any, type: string) => obj?.status?.conditions?.find((c: any) => c.type === type);

/** Resolves with the OpsRequest once its phase is final. */
export const waitForOpsRequestDone = (namespace: string, name: string, timeoutMs = 120_000) =>
  waitForObject<any, any>(res.mysqlOps, namespace, name, (o) => (['Successful', 'Failed', 'Skipped'].includes(o?.status?.phase) ? o : undefined), timeoutMs);
