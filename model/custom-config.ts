// A database's custom configuration, as KubeDB keeps it and as a Reconfigure changes it. The object names a
// Secret (spec.configuration.secretName, as KubeDB's Pgpool guides write it, or spec.configSecret.name, as its
// MySQL and PerconaXtraDB guides do); MySQL and PerconaXtraDB mount it where the server reads its option files
// (every `.cnf` key a file), Pgpool renders its `pgpool.conf` key into the configuration it mounts.
// A request either names another Secret (configSecret), merges files over the current ones (applyConfig: a new
// Secret opsflow creates, owned by the database), or goes back to the defaults (removeCustomConfig).
import type { V1Container, V1PodTemplateSpec } from '@kubernetes/client-node';
import { configHash, configHashAnnotation } from './config-hash.ts';
import { checkOptionFile, mergeOptionFiles } from './mysql-option-file.ts';
import { checkCustomPgpoolConf, mergePgpoolConf } from './pgpool-settings.ts';
import type { DatabaseProfile } from './profiles.ts';
import type { Database } from './types.ts';

export type ConfigFiles = Record<string, string>;

export interface CustomConfigRequest {
  configSecret?: { name?: string };
  applyConfig?: Record<string, unknown>;
  removeCustomConfig?: boolean;
  restart?: string;
}

type Verdict = { ok: true } | { ok: false; field: string; message: string };
const reject = (field: string, message: string): Verdict => ({ ok: false, field, message: `${field}: ${message}` });

/** The Secret the database object names as its custom configuration, if any. */
export function customConfigSecretName(db: Database): string | undefined {
  const spec = db.spec ?? {};
  return (spec.configuration as { secretName?: string } | undefined)?.secretName ?? (spec.configSecret as { name?: string } | undefined)?.name ?? undefined;
}

/** The spec patch that names `name` (null: none) where the object keeps it (the kind's guide's field for an object that has neither). */
export function customConfigSpecPatch(p: DatabaseProfile, db: Database, name: string | null): Record<string, unknown> {
  const spec = db.spec ?? {};
  const configuration = spec.configuration as Record<string, unknown> | undefined;
  const inConfigSecret = spec.configSecret !== undefined || (configuration?.secretName === undefined && p.customConfig?.field === 'configSecret');
  if (inConfigSecret) return { configSecret: name === null ? null : { name } };
  const { secretName: _old, ...rest } = configuration ?? {};
  const next = name === null ? rest : { ...rest, secretName: name };
  return { configuration: Object.keys(next).length ? next : null };
}

/** The name of the Secret an applyConfig writes: the database's, with a digest of the files (so a retry finds its own). */
export const appliedConfigSecretName = (db: string, files: ConfigFiles) => `${db}-custom-config-${configHash(files).slice(0, 8)}`;

/** Whether `files` are a custom configuration the kind's server reads; `field` names where they came from. */
export function checkConfigFiles(p: DatabaseProfile, files: ConfigFiles, field: (file: string) => string): Verdict {
  for (const [file, content] of Object.entries(files)) {
    if (p.customConfig?.format === 'pgpool') {
      if (file !== 'pgpool.conf') return reject(field(file), `Pgpool takes one custom file, pgpool.conf; "${file}" is not it`);
      const check = checkCustomPgpoolConf(content);
      if (!check.ok) return reject(field(file), `line ${check.line} ${check.message}`);
    } else {
      if (!/^[A-Za-z0-9_.-]+\.cnf$/.test(file)) return reject(field(file), `"${file}" does not end in .cnf: ${p.kind} reads only *.cnf files from its configuration directory`);
      const check = checkOptionFile(content);
      if (!check.ok) return reject(field(file), `line ${check.line} ${check.message}`);
    }
  }
  return { ok: true };
}

/** Admission of `spec.configuration` for the kinds with a custom configuration, as KubeDB's webhooks decide it. */
export function validateCustomConfiguration(p: DatabaseProfile, c: CustomConfigRequest | undefined): Verdict {
  const f = 'spec.configuration';
  if (!c || typeof c !== 'object') return reject(f, 'is required when spec.type is Reconfigure: give configSecret, applyConfig or removeCustomConfig');
  const known = new Set(['configSecret', 'applyConfig', 'removeCustomConfig', 'restart']);
  const unknown = Object.keys(c).find((k) => !known.has(k));
  if (unknown) return reject(`${f}.${unknown}`, `is not a field of a ${p.kind} Reconfigure; use configSecret, applyConfig, removeCustomConfig or restart`);
  const asked = [c.configSecret !== undefined && 'configSecret', c.applyConfig !== undefined && 'applyConfig', c.removeCustomConfig === true && 'removeCustomConfig'].filter(Boolean) as string[];
  if (!asked.length) return reject(f, 'asks for nothing: give configSecret, applyConfig or removeCustomConfig');
  if (c.configSecret !== undefined && (typeof c.configSecret?.name !== 'string' || !c.configSecret.name)) return reject(`${f}.configSecret.name`, 'is required: name the Secret that holds the configuration');
  if (c.removeCustomConfig !== undefined && typeof c.removeCustomConfig !== 'boolean') return reject(`${f}.removeCustomConfig`, `${JSON.stringify(c.removeCustomConfig)} is not a boolean`);
  if (c.removeCustomConfig === true && c.configSecret !== undefined) return reject(f, 'removeCustomConfig and configSecret contradict each other: give one');
  if (p.kind === 'PerconaXtraDB' && asked.length > 1) return reject(f, `gives ${asked.join(' and ')}: a PerconaXtraDB Reconfigure does one of configSecret, applyConfig, removeCustomConfig at a time`);
  if (c.restart !== undefined && !['auto', 'true', 'false'].includes(String(c.restart))) return reject(`${f}.restart`, `"${c.restart}" is invalid; use auto (default: restart when the configuration changes), true or false`);
  if (c.applyConfig !== undefined) {
    if (typeof c.applyConfig !== 'object' || c.applyConfig === null || Array.isArray(c.applyConfig)) return reject(`${f}.applyConfig`, 'is a map of file name to content');
    if (!Object.keys(c.applyConfig).length) return reject(`${f}.applyConfig`, 'names no file');
    const bad = Object.entries(c.applyConfig).find(([, v]) => typeof v !== 'string');
    if (bad) return reject(`${f}.applyConfig.${bad[0]}`, 'is not text: give the file content as a string (YAML: |)');
    return checkConfigFiles(p, c.applyConfig as ConfigFiles, (file) => `${f}.applyConfig.${file}`);
  }
  return { ok: true };
}

/** The files of the new custom configuration: the named Secret's (or the current ones, or none), with applyConfig merged over them. */
export function nextConfigFiles(p: DatabaseProfile, c: CustomConfigRequest, current: ConfigFiles | undefined, named: ConfigFiles | undefined): ConfigFiles | undefined {
  const base = c.removeCustomConfig ? undefined : c.configSecret ? named : current;
  if (!c.applyConfig) return base;
  const merge = p.customConfig?.format === 'pgpool' ? mergePgpoolConf : mergeOptionFiles;
  const next: ConfigFiles = { ...base };
  for (const [file, content] of Object.entries(c.applyConfig as ConfigFiles)) next[file] = next[file] === undefined ? content : merge(next[file]!, content);
  return next;
}

/**
 * `template` with the custom configuration Secret `secretName` mounted where the kind reads it (MySQL,
 * PerconaXtraDB; null: not mounted) and `hash` of what the pods must load as its annotation (null: none), so
 * the template, and with it the pods' revision, changes whenever the configuration does.
 */
export function withCustomConfig(p: DatabaseProfile, template: V1PodTemplateSpec, secretName: string | null, hash: string | null): V1PodTemplateSpec {
  const { [configHashAnnotation]: _old, ...annotations } = template.metadata?.annotations ?? {};
  const metadata = { ...template.metadata, annotations: hash === null ? annotations : { ...annotations, [configHashAnnotation]: hash } };
  if (!Object.keys(metadata.annotations).length) delete (metadata as { annotations?: unknown }).annotations;
  const mount = p.customConfig?.format === 'cnf' ? p.customConfig : undefined;
  if (!mount) return { ...template, metadata };
  const spec = template.spec!;
  const volumes = [...(spec.volumes ?? []).filter((v) => v.name !== mount.volume), ...(secretName ? [{ name: mount.volume, secret: { secretName } }] : [])];
  const containers = spec.containers.map((c): V1Container => {
    if (c.name !== p.container.name) return c;
    const mounts = [...(c.volumeMounts ?? []).filter((m) => m.name !== mount.volume), ...(secretName ? [{ name: mount.volume, mountPath: mount.mountPath, readOnly: true }] : [])];
    const { volumeMounts: _m, ...rest } = c;
    return { ...rest, ...(mounts.length ? { volumeMounts: mounts } : {}) };
  });
  const { volumes: _v, ...restSpec } = spec;
  return { ...template, metadata, spec: { ...restSpec, ...(volumes.length ? { volumes } : {}), containers } };
}

/** The Secret a template mounts as its custom configuration (MySQL, PerconaXtraDB). */
export function mountedCustomConfig(p: DatabaseProfile, template: V1PodTemplateSpec | undefined): string | undefined {
  const mount = p.customConfig?.format === 'cnf' ? p.customConfig : undefined;
  return mount ? template?.spec?.volumes?.find((v) => v.name === mount.volume)?.secret?.secretName : undefined;
}
