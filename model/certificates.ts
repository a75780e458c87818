// The cert-manager Certificate KubeDB keeps for one alias of a TLS-enabled database: a pure function of the
// database, its profile and the alias, so creating, updating and explaining certificates share one answer.
import type { DatabaseProfile } from './profiles.ts';
import type { Certificate, CertificateSubject, Database, IssuerRef, TLSCertificateSpec } from './types.ts';

const maxNameLength = 63;

/** `<db>-<alias>-cert`, the database part shortened when the whole would pass 63 characters. */
export function certificateName(db: string, alias: string): string {
  const suffix = `-${alias}-cert`;
  return db.slice(0, Math.max(1, maxNameLength - suffix.length)) + suffix;
}

export function certificateSpecFor(db: Database, alias: string): TLSCertificateSpec | undefined {
  return db.spec?.tls?.certificates?.find((c) => c.alias === alias);
}

/** The Secret the certificate of `alias` is written to: the user's `secretName`, else (unset or "", as in kmodules) the certificate's name. */
export function certificateSecretName(db: Database, alias: string): string {
  return certificateSpecFor(db, alias)?.secretName || certificateName(db.metadata.name!, alias);
}

export function serviceDNSNames(db: string, ns: string): string[] {
  return [
    `*.${db}-pods.${ns}.svc`,
    `*.${db}-pods.${ns}.svc.cluster.local`,
    `*.${db}.${ns}.svc`,
    'localhost',
    db,
    `${db}.${ns}.svc`,
  ];
}

const union = (...lists: (string[] | undefined)[]) => {
  const all = lists.flatMap((l) => l ?? []);
  return all.length ? [...new Set(all)] : undefined;
};

function mergeSubject(defaults: CertificateSubject, user: CertificateSubject | undefined): CertificateSubject | undefined {
  const merged: CertificateSubject = { ...defaults };
  for (const [key, value] of Object.entries(user ?? {})) {
    if (value !== undefined && !(Array.isArray(value) && value.length === 0)) {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return Object.keys(merged).length ? merged : undefined;
}

export const certificateLabels = (p: DatabaseProfile, db: string): Record<string, string> => ({
  'app.kubernetes.io/component': p.certificateComponent,
  'app.kubernetes.io/instance': db,
  'app.kubernetes.io/managed-by': 'kubedb.com',
  'app.kubernetes.io/name': `${p.plural}.${p.group}`,
});

const toCertManagerIssuer = (ref: IssuerRef) => ({
  group: ref.apiGroup ?? 'cert-manager.io',
  kind: ref.kind ?? 'Issuer',
  name: ref.name,
});

/**
 * The Certificate for `alias`, as KubeDB creates it: defaults from the profile, the user's per-alias settings
 * (`spec.tls.certificates[]`) merged over them, the alias's own issuerRef over `spec.tls.issuerRef`.
 * Returns undefined when no issuer is known.
 */
export function desiredCertificate(p: DatabaseProfile, db: Database, alias: string): Certificate | undefined {
  const name = db.metadata.name!;
  const ns = db.metadata.namespace!;
  const defaults = p.certificates[alias];
  const user = certificateSpecFor(db, alias);
  const issuer = user?.issuerRef ?? db.spec?.tls?.issuerRef;
  if (!defaults || !issuer) return undefined;
  const subject = mergeSubject(
    { organizations: defaults.organizations, organizationalUnits: defaults.organizationalUnits },
    user?.subject,
  );
  const cleanSubject = subject && Object.fromEntries(Object.entries(subject).filter(([, v]) => v !== undefined));
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: {
      name: certificateName(name, alias),
      namespace: ns,
      labels: certificateLabels(p, name),
      ownerReferences: [
        {
          apiVersion: db.apiVersion ?? `${p.group}/${p.version}`,
          kind: p.kind,
          name,
          uid: db.metadata.uid!,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      secretName: certificateSecretName(db, alias),
      issuerRef: toCertManagerIssuer(issuer),
      commonName: defaults.commonName(name, ns),
      dnsNames: union(defaults.serviceDNSNames ? serviceDNSNames(name, ns) : undefined, user?.dnsNames),
      ipAddresses: union(user?.ipAddresses),
      uris: union(user?.uris),
      emailAddresses: union(user?.emailAddresses),
      duration: user?.duration,
      renewBefore: user?.renewBefore,
      usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
      subject: cleanSubject && Object.keys(cleanSubject).length ? cleanSubject : undefined,
      privateKey: user?.privateKey?.encoding ? { encoding: user.privateKey.encoding } : undefined,
    },
  };
}

/** Drops undefined fields, so the object can be sent as JSON and compared. */
export function withoutUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}
