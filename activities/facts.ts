// Reads what the planner needs to know about a database, all at once and nothing else: the OpsRequest, the
// database, the Certificates it owns, the issuers named, its workload (PetSet or StatefulSet), its pods, its
// rendered configuration, and for a Reconfigure the files of its custom configuration. The facts stay in the
// activity; only the plan made from them enters history.
import type { V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import { customConfigSecretName, type CustomConfigRequest } from '../model/custom-config.ts';
import { labelSelector, podSelectorLabels, profileForOpsKind, profiles, roleLabel } from '../model/profiles.ts';
import type { PlanFacts } from '../model/planner.ts';
import type { CustomConfigFacts } from '../model/planner-reconfigure.ts';
import type { Certificate, Database, IssuerRef, OpsRequest } from '../model/types.ts';
import { isNotFound, secretFiles, type Kube } from '../platform/kube.ts';
import { readCustom } from '../platform/status.ts';
import { kubeCall } from './failures.ts';
import { readProxySQLFacts } from './proxysql.ts';
import type { DatabaseRef, OpsRequestRef } from './refs.ts';
import { databaseResource, opsRequestResource, petSetResource } from './resources.ts';

const orUndefined = <T>(p: Promise<T>): Promise<T | undefined> => p.catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));

/** The Certificates `db` owns, among those labelled as KubeDB labels them. */
export async function ownedCertificates(kube: Kube, db: Database, ref: DatabaseRef): Promise<Certificate[]> {
  const p = profiles[ref.kind];
  const list = await kube.custom.listNamespacedCustomObject({
    group: 'cert-manager.io',
    version: 'v1',
    plural: 'certificates',
    namespace: ref.namespace,
    labelSelector: labelSelector({ 'app.kubernetes.io/instance': ref.name, 'app.kubernetes.io/name': `${p.plural}.${p.group}` }),
  });
  return (list.items as Certificate[])
    .filter((c) => c.metadata.ownerReferences?.some((o) => o.uid === db.metadata.uid))
    .sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
}

export interface WorkloadFacts extends NonNullable<PlanFacts['workload']> {
  /** The template revision new pods get (`status.updateRevision`), once the controller has seen the template. */
  updateRevision?: string;
  replicas?: number;
  generation?: number;
  observedGeneration?: number;
}

/** The workload KubeDB made for the database: a PetSet (newer KubeDB) if there is one, else a StatefulSet. */
export async function readWorkload(kube: Kube, ref: DatabaseRef): Promise<WorkloadFacts | undefined> {
  // Both read at once (one round trip on a run's path); a PetSet, where there is one, is the workload.
  const [petSet, statefulSet] = await Promise.all([
    orUndefined(readCustom<V1StatefulSet>(kube, petSetResource(ref.namespace, ref.name))),
    orUndefined(kube.apps.readNamespacedStatefulSet({ namespace: ref.namespace, name: ref.name })),
  ]);
  const found = petSet ?? statefulSet;
  if (!found) return undefined;
  return {
    kind: petSet ? 'PetSet' : 'StatefulSet',
    name: ref.name,
    template: found.spec!.template as V1PodTemplateSpec,
    updateRevision: found.status?.updateRevision,
    replicas: found.spec?.replicas,
    generation: found.metadata?.generation,
    observedGeneration: found.status?.observedGeneration,
  };
}

async function existingIssuers(kube: Kube, namespace: string, refs: IssuerRef[]): Promise<string[]> {
  const keys = [...new Set(refs.map((r) => `${r.kind ?? 'Issuer'}/${r.name}`))];
  const found = await Promise.all(
    keys.map(async (key) => {
      const [kind, name] = key.split('/') as [string, string];
      const get = kind === 'ClusterIssuer'
        ? kube.custom.getClusterCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'clusterissuers', name })
        : kube.custom.getNamespacedCustomObject({ group: 'cert-manager.io', version: 'v1', plural: 'issuers', namespace, name });
      return (await orUndefined(get)) ? key : undefined;
    }),
  );
  return found.filter((k): k is string => k !== undefined);
}

/** The files of the database's custom configuration and of the Secret a Reconfigure names (null: no such Secret). */
async function readCustomConfigFacts(kube: Kube, db: Database, ops: OpsRequest): Promise<CustomConfigFacts> {
  const namespace = db.metadata.namespace!;
  const read = async (name: string) => secretFiles(await orUndefined(kube.core.readNamespacedSecret({ namespace, name }))) ?? null;
  const current = customConfigSecretName(db);
  const named = (ops.spec?.configuration as CustomConfigRequest | undefined)?.configSecret?.name;
  return { ...(current ? { current: await read(current) } : {}), ...(named ? { named: await read(named) } : {}) };
}

/**
 * `given`: the OpsRequest itself instead of reading it (`opsflow plan`, a dry run of a request not yet created);
 * everything else is read as the workflow's planning activity reads it.
 */
export async function readPlanFacts(kube: Kube, ref: OpsRequestRef, dbRef: DatabaseRef, given?: OpsRequest): Promise<PlanFacts> {
  const p = profileForOpsKind(ref.kind)!;
  const what = `${dbRef.kind} ${dbRef.namespace}/${dbRef.name}`;
  return kubeCall(`reading the facts of ${what}`, async () => {
    const [ops, database] = await Promise.all([
      given ?? readCustom<OpsRequest>(kube, opsRequestResource(ref)),
      readCustom<Database>(kube, databaseResource(dbRef)),
    ]);
    const tls = ops.spec?.tls;
    const issuerRefs = [tls?.issuerRef, ...(tls?.certificates ?? []).map((c) => c.issuerRef), database.spec?.tls?.issuerRef, ...(database.spec?.tls?.certificates ?? []).map((c) => c.issuerRef)]
      .filter((r): r is IssuerRef => Boolean(r?.name));
    const configName = p.renderedConfig?.secretName(dbRef.name);
    const [certificates, issuers, workload, pods, config] = await Promise.all([
      ownedCertificates(kube, database, dbRef),
      existingIssuers(kube, dbRef.namespace, issuerRefs),
      readWorkload(kube, dbRef),
      kube.core.listNamespacedPod({ namespace: dbRef.namespace, labelSelector: labelSelector(podSelectorLabels(p, dbRef.name)) }),
      configName ? orUndefined(kube.core.readNamespacedSecret({ namespace: dbRef.namespace, name: configName })) : undefined,
    ]);
    const users = ((ops.spec?.configuration as { mysqlUsers?: { users?: { username?: unknown }[] } } | undefined)?.mysqlUsers?.users ?? []).map((u) => String(u.username));
    const proxysql = p.kind === 'ProxySQL' && ops.spec?.type === 'Reconfigure' ? await readProxySQLFacts(kube, dbRef, users) : undefined;
    const customConfig = p.customConfig && ops.spec?.type === 'Reconfigure' ? await readCustomConfigFacts(kube, database, ops) : undefined;
    return {
      ops,
      database,
      ...(proxysql ? { proxysql } : {}),
      ...(customConfig ? { customConfig } : {}),
      certificates,
      issuers,
      workload: workload && { kind: workload.kind, name: workload.name, template: workload.template, updateRevision: workload.updateRevision },
      pods: pods.items.map((pod) => ({
        name: pod.metadata!.name!,
        uid: pod.metadata!.uid!,
        role: pod.metadata?.labels?.[roleLabel],
        revision: pod.metadata?.labels?.['controller-revision-hash'],
      })),
      renderedConfig: secretFiles(config),
    };
  });
}
