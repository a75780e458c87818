// The Secret a Certificate is stored in, as cert-manager writes it: type kubernetes.io/tls with tls.crt,
// tls.key and ca.crt, annotations that say which Certificate and issuer it came from and what it holds,
// plus spec.secretTemplate's labels and annotations. Anything else the user put on the Secret is kept.
import type { V1Secret } from '@kubernetes/client-node';
import { GROUP, type CMCertificate, type SecretView } from './types.ts';
import { x509 } from './x509.ts';

export const ANNOTATIONS = {
  certificateName: 'cert-manager.io/certificate-name',
  issuerName: 'cert-manager.io/issuer-name',
  issuerKind: 'cert-manager.io/issuer-kind',
  issuerGroup: 'cert-manager.io/issuer-group',
  commonName: 'cert-manager.io/common-name',
  altNames: 'cert-manager.io/alt-names',
  ipSANs: 'cert-manager.io/ip-sans',
  uriSANs: 'cert-manager.io/uri-sans',
} as const;

export interface IssuedData {
  certPem: string;
  keyPem: string;
  caPem: string;
}

/** The Secret to write after an issuance: `existing` (if any) with the new key pair and annotations. */
export function issuedSecret(certificate: CMCertificate, issued: IssuedData, existing?: V1Secret): V1Secret {
  const spec = certificate.spec;
  const template = spec.secretTemplate ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      ...existing?.metadata,
      managedFields: undefined, // the server keeps its own record; sending it back would overwrite it
      name: spec.secretName,
      namespace: certificate.metadata.namespace,
      labels: { ...existing?.metadata?.labels, ...template.labels },
      annotations: { ...existing?.metadata?.annotations, ...template.annotations, ...certificateAnnotations(certificate, issued.certPem) },
    },
    // The type of an existing Secret cannot be changed; cert-manager leaves it as it is.
    type: existing?.type ?? 'kubernetes.io/tls',
    data: {
      ...existing?.data,
      'tls.crt': base64(issued.certPem),
      'tls.key': base64(issued.keyPem),
      'ca.crt': base64(issued.caPem),
    },
  };
}

/** The annotations describe the issued certificate itself (the first of tls.crt, read back) and its issuer. */
function certificateAnnotations(certificate: CMCertificate, certPem: string): Record<string, string> {
  const cert = new x509.X509Certificate(certPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/)![0]);
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.toJSON() ?? [];
  const of = (type: string) => names.filter((n) => n.type === type).map((n) => n.value).join(',');
  const ref = certificate.spec.issuerRef;
  return {
    [ANNOTATIONS.certificateName]: certificate.metadata.name!,
    [ANNOTATIONS.issuerName]: ref.name,
    [ANNOTATIONS.issuerKind]: ref.kind || 'Issuer',
    [ANNOTATIONS.issuerGroup]: ref.group || GROUP,
    [ANNOTATIONS.commonName]: cert.subjectName.getField('2.5.4.3')[0] ?? '',
    [ANNOTATIONS.altNames]: of('dns'),
    [ANNOTATIONS.ipSANs]: of('ip'),
    [ANNOTATIONS.uriSANs]: of('url'),
  };
}

/**
 * The metadata patch that brings spec.secretTemplate onto an up-to-date Secret without re-issuing, or
 * undefined when it is already there. Like cert-manager, template entries are added and updated.
 */
export function secretTemplatePatch(certificate: CMCertificate, secret: SecretView) {
  const template = certificate.spec.secretTemplate ?? {};
  const missing = (want: Record<string, string> | undefined, have: Record<string, string>) =>
    Object.fromEntries(Object.entries(want ?? {}).filter(([k, v]) => have[k] !== v));
  const labels = missing(template.labels, secret.labels);
  const annotations = missing(template.annotations, secret.annotations);
  if (!Object.keys(labels).length && !Object.keys(annotations).length) return undefined;
  return { metadata: { labels, annotations } };
}

/** A Secret as the decision reads it: data decoded, metadata never undefined. */
export const secretView = (secret: V1Secret): SecretView => ({
  name: secret.metadata?.name ?? '',
  labels: secret.metadata?.labels ?? {},
  annotations: secret.metadata?.annotations ?? {},
  data: Object.fromEntries(Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')])),
});

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
