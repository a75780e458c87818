// The decision, as cert-manager's trigger policies make it: does this Certificate need a new certificate
// issued, and why? Pure: it looks only at the Certificate, its Secret (decoded) and the time. The checks
// run in cert-manager's order; the first that fires gives the reason. The certificate in the Secret is
// compared with what the spec asks (not a hash of the spec), so a change that would not alter the
// certificate never causes a re-issue, and one that would always does.
import { createPrivateKey, X509Certificate as NodeCertificate } from 'node:crypto';
import { certificateDurationMs } from './duration.ts';
import { encodingOfPem, keyShapeOf, shapeOfKey } from './keys.ts';
import { altNamesOf, readAltNames, readSubject, subjectOf, type AltNames, type SubjectFields } from './names.ts';
import { kubeTime, renewalTime } from './renewal.ts';
import { ANNOTATIONS } from './secret.ts';
import { GROUP, type CMCertificate, type SecretView } from './types.ts';
import { usagesFor } from './usages.ts';
import { x509 } from './x509.ts';

export interface Trigger {
  /** cert-manager's trigger reason: DoesNotExist, MissingData, InvalidKeyPair, SecretMismatch, … */
  reason: string;
  message: string;
  /**
   * Whether the Secret still holds a valid certificate that matches the spec (a renewal or a manual
   * re-issue): then the Certificate stays Ready while the new one is pending, as in cert-manager.
   */
  secretUpToDate: boolean;
}

export interface IssuanceInput {
  certificate: CMCertificate;
  /** The Secret named by spec.secretName, or undefined when it does not exist. */
  secret?: SecretView;
  now: Date;
}

export function needsIssuance({ certificate, secret, now }: IssuanceInput): Trigger | undefined {
  const stale = (reason: string, message: string): Trigger => ({ reason, message, secretUpToDate: false });
  const spec = certificate.spec;
  if (!secret) return stale('DoesNotExist', 'Issuing certificate as Secret does not exist');
  const certPem = secret.data['tls.crt'];
  const keyPem = secret.data['tls.key'];
  if (!certPem) return stale('MissingData', 'Issuing certificate as Secret does not contain a certificate');
  if (!keyPem) return stale('MissingData', 'Issuing certificate as Secret does not contain a private key');

  let cert: x509.X509Certificate;
  let nodeCert: NodeCertificate;
  try {
    nodeCert = new NodeCertificate(certPem);
    cert = new x509.X509Certificate(nodeCert.raw);
  } catch (err) {
    return stale('InvalidCertificate', `Issuing certificate as Secret contains an invalid certificate: ${describe(err)}`);
  }
  let key: ReturnType<typeof createPrivateKey>;
  try {
    key = createPrivateKey(keyPem);
  } catch (err) {
    return stale('InvalidKeyPair', `Issuing certificate as Secret contains an invalid private key: ${describe(err)}`);
  }
  if (!nodeCert.checkPrivateKey(key)) {
    return stale('InvalidKeyPair', 'Issuing certificate as Secret contains a private key that does not match the certificate');
  }

  const keyFields = privateKeyMismatches(certificate, keyPem, key);
  if (keyFields.length) {
    return stale('SecretMismatch', `Issuing certificate as Existing private key is not up to date for spec: [${keyFields.join(' ')}]`);
  }

  const annotations = secret.annotations;
  const ref = spec.issuerRef;
  const wantKind = ref.kind || 'Issuer';
  const wantGroup = ref.group || GROUP;
  const issuerName = annotations[ANNOTATIONS.issuerName] ?? '';
  const issuerKind = annotations[ANNOTATIONS.issuerKind] || 'Issuer';
  const issuerGroup = annotations[ANNOTATIONS.issuerGroup] || GROUP;
  if (issuerName !== ref.name || issuerKind !== wantKind || issuerGroup !== wantGroup) {
    return stale('IncorrectIssuer', `Issuing certificate as Secret was previously issued by ${issuerKind}.${issuerGroup}/${issuerName}`);
  }
  const certificateName = annotations[ANNOTATIONS.certificateName];
  if (certificateName !== undefined && certificateName !== certificate.metadata.name) {
    return stale('IncorrectCertificate', `Issuing certificate as Secret was previously issued for Certificate.${GROUP}/${certificateName}`);
  }

  const specFields = specMismatches(certificate, cert);
  if (specFields.length) {
    return stale('SecretMismatch', `Issuing certificate as Existing issued Secret is not up to date for spec: [${specFields.join(' ')}]`);
  }

  if (now >= cert.notAfter) return stale('Expired', `Certificate expired on ${kubeTime(cert.notAfter)}`);

  const issuing = certificate.status?.conditions?.find((c) => c.type === 'Issuing');
  if (issuing?.status === 'True') {
    return {
      reason: issuing.reason || 'ManuallyTriggered',
      message: issuing.message || 'Issuing certificate as the Issuing condition is True',
      secretUpToDate: true,
    };
  }

  const renewal = renewalTime(cert.notBefore, cert.notAfter, spec);
  if (now >= renewal) {
    return { reason: 'Renewing', message: `Renewing certificate as renewal was scheduled at ${kubeTime(renewal)}`, secretUpToDate: true };
  }
  return undefined;
}

/** The spec fields the private key does not satisfy (rotationPolicy Always: a new key is made anyway). */
function privateKeyMismatches(certificate: CMCertificate, keyPem: string, key: ReturnType<typeof createPrivateKey>): string[] {
  const fields: string[] = [];
  const want = tryOr(() => keyShapeOf(certificate.spec.privateKey), undefined);
  const have = tryOr(() => shapeOfKey(key), undefined);
  if (!want || !have || want.algorithm !== have.algorithm) fields.push('spec.privateKey.algorithm');
  else if (want.size !== have.size) fields.push('spec.privateKey.size');
  if (encodingOfPem(keyPem) !== (certificate.spec.privateKey?.encoding ?? 'PKCS1') && have?.algorithm !== 'Ed25519') {
    fields.push('spec.privateKey.encoding');
  }
  return fields;
}

/** The spec fields the issued certificate does not reflect, named as in the spec. */
function specMismatches(certificate: CMCertificate, cert: x509.X509Certificate): string[] {
  const spec = certificate.spec;
  const fields: string[] = [];

  const want: SubjectFields = subjectOf(spec);
  const have: SubjectFields = readSubject(cert.subjectName);
  if (want.commonName !== have.commonName) fields.push('spec.commonName');
  for (const field of ['organizations', 'countries', 'organizationalUnits', 'localities', 'provinces', 'streetAddresses', 'postalCodes'] as const) {
    if (!sameSet(want[field], have[field])) fields.push(`spec.subject.${field}`);
  }
  if (want.serialNumber !== have.serialNumber) fields.push('spec.subject.serialNumber');

  const wantNames: AltNames = altNamesOf(spec);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const haveNames: AltNames = readAltNames(san ? san.names.toJSON() : []);
  for (const field of ['dnsNames', 'ipAddresses', 'uris', 'emailAddresses'] as const) {
    if (!sameSet(wantNames[field], haveNames[field])) fields.push(`spec.${field}`);
  }

  const wantSeconds = tryOr(() => Math.floor(certificateDurationMs(spec.duration) / 1000), NaN);
  if ((cert.notAfter.getTime() - cert.notBefore.getTime()) / 1000 !== wantSeconds) fields.push('spec.duration');

  const isCA = cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false;
  if (isCA !== !!spec.isCA) fields.push('spec.isCA');

  const wantUsages = tryOr(() => usagesFor(spec), undefined);
  const keyUsage = cert.getExtension(x509.KeyUsagesExtension)?.usages ?? 0;
  const extKeyUsages = (cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages ?? []).map(String);
  if (!wantUsages || wantUsages.keyUsage !== keyUsage || !sameSet(wantUsages.extKeyUsages, extKeyUsages)) fields.push('spec.usages');
  return fields;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sortedB = [...b].sort();
  return a.length === b.length && [...a].sort().every((v, i) => v === sortedB[i]);
}

function tryOr<T, F>(f: () => T, fallback: F): T | F {
  try {
    return f();
  } catch {
    return fallback;
  }
}

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));
