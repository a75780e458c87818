// cert-manager Certificates of a database: create the ones KubeDB would (for a database created with TLS),
// list them, and re-issue one the way `cmctl renew` does. Only names, serials and fingerprints leave these
// functions: no certificate body or key ever enters workflow history.
import { X509Certificate } from 'node:crypto';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { desiredCertificate, withoutUndefined } from '../model/certificates.ts';
import { findCondition, upsertCondition } from '../model/conditions.ts';
import { labelSelector, profiles } from '../model/profiles.ts';
import type { Certificate, Database } from '../model/types.ts';
import { isConflict, isNotFound, type Kube } from '../platform/kube.ts';
import { readCustom, updateStatus, type CustomResource } from '../platform/status.ts';
import { waitFor } from '../platform/watch.ts';
import { asActivityFailure, kubeCall } from './failures.ts';
import { whileHeartbeating } from './heartbeat.ts';
import type { DatabaseRef } from './refs.ts';
import { databaseResource } from './resources.ts';

export interface CertificateFacts {
  name: string;
  secretName: string;
  /** Serial of the certificate the Secret holds now (hex, upper case), if any. */
  serial?: string;
  revision?: number;
}

export interface Reissued {
  name: string;
  oldSerial?: string;
  newSerial: string;
  fingerprint: string;
  revision: number;
  notAfter: string;
}

const certificateResource = (namespace: string, name: string): CustomResource => ({
  group: 'cert-manager.io',
  version: 'v1',
  plural: 'certificates',
  namespace,
  name,
});

const certificates = (namespace: string) => ({
  apiVersion: 'cert-manager.io/v1',
  kind: 'Certificate',
  plural: 'certificates',
  namespace,
});

/** The certificate a TLS Secret holds: serial and SHA-256 fingerprint (never the body). */
async function secretCertificate(kube: Kube, namespace: string, secretName: string) {
  try {
    const secret = await kube.core.readNamespacedSecret({ namespace, name: secretName });
    const pem = secret.data?.['tls.crt'];
    if (!pem) return undefined;
    const cert = new X509Certificate(Buffer.from(pem, 'base64'));
    return { serial: cert.serialNumber.toUpperCase(), fingerprint: cert.fingerprint256, notAfter: new Date(cert.validTo).toISOString() };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export function certificateActivities(kube: Kube) {
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

    /** The database's Certificates (labelled as KubeDB labels them and owned by the database), with current serials. */
    async listDatabaseCertificates(ref: DatabaseRef): Promise<CertificateFacts[]> {
      const p = profiles[ref.kind];
      const db = await kubeCall(`reading ${ref.kind} ${ref.namespace}/${ref.name}`, () => readCustom<Database>(kube, databaseResource(ref)));
      const list = await kubeCall(`listing Certificates of ${ref.kind} ${ref.namespace}/${ref.name}`, () =>
        kube.custom.listNamespacedCustomObject({
          group: 'cert-manager.io',
          version: 'v1',
          plural: 'certificates',
          namespace: ref.namespace,
          labelSelector: labelSelector({ 'app.kubernetes.io/instance': ref.name, 'app.kubernetes.io/name': `${p.plural}.${p.group}` }),
        }),
      );
      const owned = (list.items as Certificate[]).filter((c) => c.metadata.ownerReferences?.some((o) => o.uid === db.metadata.uid));
      if (owned.length === 0) {
        throw ApplicationFailure.nonRetryable(
          `${ref.kind} ${ref.namespace}/${ref.name} has no cert-manager Certificates to rotate (none labelled app.kubernetes.io/instance=${ref.name} and owned by it)`,
          'NoCertificates',
        );
      }
      const facts: CertificateFacts[] = [];
      for (const c of owned.sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))) {
        const current = await kubeCall(`reading Secret ${c.spec.secretName}`, () => secretCertificate(kube, ref.namespace, c.spec.secretName));
        facts.push({ name: c.metadata.name!, secretName: c.spec.secretName, serial: current?.serial, revision: c.status?.revision });
      }
      return facts;
    },

    /**
     * Re-issues a Certificate now: sets its Issuing condition (reason ManuallyTriggered, as `cmctl renew`
     * does), then waits, watching, until cert-manager is done (Issuing gone, Ready, revision past the one
     * before) and the Secret holds a certificate with a new serial. A retry after a trigger that already
     * happened does not trigger again: the revision it started from is kept in the heartbeat details.
     */
    async reissueCertificate(namespace: string, name: string): Promise<Reissued> {
      const r = certificateResource(namespace, name);
      const what = `Certificate ${namespace}/${name}`;
      const resumed = Context.current().info.heartbeatDetails as { revision: number; serial?: string } | undefined;
      const before = resumed ?? (await kubeCall(`reading ${what}`, async () => {
        const cert = await readCustom<Certificate>(kube, r);
        const current = await secretCertificate(kube, namespace, cert.spec.secretName);
        return { revision: cert.status?.revision ?? 0, serial: current?.serial };
      }));
      Context.current().heartbeat(before); // before triggering: a retry must know where it started from
      await kubeCall(`triggering re-issue of ${what}`, () =>
        updateStatus<Certificate>(kube, r, (cur) => {
          if ((cur.status?.revision ?? 0) > before.revision) return undefined; // already re-issued
          if (findCondition(cur.status?.conditions, 'Issuing')?.status === 'True') return undefined;
          const conditions = upsertCondition(
            cur.status?.conditions,
            { type: 'Issuing', status: 'True', reason: 'ManuallyTriggered', message: 'Certificate re-issuance manually triggered by opsflow', observedGeneration: cur.metadata.generation },
            new Date().toISOString(),
          );
          return { ...cur.status, conditions };
        }),
      );
      const issued = await whileHeartbeating(
        (signal) =>
          waitFor<Certificate, Certificate>(
            kube,
            certificates(namespace),
            { fieldSelector: `metadata.name=${name}` },
            ([cert]) => {
              if (!cert) throw ApplicationFailure.nonRetryable(`${what} was deleted while being re-issued`, 'CertificateDeleted');
              const issuing = findCondition(cert.status?.conditions, 'Issuing')?.status === 'True';
              const ready = findCondition(cert.status?.conditions, 'Ready');
              const done = !issuing && ready?.status === 'True' && (cert.status?.revision ?? 0) > before.revision;
              return done ? cert : undefined;
            },
            signal,
          ),
        () => before,
      );
      const now = await kubeCall(`reading Secret ${issued.spec.secretName}`, () => secretCertificate(kube, namespace, issued.spec.secretName));
      if (!now || now.serial === before.serial) {
        throw ApplicationFailure.retryable(`${what}: revision ${issued.status?.revision} was issued but Secret ${issued.spec.secretName} does not hold a new certificate yet`, 'SecretNotUpdated');
      }
      return { name, oldSerial: before.serial, newSerial: now.serial, fingerprint: now.fingerprint, revision: issued.status!.revision!, notAfter: now.notAfter };
    },
  };
}
