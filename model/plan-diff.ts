// What a plan would change, as diffs against what is there now: the dry run (`opsflow plan`) shows these. Each
// is computed from the plan's own steps and the facts the planner was given, with the same functions the
// activities apply (withTLS for the pod template, withPgpoolTLS and poolHba for the configuration), so what is
// shown is what would be written.
import type { V1Container, V1PodTemplateSpec, V1Volume } from '@kubernetes/client-node';
import { configHashAnnotation } from './config-hash.ts';
import { describeChange, fieldChanges } from './object-diff.ts';
import { poolHba, poolHbaKey, pgpoolConfKey, withPgpoolTLS } from './pgpool-config.ts';
import type { CertificateChange, DatabaseSpecPatch, StepOf } from './plan.ts';
import type { DatabaseProfile } from './profiles.ts';
import { withTLS } from './tls-layout.ts';
import type { Certificate, Database } from './types.ts';

export interface CertificateDiff {
  name: string;
  action: CertificateChange['action'];
  /** `+ spec.x: v`, `~ spec.x: a → b`, `- spec.x: v`, one field a line. */
  fields: string[];
}

/** A Certificate change as fields: everything a new one gets, what changes in one that exists, what goes. */
export function certificateDiff(change: CertificateChange, existing: Certificate[]): CertificateDiff {
  if (change.action === 'create') {
    return { name: change.certificate.metadata.name!, action: 'create', fields: fieldChanges(undefined, change.certificate.spec, 'spec').map(describeChange) };
  }
  if (change.action === 'delete') {
    return { name: change.name, action: 'delete', fields: [`- Certificate ${change.name} and its Secret ${change.secretName}`] };
  }
  const now = existing.find((c) => c.metadata.name === change.name);
  return { name: change.name, action: 'update', fields: fieldChanges(now?.spec, change.spec, 'spec').map(describeChange) };
}

const describeVolume = (v: V1Volume) =>
  v.projected
    ? `projected from ${(v.projected.sources ?? []).map((s) => `Secret ${s.secret?.name} (${(s.secret?.items ?? []).map((i) => (i.key === i.path ? i.key : `${i.key} as ${i.path}`)).join(', ')})`).join(' and ')}`
    : v.secret
      ? `Secret ${v.secret.secretName}`
      : JSON.stringify(Object.keys(v).filter((k) => k !== 'name'));

const byName = <T extends { name: string }>(list: T[] | undefined) => new Map((list ?? []).map((x) => [x.name, x]));

/** How a pod template changes: volumes, each container's mounts and arguments, the configuration hash. */
export function templateDiff(before: V1PodTemplateSpec, after: V1PodTemplateSpec): string[] {
  const out: string[] = [];
  const vb = byName(before.spec?.volumes);
  const va = byName(after.spec?.volumes);
  for (const [name, v] of vb) {
    if (!va.has(name)) out.push(`- volume ${name}: ${describeVolume(v)}`);
    else if (describeVolume(v) !== describeVolume(va.get(name)!)) out.push(`~ volume ${name}: ${describeVolume(v)} → ${describeVolume(va.get(name)!)}`);
  }
  for (const [name, v] of va) if (!vb.has(name)) out.push(`+ volume ${name}: ${describeVolume(v)}`);
  const cb = byName<V1Container>(before.spec?.containers);
  for (const c of after.spec?.containers ?? []) {
    const was = cb.get(c.name);
    const mb = new Set((was?.volumeMounts ?? []).map((m) => `${m.name} at ${m.mountPath}${m.readOnly ? ' (read-only)' : ''}`));
    const ma = new Set((c.volumeMounts ?? []).map((m) => `${m.name} at ${m.mountPath}${m.readOnly ? ' (read-only)' : ''}`));
    for (const m of mb) if (!ma.has(m)) out.push(`- container ${c.name}: mount ${m}`);
    for (const m of ma) if (!mb.has(m)) out.push(`+ container ${c.name}: mount ${m}`);
    const ab = was?.args ?? [];
    const aa = c.args ?? [];
    for (const a of ab) if (!aa.includes(a)) out.push(`- container ${c.name}: argument ${a}`);
    for (const a of aa) if (!ab.includes(a)) out.push(`+ container ${c.name}: argument ${a}`);
  }
  const hb = before.metadata?.annotations?.[configHashAnnotation];
  const ha = after.metadata?.annotations?.[configHashAnnotation];
  if (hb !== ha) out.push(ha === undefined ? `- annotation ${configHashAnnotation}: ${hb}` : hb === undefined ? `+ annotation ${configHashAnnotation}: ${ha} (the pods load the new configuration)` : `~ annotation ${configHashAnnotation}: ${hb} → ${ha} (the pods load the new configuration)`);
  return out;
}

/** The pod template an updateWorkload step writes, from the template there now. */
export function templateAfter(p: DatabaseProfile, step: StepOf<'updateWorkload'>, before: V1PodTemplateSpec): V1PodTemplateSpec {
  const next = withTLS(p, step.tls, before);
  if (step.configHash === undefined) return next;
  const annotations = { ...next.metadata?.annotations };
  if (step.configHash === null) delete annotations[configHashAnnotation];
  else annotations[configHashAnnotation] = step.configHash;
  return { ...next, metadata: { ...next.metadata, annotations } };
}

/** Lines of a text file that go and come (order as in the new file). */
export function textDiff(before: string, after: string): string[] {
  const a = before.replace(/\n$/, '').split('\n');
  const b = after.replace(/\n$/, '').split('\n');
  return [...a.filter((l) => !b.includes(l)).map((l) => `- ${l}`), ...b.filter((l) => !a.includes(l)).map((l) => `+ ${l}`)];
}

/** What an updateConfig step changes in each file of the rendered configuration. */
export function configDiff(p: DatabaseProfile, step: StepOf<'updateConfig'>, files: Record<string, string> | undefined): Record<string, string[]> {
  const conf = files?.[pgpoolConfKey] ?? '';
  const hba = files?.[poolHbaKey] ?? '';
  return {
    [pgpoolConfKey]: textDiff(conf, withPgpoolTLS(p, conf, step.tls)),
    [poolHbaKey]: textDiff(hba, poolHba(step.tls)),
  };
}

/** What an updateDatabase step changes in the database spec (null removes a field). */
export function specDiff(db: Database, patch: DatabaseSpecPatch): string[] {
  return Object.entries(patch).flatMap(([field, value]) => fieldChanges(db.spec?.[field], value ?? undefined, `spec.${field}`).map(describeChange));
}
