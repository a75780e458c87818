// What a ReconfigureTLS request asks of a database: which variant it is, and the database's TLS spec after it
// (the request's `tls` merged by alias over what the database has, as KubeDB merges it).
import type { DatabaseProfile } from './profiles.ts';
import type { Database, OpsRequestTLS, TLSCertificateSpec, TLSConfig } from './types.ts';
import { tlsEnabled } from './tls-layout.ts';

export type TLSVariant = 'add' | 'remove' | 'rotate' | 'update' | 'rotate+update';

/** The request changes issuer, certificates or a switch (requireSSL, sslMode, clientAuthMode). */
export function asksForUpdate(p: DatabaseProfile, tls: OpsRequestTLS): boolean {
  return Boolean(tls.issuerRef || tls.certificates?.length || p.tlsSwitches.some((s) => tls[s] !== undefined));
}

export function tlsVariant(p: DatabaseProfile, db: Database, tls: OpsRequestTLS): TLSVariant {
  if (tls.remove) return 'remove';
  const update = asksForUpdate(p, tls);
  if (!tlsEnabled(db) && update) return 'add';
  if (tls.rotateCertificates) return update ? 'rotate+update' : 'rotate';
  return 'update';
}

/** A certificate entry with the request's fields over the database's (fields the request leaves out are kept). */
function mergeCertificate(have: TLSCertificateSpec | undefined, asked: TLSCertificateSpec): TLSCertificateSpec {
  const merged: Record<string, unknown> = { ...(have ?? {}) };
  for (const [field, value] of Object.entries(asked)) if (value !== undefined) merged[field] = value;
  return merged as unknown as TLSCertificateSpec;
}

function mergeTLS(have: TLSConfig | undefined, asked: OpsRequestTLS): TLSConfig {
  const certificates = [...(have?.certificates ?? [])];
  for (const c of asked.certificates ?? []) {
    const i = certificates.findIndex((x) => x.alias === c.alias);
    if (i >= 0) certificates[i] = mergeCertificate(certificates[i], c);
    else certificates.push(mergeCertificate(undefined, c));
  }
  const issuerRef = asked.issuerRef ?? have?.issuerRef;
  return { ...(issuerRef ? { issuerRef } : {}), ...(certificates.length ? { certificates } : {}) };
}

/** The database as it will be once the request is done. */
export function desiredDatabase(p: DatabaseProfile, db: Database, tls: OpsRequestTLS): Database {
  const spec = { ...(db.spec ?? {}) };
  const variant = tlsVariant(p, db, tls);
  if (variant === 'rotate') return db;
  if (variant === 'remove') {
    delete spec.tls;
    delete spec.requireSSL;
    // KubeDB's rule for a Pgpool without TLS: no TLS mode and no certificate login.
    if (p.tlsSwitches.includes('sslMode')) spec.sslMode = 'disable';
    if (p.tlsSwitches.includes('clientAuthMode') && spec.clientAuthMode === 'cert') spec.clientAuthMode = 'md5';
    return { ...db, spec };
  }
  spec.tls = mergeTLS(db.spec?.tls, tls);
  for (const s of p.tlsSwitches) if (tls[s] !== undefined) (spec as Record<string, unknown>)[s] = tls[s];
  // KubeDB's default for a Pgpool that gets TLS without saying how clients should verify it.
  if (variant === 'add' && p.tlsSwitches.includes('sslMode') && tls.sslMode === undefined) spec.sslMode = 'verify-full';
  return { ...db, spec };
}
