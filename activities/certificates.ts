// cert-manager Certificates of a database: create the ones KubeDB would (for a database created with TLS),
// change or delete them as a plan says, re-issue them the way `cmctl renew` does, wait until cert-manager has
// issued them, and check the issued certificates before any pod uses them. Only names, serials and fingerprints
// leave these functions: no certificate body or key ever enters workflow history.
import { X509Certificate } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { V1Secret } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { certificateProblems, type TLSSecretData } from '../model/certificate-check.ts';
import { desiredCertificate, withoutUndefined } from '../model/certificates.ts';
import { findCondition, upsertCondition } from '../model/conditions.ts';
import type { CertificateChange, SecretCheck } from '../model/plan.ts';
import { profiles } from '../model/profiles.ts';
import type { Certificate, Condition, Database } from '../model/types.ts';
import { isConflict, isNotFound, type Collection, type Kube } from '../platform/kube.ts';
import { readCustom, updateStatus, type CustomResource } from '../platform/status.ts';
import { waitFor } from '../platform/watch.ts';
import { asActivityFailure, kubeCall } from './failures.ts';
import { beforeTimeLimit, whileHeartbeating } from './heartbeat.ts';
import type { DatabaseRef } from './refs.ts';
import { databaseResource } from './resources.ts';

/** A certificate as a Secret holds it: never the body, only what identifies it. */
export interface IssuedCertificate {
  name: string;
  secretName: string;
  serial: string;
  fingerprint: string;
  notBefore: string;
  notAfter: string;
  issuer: string;
  revision: number;
}

export interface CertificateRevision {
  name: string;
  revision: number;
  serial?: string;
}

const certificateResource = (namespace: string, name: string): CustomResource => ({
  group: 'cert-manager.io',
  version: 'v1',
  plural: 'certificates',
  namespace,
  name,
});

const certificates = (namespace: string) => ({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', plural: 'certificates', namespace }) satisfies Collection;

const readSecret = (kube: Kube, namespace: string, name: string) =>
  kube.core.readNamespacedSecret({ namespace, name }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));

const decoded = (secret: V1Secret | undefined): TLSSecretData =>
  Object.fromEntries(Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));

/** The leaf certificate a TLS Secret holds, by serial and fingerprint. */
function leafOf(secret: V1Secret | undefined) {
  const pem = secret?.data?.['tls.crt'];
  if (!pem) return undefined;
  const cert = new X509Certificate(Buffer.from(pem, 'base64'));
  return {
    serial: cert.serialNumber.toUpperCase(),
    fingerprint: cert.fingerprint256,
    notBefore: cert.validFromDate.toISOString(),
    notAfter: cert.validToDate.toISOString(),
    issuer: cert.issuer.replaceAll('\n', ', '),
  };
}

/** Whether cert-manager's status of `cert` describes `leaf` (the readiness controller copies its validity). */
const sameValidity = (cert: Certificate, leaf: { notBefore: string; notAfter: string }) =>
  Date.parse(cert.status?.notBefore ?? '') === Date.parse(leaf.notBefore) && Date.parse(cert.status?.notAfter ?? '') === Date.parse(leaf.notAfter);

/** Why cert-manager has not issued `cert` for its current spec, or undefined once it has. Throws when issuance failed. */
function pendingReason(cert: Certificate | undefined, name: string, afterRevision?: number): string | undefined {
  if (!cert) throw ApplicationFailure.nonRetryable(`Certificate ${name} was deleted while waiting for it to be issued`, 'CertificateDeleted');
  const generation = cert.metadata.generation ?? 0;
  const current = (c: Condition | undefined) => c !== undefined && (c.observedGeneration ?? generation) >= generation;
  const issuing = findCondition(cert.status?.conditions, 'Issuing');
  const ready = findCondition(cert.status?.conditions, 'Ready');
  if (issuing?.status === 'False' && issuing.reason === 'Failed' && current(issuing)) {
    throw ApplicationFailure.nonRetryable(`cert-manager failed to issue Certificate ${name}: ${issuing.message}`, 'IssuanceFailed');
  }
  if (afterRevision !== undefined && (cert.status?.revision ?? 0) <= afterRevision) return `revision ${cert.status?.revision ?? 0}, waiting for a new one`;
  if (issuing?.status === 'True') return `issuing: ${issuing.message ?? issuing.reason}`;
  if (ready?.status !== 'True' || !current(ready)) return `not Ready for generation ${generation}: ${ready?.message ?? 'no Ready condition yet'}`;
  return undefined;
}

export function certificateActivities(kube: Kube) {
  async function applyChange(namespace: string, change: CertificateChange): Promise<void> {
    if (change.action === 'delete') {
      await kube.custom.deleteNamespacedCustomObject({ ...certificateResource(namespace, change.name) }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      await kube.core.deleteNamespacedSecret({ namespace, name: change.secretName }).catch((err) => (isNotFound(err) ? undefined : Promise.reject(err)));
      return;
    }
    const name = change.action === 'create' ? change.certificate.metadata.name! : change.name;
    const spec = change.action === 'create' ? change.certificate.spec : change.spec;
    if (change.action === 'create') {
      try {
        await kube.custom.createNamespacedCustomObject({ ...certificates(namespace), group: 'cert-manager.io', version: 'v1', body: { ...change.certificate, metadata: { ...change.certificate.metadata, namespace } } });
        return;
      } catch (err) {
        if (!isConflict(err)) throw err;
        // Created by an earlier attempt (or by the database's own certificates run): make sure it has this spec.
      }
    }
    // Replace the spec whole (a merge patch would keep fields the new spec drops), guarded by resourceVersion.
    for (let attempt = 1; ; attempt++) {
      const current = await readCustom<Certificate>(kube, certificateResource(namespace, name));
      if (isDeepStrictEqual(withoutUndefined(current.spec), withoutUndefined(spec))) return;
      try {
        await kube.custom.replaceNamespacedCustomObject({ ...certificateResource(namespace, name), body: { ...current, spec } });
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 5) throw err;
      }
    }
  }

  return {
    /**
     * Creates the Certificates KubeDB keeps for a TLS-enabled database (one per alias of its kind) where they
     * are missing; existing ones are left as they are (changing them is ReconfigureTLS's job).
     */
    async ensureDatabaseCertificates(ref: DatabaseRef): Promise<{ created: string[]; existing: string[] }> {
      const p = profiles[ref.kind];
      const db = await kubeCall(`reading ${ref.kind} ${ref.namespace}/${ref.name}`, () => readCustom<Database>(kube, databaseResource(ref)));
      const created: string[] = [];
      const existing: string[] = [];
      for (const alias of Object.keys(p.certificates)) {
        const cert = desiredCertificate(p, db, alias);
        if (!cert) continue;
        try {
          await kube.custom.createNamespacedCustomObject({ ...certificates(ref.namespace), group: 'cert-manager.io', version: 'v1', body: withoutUndefined(cert) });
          created.push(cert.metadata.name!);
        } catch (err) {
          if (!isConflict(err)) throw asActivityFailure(err, `creating Certificate ${ref.namespace}/${cert.metadata.name}`);
          existing.push(cert.metadata.name!);
        }
      }
      return { created, existing };
    },

    /** Creates, changes or deletes Certificates as planned; each change is idempotent. */
    async setCertificates(db: DatabaseRef, changes: CertificateChange[]): Promise<string[]> {
      for (const change of changes) {
        const name = change.action === 'create' ? change.certificate.metadata.name! : change.name;
        await kubeCall(`${change.action === 'delete' ? 'deleting' : change.action === 'create' ? 'creating' : 'updating'} Certificate ${db.namespace}/${name}`, () => applyChange(db.namespace, change));
      }
      return changes.map((c) => `${c.action} ${c.action === 'create' ? c.certificate.metadata.name : c.name}`);
    },

    /** Where each Certificate stands before a re-issue: its revision and the serial its Secret holds. */
    async readCertificateRevisions(namespace: string, names: string[]): Promise<CertificateRevision[]> {
      return whileHeartbeating(() =>
        Promise.all(
          names.map((name) =>
            kubeCall(`reading Certificate ${namespace}/${name}`, async () => {
              const cert = await readCustom<Certificate>(kube, certificateResource(namespace, name));
              return { name, revision: cert.status?.revision ?? 0, serial: leafOf(await readSecret(kube, namespace, cert.spec.secretName))?.serial };
            }),
          ),
        ),
      );
    },

    /**
     * Re-issues a Certificate now, as `cmctl renew` does (status condition Issuing=True, reason
     * ManuallyTriggered), unless cert-manager is already issuing it or has issued a revision past `revision`
     * (the one recorded before the first attempt): a retried trigger never issues twice.
     */
    async triggerReissue(namespace: string, name: string, revision: number): Promise<void> {
      await kubeCall(`triggering re-issue of Certificate ${namespace}/${name}`, () =>
        updateStatus<Certificate>(kube, certificateResource(namespace, name), (cur) => {
          if ((cur.status?.revision ?? 0) > revision) return undefined;
          if (findCondition(cur.status?.conditions, 'Issuing')?.status === 'True') return undefined;
          const conditions = upsertCondition(
            cur.status?.conditions,
            { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered by opsflow', observedGeneration: cur.metadata.generation },
            new Date().toISOString(),
          );
          return { ...cur.status, conditions };
        }),
      );
    },

    /**
     * Waits (watching) until cert-manager has issued each Certificate for its current spec (Ready for its
     * generation, not issuing, and past `afterRevision` where given) and has settled on it: its status carries
     * the validity of the certificate the Secret now holds. Until then cert-manager may still re-issue on its
     * own: its controllers read Secrets from a cache that can lag the Certificate's status by a few
     * milliseconds, and a trigger that reads the old Secret against the new CertificateRequest issues again
     * (reason SecretMismatch, or DoesNotExist for a new Certificate). The readiness controller writes
     * notBefore/notAfter from the same cache, so once they match the new certificate every later trigger reads
     * it too, and an earlier one that issued again shows as Issuing here. (Two certificates issued within one
     * second have the same validity; then this cannot tell them apart.) A failed issuance (Issuing False,
     * reason Failed) fails at once with cert-manager's message.
     */
    async awaitCertificates(namespace: string, waits: { name: string; afterRevision?: number; oldSerial?: string }[]): Promise<IssuedCertificate[]> {
      const seen = new Map<string, string>();
      // One watch per Certificate, by name: a namespace of many databases is not listed at every wait.
      const settled = async (w: (typeof waits)[number], signal: AbortSignal): Promise<IssuedCertificate> => {
        // The resourceVersion it was last found unsettled at: looked at again once it changes.
        let unsettledAt: string | undefined;
        for (;;) {
          const cert = await waitFor<Certificate, Certificate>(
            kube,
            certificates(namespace),
            { fieldSelector: `metadata.name=${w.name}` },
            ([c]) => {
              const reason = pendingReason(c, w.name, w.afterRevision) ?? (c?.metadata.resourceVersion === unsettledAt ? seen.get(w.name) : undefined);
              seen.set(w.name, reason ?? 'issued');
              return reason === undefined ? c : undefined;
            },
            signal,
          );
          const secretName = cert.spec.secretName;
          const leaf = leafOf(await kubeCall(`reading Secret ${namespace}/${secretName}`, () => readSecret(kube, namespace, secretName)));
          const why = !leaf || leaf.serial === w.oldSerial ? `issued, but Secret ${secretName} does not hold the new certificate yet` : !sameValidity(cert, leaf) ? `issued, but cert-manager has not yet read the new certificate in Secret ${secretName}` : undefined;
          if (!why) return { name: w.name, secretName, revision: cert.status?.revision ?? 0, ...leaf! };
          unsettledAt = cert.metadata.resourceVersion;
          seen.set(w.name, why);
        }
      };
      return whileHeartbeating(
        (signal) =>
          beforeTimeLimit(
            signal,
            async (stop) => {
              // One failing (an issuance failed) stops the others' watches.
              const ended = new AbortController();
              try {
                return await Promise.all(waits.map((w) => settled(w, AbortSignal.any([stop, ended.signal]))));
              } finally {
                ended.abort();
              }
            },
            (limit) => `cert-manager did not issue the certificates within ${limit} (spec.timeout): ${[...seen].filter(([, r]) => r !== 'issued').map(([n, r]) => `${n}: ${r}`).join('; ')}`,
          ),
        () => Object.fromEntries(seen),
      );
    },

    /** The pre-flight check: every Secret the pods will mount holds a certificate fit for them. */
    async checkCertificates(namespace: string, checks: SecretCheck[]): Promise<string[]> {
      const now = new Date();
      const problems: string[] = [];
      const good: string[] = [];
      for (const check of checks) {
        const secret = await kubeCall(`reading Secret ${namespace}/${check.secretName}`, () => readSecret(kube, namespace, check.secretName));
        const found = secret ? certificateProblems(decoded(secret), check, now) : ['the Secret does not exist'];
        if (found.length) problems.push(`Secret ${check.secretName} (${check.alias} certificate): ${found.join('; ')}`);
        else good.push(`${check.secretName} ✓`);
      }
      if (problems.length) throw ApplicationFailure.nonRetryable(`the new certificates are not fit to serve, so no pod was restarted: ${problems.join(' | ')}`, 'CertificateCheckFailed');
      return good;
    },

    /** Deletes Certificates and the Secrets cert-manager wrote for them (TLS removed, pods no longer mount them). */
    async deleteCertificates(namespace: string, list: { name: string; secretName: string }[]): Promise<string[]> {
      for (const c of list) {
        await kubeCall(`deleting Certificate ${namespace}/${c.name}`, () => applyChange(namespace, { action: 'delete', ...c }));
      }
      return list.map((c) => c.name);
    },
  };
}
