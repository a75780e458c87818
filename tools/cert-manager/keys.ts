// Private keys as cert-manager makes them: RSA (2048 by default), ECDSA (P-256 by default) or Ed25519;
// PEM in PKCS#1 (RSA PRIVATE KEY / EC PRIVATE KEY, the default) or PKCS#8. Keys are generated with
// WebCrypto (which @peculiar/x509 signs with) and re-encoded with node:crypto.
import { createPrivateKey, createPublicKey, webcrypto, type KeyObject } from 'node:crypto';
import type { CertificateSpec } from './types.ts';

type CryptoKey = webcrypto.CryptoKey;

type KeySpec = NonNullable<CertificateSpec['privateKey']>;

export interface KeyShape {
  algorithm: 'RSA' | 'ECDSA' | 'Ed25519';
  size: number;
}

const CURVES: Record<number, string> = { 256: 'P-256', 384: 'P-384', 521: 'P-521' };
const CURVE_SIZES: Record<string, number> = { 'P-256': 256, 'P-384': 384, 'P-521': 521, prime256v1: 256, secp384r1: 384, secp521r1: 521 };
// Go signs with the hash that matches the curve's strength.
const CURVE_HASH: Record<number, string> = { 256: 'SHA-256', 384: 'SHA-384', 521: 'SHA-512' };

/** What the spec asks for, with cert-manager's defaults; throws on what its webhook would reject. */
export function keyShapeOf(spec?: KeySpec): KeyShape {
  const algorithm = spec?.algorithm ?? 'RSA';
  if (algorithm === 'RSA') {
    const size = spec?.size ?? 2048;
    if (size < 2048 || size > 8192) throw new Error(`RSA key size ${size} is not within 2048..8192`);
    return { algorithm, size };
  }
  if (algorithm === 'ECDSA') {
    const size = spec?.size ?? 256;
    if (!CURVES[size]) throw new Error(`ECDSA key size ${size} is not one of 256, 384, 521`);
    return { algorithm, size };
  }
  if (algorithm === 'Ed25519') return { algorithm, size: 0 };
  throw new Error(`unsupported private key algorithm ${JSON.stringify(algorithm)}`);
}

/** The WebCrypto algorithm for a key of this shape: how it is generated/imported and how it signs. */
function webAlgorithm(shape: KeyShape) {
  switch (shape.algorithm) {
    case 'RSA':
      return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: shape.size, publicExponent: new Uint8Array([1, 0, 1]) };
    case 'ECDSA':
      return { name: 'ECDSA', namedCurve: CURVES[shape.size]!, hash: CURVE_HASH[shape.size]! };
    case 'Ed25519':
      return { name: 'Ed25519' };
  }
}

export interface SigningKey {
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Pass as signingAlgorithm to @peculiar/x509. */
  signingAlgorithm: webcrypto.Algorithm;
}

export async function generateKey(shape: KeyShape): Promise<SigningKey> {
  const algorithm = webAlgorithm(shape);
  const pair = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return { ...pair, signingAlgorithm: algorithm };
}

/** A PEM private key (PKCS#1, SEC1 or PKCS#8) as a key that can sign certificates. */
export async function importSigningKey(pem: string): Promise<SigningKey> {
  const key = createPrivateKey(pem);
  const algorithm = webAlgorithm(shapeOfKey(key));
  const der = key.export({ type: 'pkcs8', format: 'der' });
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, algorithm, true, ['sign']);
  const spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
  const publicKey = await webcrypto.subtle.importKey('spki', spki, algorithm, true, ['verify']);
  return { privateKey, publicKey, signingAlgorithm: algorithm };
}

export function shapeOfKey(key: KeyObject): KeyShape {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { algorithm: 'RSA', size: details.modulusLength ?? 0 };
    case 'ec':
      return { algorithm: 'ECDSA', size: CURVE_SIZES[details.namedCurve ?? ''] ?? 0 };
    case 'ed25519':
      return { algorithm: 'Ed25519', size: 0 };
    default:
      throw new Error(`unsupported key type ${key.asymmetricKeyType}`);
  }
}

/** PKCS1 means RSA PRIVATE KEY for RSA and EC PRIVATE KEY for ECDSA; Ed25519 has only PKCS#8 (as in cert-manager). */
export async function encodePrivateKey(privateKey: CryptoKey, encoding: 'PKCS1' | 'PKCS8' = 'PKCS1'): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', privateKey));
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  if (encoding === 'PKCS1' && key.asymmetricKeyType === 'rsa') return key.export({ type: 'pkcs1', format: 'pem' }) as string;
  if (encoding === 'PKCS1' && key.asymmetricKeyType === 'ec') return key.export({ type: 'sec1', format: 'pem' }) as string;
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** The encoding a PEM key is in, by its header. */
export const encodingOfPem = (pem: string): 'PKCS1' | 'PKCS8' =>
  /-----BEGIN (RSA|EC) PRIVATE KEY-----/.test(pem) ? 'PKCS1' : 'PKCS8';
