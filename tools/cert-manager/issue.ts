// Issuance, given a Certificate spec and either a CA key pair (CA issuer) or none (self-signed issuer):
// a fresh private key, a fresh random serial, and an X.509 certificate built the way cert-manager's
// certificate template does (subject, SANs, usages, basicConstraints, validity). No Kubernetes here.
import { createPrivateKey, randomBytes, X509Certificate as NodeCertificate } from 'node:crypto';
import { isIP } from 'node:net';
import { certificateDurationMs } from './duration.ts';
import { encodePrivateKey, generateKey, importSigningKey, keyShapeOf, shapeOfKey, type SigningKey } from './keys.ts';
import { altNamesOf, generalNames, isEmptySubject, subjectName, subjectOf } from './names.ts';
import type { CertificateSpec } from './types.ts';
import { usagesFor } from './usages.ts';
import { x509 } from './x509.ts';

/** The CA Secret's tls.crt (the CA certificate, possibly followed by its own chain) and tls.key. */
export interface CAKeyPair {
  certPem: string;
  keyPem: string;
}

export interface Issued {
  /** tls.crt: the new certificate, followed by the CA's chain up to (not including) a self-signed root. */
  certPem: string;
  /** tls.key, in the requested encoding. */
  keyPem: string;
  /** ca.crt: the root of the chain (the certificate itself when self-signed). */
  caPem: string;
  notBefore: Date;
  notAfter: Date;
  /** Upper-case hex, as `openssl x509 -serial` and node's X509Certificate print it. */
  serialNumber: string;
}

/**
 * `currentKeyPem` is the Secret's existing tls.key: with privateKey.rotationPolicy Never it is reused when
 * it still has the algorithm and size the spec asks for; otherwise (Always, cert-manager's default since
 * 1.18) every issuance gets a new key.
 */
export async function issue(spec: CertificateSpec, ca?: CAKeyPair, now = new Date(), currentKeyPem?: string): Promise<Issued> {
  const subject = subjectOf(spec);
  const altNames = altNamesOf(spec);
  const bad = altNames.ipAddresses.find((ip) => !isIP(ip));
  if (bad !== undefined) throw new Error(`invalid IP address ${JSON.stringify(bad)}`);
  const sans = generalNames(altNames);
  if (isEmptySubject(subject) && sans.length === 0) {
    throw new Error('the certificate would have neither a subject nor any subject alternative name');
  }
  const usages = usagesFor(spec);
  const key = await privateKeyFor(spec, currentKeyPem);
  const signer = ca ? await caSigner(ca) : undefined;

  // Validity is whole seconds in X.509; start now, end `duration` later (cert-manager does not cap it at
  // the CA's own expiry: its documentation says CA issuers may issue certificates that outlive the CA).
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000);
  const notAfter = new Date(notBefore.getTime() + Math.floor(certificateDurationMs(spec.duration) / 1000) * 1000);

  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(!!spec.isCA, undefined, true)];
  if (usages.keyUsage) extensions.push(new x509.KeyUsagesExtension(usages.keyUsage, true));
  if (usages.extKeyUsages.length) extensions.push(new x509.ExtendedKeyUsageExtension(usages.extKeyUsages, false));
  // RFC 5280 4.2.1.6: with an empty subject the SAN extension must be critical.
  if (sans.length) extensions.push(new x509.SubjectAlternativeNameExtension(sans, isEmptySubject(subject)));
  // As Go's x509: a CA gets a subject key identifier; a certificate signed by a CA that has one names it.
  if (spec.isCA) extensions.push(await x509.SubjectKeyIdentifierExtension.create(key.publicKey));
  if (signer?.keyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(signer.keyId));

  const name = new x509.Name(subjectName(subject));
  const signing: SigningKey = signer?.key ?? key;
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: name,
    issuer: signer?.certificate.subjectName ?? name,
    notBefore,
    notAfter,
    publicKey: key.publicKey,
    signingKey: signing.privateKey,
    signingAlgorithm: signing.signingAlgorithm,
    extensions,
  });

  const leafPem = pem(certificate);
  const { chainPem, caPem } = splitChain([leafPem, ...(signer?.chain ?? [])]);
  return {
    certPem: chainPem,
    keyPem: await encodePrivateKey(key.privateKey, spec.privateKey?.encoding),
    caPem,
    notBefore,
    notAfter,
    serialNumber: new NodeCertificate(leafPem).serialNumber.toUpperCase(),
  };
}

async function privateKeyFor(spec: CertificateSpec, currentKeyPem?: string): Promise<SigningKey> {
  const shape = keyShapeOf(spec.privateKey);
  if (spec.privateKey?.rotationPolicy === 'Never' && currentKeyPem) {
    const current = tryParseKey(currentKeyPem);
    if (current) {
      const have = shapeOfKey(current);
      if (have.algorithm === shape.algorithm && have.size === shape.size) return importSigningKey(currentKeyPem);
    }
  }
  return generateKey(shape);
}

function tryParseKey(pem: string) {
  try {
    return createPrivateKey(pem);
  } catch {
    return undefined;
  }
}

interface CASigner {
  certificate: x509.X509Certificate;
  chain: string[];
  key: SigningKey;
  keyId?: string;
}

/** Loads and checks the CA key pair: it must be a CA certificate and the key must be its key. */
async function caSigner(ca: CAKeyPair): Promise<CASigner> {
  const chain = pemBlocks(ca.certPem);
  if (chain.length === 0) throw new Error('the CA tls.crt holds no PEM certificate');
  const caCert = new NodeCertificate(chain[0]!);
  if (!caCert.ca) throw new Error('the CA tls.crt is not a CA certificate (basicConstraints CA:TRUE missing)');
  if (!caCert.checkPrivateKey(createPrivateKey(ca.keyPem))) throw new Error('the CA tls.key does not match its tls.crt');
  const certificate = new x509.X509Certificate(chain[0]!);
  const keyId = certificate.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  return { certificate, chain, key: await importSigningKey(ca.keyPem), keyId };
}

/**
 * cert-manager's ParseSingleCertificateChain: when the chain ends in a self-signed root, the root is
 * ca.crt and is left out of tls.crt; otherwise the top-most certificate is ca.crt and tls.crt keeps it.
 */
export function splitChain(chain: string[]): { chainPem: string; caPem: string } {
  const top = chain.at(-1)!;
  const topCert = new NodeCertificate(top);
  const selfSigned = topCert.issuer === topCert.subject && topCert.verify(topCert.publicKey);
  const kept = selfSigned && chain.length > 1 ? chain.slice(0, -1) : chain;
  return { chainPem: kept.join(''), caPem: top };
}

export const pemBlocks = (text: string): string[] =>
  (text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => `${b}\n`);

const pem = (certificate: x509.X509Certificate) => `${certificate.toString('pem').trim()}\n`;

/** 128 random bits, positive and non-zero as RFC 5280 requires (cert-manager draws from [0, 2^128)). */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex');
}
