// The workload KubeDB's provisioner keeps for a database: a StatefulSet and its Services, as pure functions of
// the database and its kind's profile. What differs per kind (port, certificate mounts, TLS arguments, roles)
// comes from the profile.
import type {
  V1Container,
  V1OwnerReference,
  V1PodTemplateSpec,
  V1Service,
  V1StatefulSet,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { certificateSecretName } from '../../model/certificates.ts';
import { podSelectorLabels, roleLabel, type DatabaseProfile } from '../../model/profiles.ts';
import type { Database } from '../../model/types.ts';

export const governingServiceName = (db: string) => `${db}-pods`;
export const standbyServiceName = (db: string) => `${db}-standby`;

export const desiredReplicas = (p: DatabaseProfile, db: Database): number =>
  db.spec?.replicas ?? p.defaultReplicas(db.spec ?? {});

/** KubeDB turns TLS on when the database names an issuer. */
export const tlsEnabled = (db: Database): boolean => Boolean(db.spec?.tls?.issuerRef);

/** The certificate Secrets the pods mount when TLS is on (none when it is off). */
export function tlsSecretNames(p: DatabaseProfile, db: Database): string[] {
  if (!tlsEnabled(db)) return [];
  const aliases = p.tlsMounts.flatMap((m) => m.files.map((f) => f.alias));
  return [...new Set(aliases.map((alias) => certificateSecretName(db, alias)))];
}

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

/** One projected volume per mount; the files of each alias come from that alias's Secret. */
function tlsVolumes(p: DatabaseProfile, db: Database): V1Volume[] {
  return p.tlsMounts.map((mount) => {
    const aliases = [...new Set(mount.files.map((f) => f.alias))];
    return {
      name: mount.volume,
      projected: {
        sources: aliases.map((alias) => ({
          secret: {
            name: certificateSecretName(db, alias),
            items: mount.files.filter((f) => f.alias === alias).map((f) => ({ key: f.key, path: f.path })),
          },
        })),
      },
    };
  });
}

const tlsVolumeMounts = (p: DatabaseProfile): V1VolumeMount[] =>
  p.tlsMounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: true }));

const tlsArgs = (p: DatabaseProfile, db: Database): string[] =>
  db.spec?.requireSSL ? [...p.tlsArgs, ...p.requireSSLArgs] : p.tlsArgs;

/**
 * `template` with the profile's TLS volumes, mounts and arguments set as the database's spec says (added when
 * TLS is on, removed when off); everything else in the template is kept as it is.
 */
export function withTLS(p: DatabaseProfile, db: Database, template: V1PodTemplateSpec): V1PodTemplateSpec {
  const on = tlsEnabled(db);
  const tlsVolumeNames = new Set(p.tlsMounts.map((m) => m.volume));
  const allTLSArgs = new Set([...p.tlsArgs, ...p.requireSSLArgs]);
  const spec = template.spec!;
  const volumes = [...(spec.volumes ?? []).filter((v) => !tlsVolumeNames.has(v.name)), ...(on ? tlsVolumes(p, db) : [])];
  const containers = spec.containers.map((c): V1Container => {
    if (c.name !== p.container.name) return c;
    const mounts = [...(c.volumeMounts ?? []).filter((m) => !tlsVolumeNames.has(m.name)), ...(on ? tlsVolumeMounts(p) : [])];
    const args = [...(c.args ?? []).filter((a) => !allTLSArgs.has(a)), ...(on ? tlsArgs(p, db) : [])];
    const { volumeMounts: _m, args: _a, ...rest } = c;
    return { ...rest, ...(mounts.length ? { volumeMounts: mounts } : {}), ...(args.length ? { args } : {}) };
  });
  const { volumes: _v, ...restSpec } = spec;
  return { ...template, spec: { ...restSpec, ...(volumes.length ? { volumes } : {}), containers } };
}

/**
 * The TLS-relevant part of a pod template, without the defaults the API server fills in (a projected volume's
 * defaultMode, …), so a template read back from the server compares equal to the one that was written.
 */
export function tlsShape(p: DatabaseProfile, template: V1PodTemplateSpec | undefined) {
  const tlsVolumeNames = new Set(p.tlsMounts.map((m) => m.volume));
  const container = template?.spec?.containers.find((c) => c.name === p.container.name);
  return {
    volumes: (template?.spec?.volumes ?? [])
      .filter((v) => tlsVolumeNames.has(v.name))
      .map((v) => ({
        name: v.name,
        sources: (v.projected?.sources ?? []).map((s) => ({
          secret: s.secret?.name,
          items: (s.secret?.items ?? []).map((i) => `${i.key}:${i.path}`),
        })),
      })),
    mounts: (container?.volumeMounts ?? [])
      .filter((m) => tlsVolumeNames.has(m.name))
      .map((m) => `${m.name}:${m.mountPath}`),
    args: container?.args ?? [],
  };
}

export function desiredStatefulSet(p: DatabaseProfile, db: Database, nodeName: string): V1StatefulSet {
  const name = db.metadata.name!;
  const labels = podSelectorLabels(p, name);
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
        },
      ],
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
      template: withTLS(p, db, template),
    },
  };
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
    const template = withTLS(p, db, current.spec.template);
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
