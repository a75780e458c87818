// KubeDB's TLS layout of a database pod, per kind: which certificate Secrets are projected where, and which
// server arguments TLS adds. A fact about KubeDB, kept once: opsflow writes the workload template with it
// while the database is paused, and the provisioner stand-in renders the same template from the database spec,
// so a resumed database is not rolled out a second time.
import type { V1Container, V1PodTemplateSpec, V1Volume, V1VolumeMount } from '@kubernetes/client-node';
import { certificateSecretName } from './certificates.ts';
import type { DatabaseProfile } from './profiles.ts';
import type { Database } from './types.ts';

/** What TLS looks like from inside a pod: on or off, which Secret each alias comes from, and the kind's switches. */
export interface TLSLayout {
  enabled: boolean;
  /** alias → Secret name, for the aliases the pods mount (empty when TLS is off). */
  secrets: Record<string, string>;
  requireSSL: boolean;
  /** Pgpool: how clients authenticate (md5, scram, cert); the others ignore it. */
  clientAuthMode?: string;
}

/** KubeDB turns TLS on when the database names an issuer. */
export const tlsEnabled = (db: Database): boolean => Boolean(db.spec?.tls?.issuerRef);

const mountedAliases = (p: DatabaseProfile) => [...new Set(p.tlsMounts.flatMap((m) => m.files.map((f) => f.alias)))];

/** The layout a database's spec asks for. */
export function tlsLayout(p: DatabaseProfile, db: Database): TLSLayout {
  const enabled = tlsEnabled(db);
  return {
    enabled,
    secrets: enabled ? Object.fromEntries(mountedAliases(p).map((alias) => [alias, certificateSecretName(db, alias)])) : {},
    requireSSL: enabled && Boolean(db.spec?.requireSSL),
    ...(p.kind === 'Pgpool' ? { clientAuthMode: db.spec?.clientAuthMode ?? 'md5' } : {}),
  };
}

/** The certificate Secrets the pods mount (none when TLS is off). */
export const tlsSecretNames = (layout: TLSLayout): string[] => [...new Set(Object.values(layout.secrets))];

/** One projected volume per mount; the files of each alias come from that alias's Secret. */
function tlsVolumes(p: DatabaseProfile, layout: TLSLayout): V1Volume[] {
  return p.tlsMounts.map((mount) => {
    const aliases = [...new Set(mount.files.map((f) => f.alias))];
    return {
      name: mount.volume,
      projected: {
        sources: aliases.map((alias) => ({
          secret: {
            name: layout.secrets[alias],
            items: mount.files.filter((f) => f.alias === alias).map((f) => ({ key: f.key, path: f.path })),
          },
        })),
      },
    };
  });
}

const tlsVolumeMounts = (p: DatabaseProfile): V1VolumeMount[] =>
  p.tlsMounts.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: true }));

const tlsArgs = (p: DatabaseProfile, layout: TLSLayout): string[] =>
  layout.requireSSL ? [...p.tlsArgs, ...p.requireSSLArgs] : p.tlsArgs;

/**
 * `template` with the profile's TLS volumes, mounts and arguments as `layout` says (added when TLS is on,
 * removed when off); everything else in the template is kept as it is.
 */
export function withTLS(p: DatabaseProfile, layout: TLSLayout, template: V1PodTemplateSpec): V1PodTemplateSpec {
  const on = layout.enabled;
  const tlsVolumeNames = new Set(p.tlsMounts.map((m) => m.volume));
  const allTLSArgs = new Set([...p.tlsArgs, ...p.requireSSLArgs]);
  const spec = template.spec!;
  const volumes = [...(spec.volumes ?? []).filter((v) => !tlsVolumeNames.has(v.name)), ...(on ? tlsVolumes(p, layout) : [])];
  const containers = spec.containers.map((c): V1Container => {
    if (c.name !== p.container.name) return c;
    const mounts = [...(c.volumeMounts ?? []).filter((m) => !tlsVolumeNames.has(m.name)), ...(on ? tlsVolumeMounts(p) : [])];
    const args = [...(c.args ?? []).filter((a) => !allTLSArgs.has(a)), ...(on ? tlsArgs(p, layout) : [])];
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

/** Whether `template` already has the TLS of `layout`. */
export const hasTLSLayout = (p: DatabaseProfile, layout: TLSLayout, template: V1PodTemplateSpec | undefined): boolean =>
  template !== undefined && JSON.stringify(tlsShape(p, withTLS(p, layout, template))) === JSON.stringify(tlsShape(p, template));
