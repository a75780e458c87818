// The planner: from what was read (the OpsRequest, its database, the database's Certificates, its workload,
// pods and rendered configuration) to the plan the workflow executes, or to a rejection that names the field.
// Pure, so a dry run shows exactly what a run will do.
import { isDeepStrictEqual } from 'node:util';
import type { V1PodTemplateSpec } from '@kubernetes/client-node';
import { certificateName, desiredCertificate, withoutUndefined } from './certificates.ts';
import { configHash, configHashOf } from './config-hash.ts';
import { parseDuration } from './duration.ts';
import { poolHba, poolHbaKey, pgpoolConfKey, withPgpoolTLS } from './pgpool-config.ts';
import type { CertificateChange, DatabaseSpecPatch, Plan, PlannedStep, PlanOutcome, ProxySQLPart, SecretCheck, StepOf, WorkloadRef } from './plan.ts';
import type { DatabaseProfile } from './profiles.ts';
import { planReconfigure, type CustomConfigFacts } from './planner-reconfigure.ts';
import { planReconfigureProxySQL, type ProxySQLFacts } from './planner-proxysql.ts';
import { restartPlan, type PodFacts } from './restart-plan.ts';
import { hasTLSLayout, tlsEnabled, tlsLayout, type TLSLayout } from './tls-layout.ts';
import { desiredDatabase, tlsVariant, type TLSVariant } from './tls-request.ts';
import type { Certificate, Database, IssuerRef, OpsRequest, OpsRequestTLS } from './types.ts';

export interface PlanFacts {
  ops: OpsRequest;
  database: Database;
  /** The Certificates the database owns. */
  certificates: Certificate[];
  /** `Issuer/<name>` and `ClusterIssuer/<name>` of every issuer that exists (in the database's namespace, or cluster-wide). */
  issuers: string[];
  workload?: WorkloadRef & { template: V1PodTemplateSpec; updateRevision?: string };
  pods: (PodFacts & { revision?: string })[];
  /** The decoded data of the kind's rendered configuration Secret, when the kind has one and it exists. */
  renderedConfig?: Record<string, string>;
  /** ProxySQL's admin tables and its backend's users, read for a Reconfigure. */
  proxysql?: ProxySQLFacts;
  /** The custom configuration's files, read for a Reconfigure of the other kinds. */
  customConfig?: CustomConfigFacts;
}

/** A rejection whose message starts with the field, so a user reading only the message knows where to look. */
/** An annotation, so KubeDB's CRD schema stays as it is: `in-place` rotates without restarting where the server can reload. */
export const inPlaceAnnotation = 'opsflow.dev/rotate';

const reject = (field: string, message: string): PlanOutcome => ({ ok: false, field, message: message.startsWith(field) ? message : `${field}: ${message}` });
const issuerKey = (ref: IssuerRef) => `${ref.kind ?? 'Issuer'}/${ref.name}`;
const workloadCondition = (w: WorkloadRef | undefined) => (w?.kind === 'PetSet' ? 'UpdatePetSets' : 'UpdateStatefulSets');

/** The Certificate fields KubeDB decides; two Certificates with the same of these need no change. */
const managedFields = ['secretName', 'issuerRef', 'commonName', 'dnsNames', 'ipAddresses', 'uris', 'emailAddresses', 'duration', 'renewBefore', 'usages', 'subject', 'privateKey'] as const;
const managedSpec = (spec: Certificate['spec']) => withoutUndefined(managedFields.map((f) => spec[f] ?? null));
// The API server returns objects with their keys sorted: compare values, not key order.
const same = (a: unknown, b: unknown) => isDeepStrictEqual(withoutUndefined(a ?? null), withoutUndefined(b ?? null));

function certificateChanges(p: DatabaseProfile, now: Database, want: Database, have: Certificate[]): { changes: CertificateChange[]; undo: CertificateChange[] } {
  const changes: CertificateChange[] = [];
  const undo: CertificateChange[] = [];
  for (const alias of Object.keys(p.certificates)) {
    const name = certificateName(now.metadata.name!, alias);
    const existing = have.find((c) => c.metadata.name === name);
    const desired = tlsEnabled(want) ? desiredCertificate(p, want, alias) : undefined;
    if (desired && !existing) {
      changes.push({ action: 'create', certificate: withoutUndefined(desired) });
      undo.push({ action: 'delete', name, secretName: desired.spec.secretName });
    } else if (desired && existing && !same(managedSpec(desired.spec), managedSpec(existing.spec))) {
      changes.push({ action: 'update', name, spec: withoutUndefined(desired.spec) });
      undo.push({ action: 'update', name, spec: withoutUndefined(existing.spec) });
    } else if (!desired && existing) {
      changes.push({ action: 'delete', name, secretName: existing.spec.secretName });
    }
  }
  return { changes, undo };
}

/** Whether cert-manager re-issues a Certificate whose spec changes from `a` to `b`: any field it issues from, renewBefore (a renewal time only) aside. */
const reissues = (a: Certificate['spec'], b: Certificate['spec']) => !same(managedSpec({ ...a, renewBefore: undefined }), managedSpec({ ...b, renewBefore: undefined }));

function specPatch(p: DatabaseProfile, from: Database, to: Database): DatabaseSpecPatch {
  const patch: Record<string, unknown> = {};
  for (const field of ['tls', ...p.tlsSwitches] as const) {
    const a = from.spec?.[field];
    const b = to.spec?.[field];
    if (!same(a, b)) patch[field] = b ?? null;
  }
  return patch as DatabaseSpecPatch;
}

/** The names clients use to reach the database and each pod: its Service and the pods' names under the governing Service. */
function clientNames(db: Database, pods: PodFacts[], user: string[]): string[] {
  const name = db.metadata.name!;
  const ns = db.metadata.namespace!;
  return [...new Set([name, `${name}.${ns}.svc`, ...pods.map((pod) => `${pod.name}.${name}-pods.${ns}.svc`), ...user])];
}

function secretChecks(p: DatabaseProfile, want: Database, layout: TLSLayout, pods: PodFacts[]): SecretCheck[] {
  return Object.entries(layout.secrets).map(([alias, secretName]) => {
    const cert = desiredCertificate(p, want, alias)!;
    const server = p.certificates[alias]?.serviceDNSNames ?? false;
    const renewBefore = cert.spec.renewBefore ? parseDuration(cert.spec.renewBefore) : undefined;
    return {
      secretName,
      alias,
      usages: [server ? 'server auth' : 'client auth'],
      names: server ? clientNames(want, pods, [...(cert.spec.dnsNames ?? []).filter((d) => !d.startsWith('*.')), ...(cert.spec.ipAddresses ?? [])]) : [],
      ...(renewBefore !== undefined ? { renewBeforeMs: renewBefore } : {}),
    };
  });
}

/** The rendered configuration's step, and the hash of what it writes (for the pod template), when it changes. */
function renderedConfigChange(p: DatabaseProfile, facts: PlanFacts, from: TLSLayout, to: TLSLayout): { step: PlannedStep; hash: string } | undefined {
  const conf = facts.renderedConfig?.[pgpoolConfKey];
  if (!p.renderedConfig || conf === undefined) return undefined;
  const next = { ...facts.renderedConfig, [pgpoolConfKey]: withPgpoolTLS(p, conf, to), [poolHbaKey]: poolHba(to) };
  if (same(next, facts.renderedConfig)) return undefined;
  const secretName = p.renderedConfig.secretName(facts.database.metadata.name!);
  const step = (tls: TLSLayout): StepOf<'updateConfig'> => ({ kind: 'updateConfig', condition: 'UpdateConfigSecret', label: `Update ${pgpoolConfKey} in Secret ${secretName}`, secretName, tls });
  return { step: { step: step(to), undo: step(from) }, hash: configHash(next) };
}

/**
 * The first issuer the certificates would come from that does not exist, named by where it is set: the
 * request's own field, else the database's (a stale issuer the request does not replace).
 */
function missingIssuerOf(facts: PlanFacts, tls: OpsRequestTLS, want: Database): { field: string; message: string } | undefined {
  const ns = facts.database.metadata.namespace;
  const missing = (ref: IssuerRef | undefined) => ref !== undefined && !facts.issuers.includes(issuerKey(ref));
  const what = (ref: IssuerRef) =>
    `there is no ${ref.kind ?? 'Issuer'} named ${ref.name} ${(ref.kind ?? 'Issuer') === 'ClusterIssuer' ? 'in the cluster' : `in namespace ${ns}`}`;
  if (missing(tls.issuerRef)) return { field: 'spec.tls.issuerRef', message: `${what(tls.issuerRef!)}; create it first or name one that exists` };
  const asked = (tls.certificates ?? []).findIndex((c) => missing(c.issuerRef));
  if (asked >= 0) return { field: `spec.tls.certificates[${asked}].issuerRef`, message: `${what(tls.certificates![asked].issuerRef!)}; create it first or name one that exists` };
  const top = want.spec?.tls?.issuerRef;
  if (missing(top)) return { field: 'spec.tls.issuerRef', message: `the database's spec.tls.issuerRef says: ${what(top!)}; name one that exists in spec.tls.issuerRef` };
  const stale = (want.spec?.tls?.certificates ?? []).find((c) => missing(c.issuerRef));
  if (stale) {
    return { field: 'spec.tls.certificates', message: `the database's ${stale.alias} certificate names its own issuer: ${what(stale.issuerRef!)}; give alias ${stale.alias} an issuerRef that exists in spec.tls.certificates` };
  }
  return undefined;
}

/** ProxySQL: TLS on after a pod is back with its certificates mounted; off before it restarts without them. */
function tlsSwitchHooks(p: DatabaseProfile, on: boolean): Pick<StepOf<'restartPods'>, 'adminBefore' | 'adminAfter'> {
  if (!p.tlsAdminSwitch) return {};
  const part: ProxySQLPart = { table: p.tlsAdminSwitch.table, values: { [p.tlsAdminSwitch.variable]: on ? 'true' : 'false' } };
  return on ? { adminAfter: [part] } : { adminBefore: [part] };
}

const describeIssuer = (ref: IssuerRef | undefined) => (ref ? `${ref.kind ?? 'Issuer'}/${ref.name}` : 'none');

function summary(variant: TLSVariant, now: Database, want: Database): string {
  switch (variant) {
    case 'add':
      return `add TLS with certificates from ${describeIssuer(want.spec?.tls?.issuerRef)}`;
    case 'remove':
      return 'remove TLS';
    case 'rotate':
      return 'rotate the certificates';
    default: {
      const issuerChanged = describeIssuer(now.spec?.tls?.issuerRef) !== describeIssuer(want.spec?.tls?.issuerRef);
      const what = issuerChanged ? `change the issuer to ${describeIssuer(want.spec?.tls?.issuerRef)}` : 'update the TLS configuration';
      return variant === 'rotate+update' ? `${what} and rotate the certificates` : what;
    }
  }
}

/** The plan of a ReconfigureTLS request, or why it cannot be carried out on this database as it is. */
export function planReconfigureTLS(p: DatabaseProfile, facts: PlanFacts): PlanOutcome {
  const { ops, database: now } = facts;
  const tls = ops.spec!.tls!;
  const dbName = `${p.kind} ${now.metadata.namespace}/${now.metadata.name}`;
  const variant = tlsVariant(p, now, tls);
  if (variant.startsWith('rotate') && !tlsEnabled(now)) {
    return reject('spec.tls.rotateCertificates', `${dbName} has no TLS (spec.tls.issuerRef is unset), so there are no certificates to rotate; add TLS first (spec.tls.issuerRef)`);
  }
  if (variant === 'remove' && !tlsEnabled(now)) {
    return reject('spec.tls.remove', `${dbName} has no TLS to remove`);
  }
  if (variant === 'add' && !tls.issuerRef) {
    return reject('spec.tls.issuerRef', `${dbName} has no TLS yet: name the issuer of its certificates in spec.tls.issuerRef to add TLS`);
  }
  const want = desiredDatabase(p, now, tls);
  const missingIssuer = tlsEnabled(want) ? missingIssuerOf(facts, tls, want) : undefined;
  if (missingIssuer) return reject(missingIssuer.field, missingIssuer.message);
  if (p.tlsSwitches.includes('sslMode') && want.spec?.clientAuthMode === 'cert' && (!tlsEnabled(want) || want.spec?.sslMode === 'disable')) {
    return reject('spec.tls.clientAuthMode', `clientAuthMode cert needs TLS with sslMode other than disable (${dbName} would have sslMode ${want.spec?.sslMode ?? 'unset'})`);
  }

  const from = tlsLayout(p, now);
  const to = tlsLayout(p, want);
  const rotate = variant.startsWith('rotate');
  const all = certificateChanges(p, now, want, facts.certificates);
  // A rotation re-issues what is there (and makes what is missing); it does not rewrite Certificates.
  const certs = variant === 'rotate' ? { changes: all.changes.filter((c) => c.action === 'create'), undo: all.undo.filter((c) => c.action === 'delete') } : all;
  const created = certs.changes.filter((c) => c.action !== 'delete');
  const config = renderedConfigChange(p, facts, from, to);
  const templateChanges = !hasTLSLayout(p, to, facts.workload?.template) || (config !== undefined && configHashOf(facts.workload?.template) !== config.hash);
  const patch = specPatch(p, now, want);
  // Pods a request that failed midway did not reach: applying it again restarts just those.
  const behind = facts.workload?.updateRevision ? facts.pods.filter((pod) => pod.revision !== facts.workload!.updateRevision) : [];
  if (!rotate && !created.length && !templateChanges && !config && !Object.keys(patch).length && !behind.length) {
    return reject('spec.tls', `${dbName} already has exactly this TLS configuration and every pod runs it; nothing to change`);
  }
  if (templateChanges && !facts.workload) {
    return reject(`spec.${p.opsRequest.targetField}`, `${dbName} has no StatefulSet or PetSet yet: wait until it is provisioned, then apply the request again`);
  }

  const steps: PlannedStep[] = [];
  const resume: StepOf<'resume'> = { kind: 'resume', condition: 'ResumeDatabase', label: 'Resume the database' };
  if ((ops.spec?.apply ?? 'IfReady') === 'IfReady') steps.push({ step: { kind: 'waitReady', condition: 'DatabaseReady', label: 'Wait for the database to be Ready' } });
  steps.push({ step: { kind: 'pause', condition: 'DatabasePauseSucceeded', label: 'Pause the database' }, undo: resume });
  const changesForNow = certs.changes.filter((c) => c.action !== 'delete');
  if (changesForNow.length) {
    steps.push({
      step: { kind: 'setCertificates', condition: 'UpdateCertificates', label: variant === 'add' ? 'Create the certificates' : 'Update the certificates', changes: changesForNow },
      undo: { kind: 'setCertificates', condition: 'UpdateCertificates', label: 'Put the certificates back', changes: certs.undo },
    });
  }
  const changedNames = created.map((c) => (c.action === 'create' ? c.certificate.metadata.name! : c.name));
  const newNames = created.filter((c) => c.action === 'create').map((c) => (c.action === 'create' ? c.certificate.metadata.name! : ''));
  if (rotate) {
    const existing = facts.certificates.map((c) => c.metadata.name!).filter((n) => !certs.changes.some((c) => c.action === 'delete' && c.name === n));
    // A Certificate whose spec changes is re-issued by cert-manager on its own: a trigger on top could issue it twice.
    const reissuedAnyway = new Set(certs.changes.filter((c) => c.action === 'update' && reissues(facts.certificates.find((x) => x.metadata.name === c.name)!.spec, c.spec)).map((c) => (c.action === 'update' ? c.name : '')));
    const certificates = [...existing.map((name) => ({ name, trigger: !reissuedAnyway.has(name) })), ...newNames.map((name) => ({ name, trigger: false }))];
    steps.push({ step: { kind: 'issueCertificates', condition: 'IssueCertificatesSucceeded', label: 'Re-issue the certificates', certificates } });
  } else if (created.length) {
    steps.push({ step: { kind: 'issueCertificates', condition: 'CheckIssuingCondition', label: 'Wait for cert-manager to issue the certificates', certificates: changedNames.map((name) => ({ name, trigger: false })) } });
  }
  if (to.enabled) {
    // KubeDB's "all certificates synced", made a promise: each Secret the pods will mount is checked as fit to serve.
    steps.push({ step: { kind: 'checkCertificates', condition: 'CertificateSynced', label: 'Check the new certificates', secrets: secretChecks(p, want, to, facts.pods) } });
  }
  if (templateChanges) {
    const workload = { kind: facts.workload!.kind, name: facts.workload!.name };
    const hashes = config ? { to: config.hash, from: configHashOf(facts.workload!.template) ?? null } : undefined;
    const update = (tlsTo: TLSLayout, hash: string | null | undefined, label: string): StepOf<'updateWorkload'> => ({
      kind: 'updateWorkload',
      condition: workloadCondition(workload),
      label,
      workload,
      tls: tlsTo,
      ...(hash !== undefined ? { configHash: hash } : {}),
    });
    steps.push({ step: update(to, hashes?.to, `Update the ${workload.kind}`), undo: update(from, hashes?.from, `Put the ${workload.kind} back`) });
  }
  if (config) steps.push(config.step);
  if (Object.keys(patch).length) {
    const undo = specPatch(p, want, now);
    steps.push({
      step: { kind: 'updateDatabase', condition: 'UpdateDatabase', label: 'Update the database spec', patch },
      undo: { kind: 'updateDatabase', condition: 'UpdateDatabase', label: 'Put the database spec back', patch: undo },
    });
  }
  const inPlace = ops.metadata.annotations?.[inPlaceAnnotation] === 'in-place';
  if (inPlace && variant === 'rotate' && p.tlsReload) {
    const pods = restartPlan(p, facts.pods).map((s) => ({ pod: s.pod, role: facts.pods.find((x) => x.name === s.pod)?.role }));
    steps.push({ step: { kind: 'reloadTLS', condition: 'ReloadTLS', label: 'Reload the certificates in every pod, without restarts', how: p.tlsReload, pods, verify: { protocol: p.container.protocol, port: p.container.port, secretName: to.secrets.server } } });
  } else steps.push({
    step: {
      kind: 'restartPods',
      condition: 'RestartPods',
      label: 'Restart the pods',
      certificates: rotate || created.length > 0,
      // What a dry run shows: every pod, unless only the pods a failed run did not reach are behind.
      expected: restartPlan(p, rotate || created.length || templateChanges || config || Object.keys(patch).length ? facts.pods : behind).map((s) => ({
        pod: s.pod,
        role: facts.pods.find((x) => x.name === s.pod)?.role,
      })),
      ...tlsSwitchHooks(p, to.enabled),
      verify: { protocol: p.container.protocol, port: p.container.port, ...(to.enabled ? { secretName: to.secrets.server } : {}) },
      ...(inPlace ? { note: variant === 'rotate' ? `${p.kind} cannot reload its certificates without a restart: its pods restart instead` : 'an in-place rotation is for a rotation alone: this request restarts the pods' } : {}),
    },
  });
  const deleted = certs.changes.filter((c): c is Extract<CertificateChange, { action: 'delete' }> => c.action === 'delete');
  if (deleted.length) {
    steps.push({ step: { kind: 'deleteCertificates', condition: 'DeleteCertificates', label: 'Delete the certificates and their Secrets', certificates: deleted.map(({ name, secretName }) => ({ name, secretName })) } });
  }
  steps.push({ step: resume });

  const plan: Plan = {
    database: { kind: p.kind, namespace: now.metadata.namespace!, name: now.metadata.name! },
    summary: summary(variant, now, want),
    steps,
    type: 'ReconfigureTLS',
    done: { message: `${dbName}: ${summary(variant, now, want)}: done, every pod restarted on it` },
  };
  return { ok: true, plan };
}

/** The plan for the request's type (admission has already refused the types opsflow does not carry out). */
export function planRequest(p: DatabaseProfile, facts: PlanFacts): PlanOutcome {
  switch (facts.ops.spec?.type) {
    case 'ReconfigureTLS':
      return planReconfigureTLS(p, facts);
    case 'Reconfigure':
      return p.kind === 'ProxySQL' ? planReconfigureProxySQL(p, facts) : planReconfigure(p, facts);
    default:
      return reject('spec.type', `spec.type "${facts.ops.spec?.type}" has no planner`);
  }
}
