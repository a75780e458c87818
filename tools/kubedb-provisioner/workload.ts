// The workload KubeDB's provisioner keeps for a database: a StatefulSet and its Services, as pure functions of
// the database and its kind's profile. What differs per kind (port, certificate mounts, TLS arguments, roles)
// comes from the profile.
import type { V1Container, V1OwnerReference, V1PodTemplateSpec, V1Service, V1StatefulSet, V1Volume } from '@kubernetes/client-node';
import { configHash } from '../../model/config-hash.ts';
import { customConfigSecretName, withCustomConfig, type ConfigFiles } from '../../model/custom-config.ts';
import { podSelectorLabels, roleLabel, type DatabaseProfile } from '../../model/profiles.ts';
import { tlsLayout, tlsShape, withTLS } from '../../model/tls-layout.ts';
import type { Database } from '../../model/types.ts';
import type { ServerNeeds } from './server-needs.ts';

export const governingServiceName = (db: string) => `${db}-pods`;
export const standbyServiceName = (db: string) => `${db}-standby`;

export const desiredReplicas = (p: DatabaseProfile, db: Database): number =>
  db.spec?.replicas ?? p.defaultReplicas(db.spec ?? {});

export function ownerReference(p: DatabaseProfile, db: Database): V1OwnerReference {
  return {
    apiVersion: `${p.group}/${p.version}`,
    kind: p.kind,
    name: db.metadata.name!,
    uid: db.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** `needs`: what the kind's server needs besides TLS (its credentials, its configuration; server-needs.ts). */
/** `customConfig`: the files of the custom configuration Secret the database names (MySQL, PerconaXtraDB mount it). */
export function desiredStatefulSet(p: DatabaseProfile, db: Database, nodeName: string, needs: ServerNeeds = { env: [], volumes: [], mounts: [] }, customConfig?: ConfigFiles): V1StatefulSet {
  const name = db.metadata.name!;
  const labels = podSelectorLabels(p, name);
  const mounts = [...(p.renderedConfig ? [{ name: p.renderedConfig.volume, mountPath: p.renderedConfig.mountPath }] : []), ...needs.mounts];
  const volumes = [...(p.renderedConfig ? [{ name: p.renderedConfig.volume, secret: { secretName: p.renderedConfig.secretName(name) } }] : []), ...needs.volumes];
  const template: V1PodTemplateSpec = {
    metadata: { labels },
    spec: {
      // There is no scheduler here: pods are bound to a simulated (kwok) node directly, tolerating its taints.
      nodeName,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: p.container.name,
          image: `kubedb/${p.kind.toLowerCase()}:${db.spec?.version ?? 'latest'}`,
          ports: [{ name: 'db', containerPort: p.container.port }],
          ...(needs.env.length ? { env: needs.env } : {}),
          ...(mounts.length ? { volumeMounts: mounts } : {}),
        },
      ],
      ...(volumes.length ? { volumes } : {}),
    },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: db.metadata.namespace, labels, ownerReferences: [ownerReference(p, db)] },
    spec: {
      replicas: desiredReplicas(p, db),
      serviceName: governingServiceName(name),
      selector: { matchLabels: labels },
      podManagementPolicy: 'Parallel',
      // KubeDB's contract: a changed template reaches a pod only when that pod is deleted (evicted).
      updateStrategy: { type: 'OnDelete' },
      template: withCustomConfigOf(p, db, withTLS(p, tlsLayout(p, db), template), customConfig),
    },
  };
}

/** The template with the database's custom configuration mounted, as opsflow's Reconfigure writes it. */
function withCustomConfigOf(p: DatabaseProfile, db: Database, template: V1PodTemplateSpec, files: ConfigFiles | undefined): V1PodTemplateSpec {
  const name = customConfigSecretName(db);
  if (p.customConfig?.format !== 'cnf' || !name || !files) return template;
  return withCustomConfig(p, template, name, configHash(files));
}

/**
 * The merge patch that brings an existing StatefulSet's replicas and TLS template in line with the database,
 * or undefined when it already is. `tlsReady` false (certificate Secrets missing) leaves the template alone.
 * The patch carries the StatefulSet's resourceVersion: it is computed from that version and must not
 * overwrite a newer one.
 */
export interface StatefulSetPatch {
  metadata: { resourceVersion?: string };
  spec: { replicas?: number; template?: { spec: { volumes: V1Volume[] | null; containers: V1Container[] } } };
}

export function statefulSetPatch(
  p: DatabaseProfile,
  db: Database,
  current: V1StatefulSet,
  tlsReady: boolean,
): StatefulSetPatch | undefined {
  const replicas = desiredReplicas(p, db);
  const spec: StatefulSetPatch['spec'] = {};
  if (current.spec?.replicas !== replicas) spec.replicas = replicas;
  if (tlsReady && current.spec?.template) {
    const template = withTLS(p, tlsLayout(p, db), current.spec.template);
    if (JSON.stringify(tlsShape(p, template)) !== JSON.stringify(tlsShape(p, current.spec.template))) {
      // Merge patches replace lists whole: send the complete volumes and containers.
      spec.template = { spec: { volumes: template.spec!.volumes ?? null, containers: template.spec!.containers } };
    }
  }
  if (!Object.keys(spec).length) return undefined;
  return { metadata: { resourceVersion: current.metadata?.resourceVersion }, spec };
}

export function desiredServices(p: DatabaseProfile, db: Database): V1Service[] {
  const name = db.metadata.name!;
  const labels = podSelectorLabels(p, name);
  const ports = [{ name: 'db', port: p.container.port, targetPort: 'db' }];
  const service = (serviceName: string, spec: V1Service['spec']): V1Service => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName, namespace: db.metadata.namespace, labels, ownerReferences: [ownerReference(p, db)] },
    spec: { ports, ...spec },
  });
  const services = [
    // With roles, clients of `<db>` reach the primary only (KubeDB's primary Service).
    service(name, {
      type: 'ClusterIP',
      selector: p.primaryStandby ? { ...labels, [roleLabel]: 'primary' } : labels,
    }),
    service(governingServiceName(name), { clusterIP: 'None', publishNotReadyAddresses: true, selector: labels }),
  ];
  if (p.primaryStandby) {
    services.push(service(standbyServiceName(name), { type: 'ClusterIP', selector: { ...labels, [roleLabel]: 'standby' } }));
  }
  return services;
}
