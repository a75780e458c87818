// The frontend's TLS material: <datadir>/proxysql-ca.pem, proxysql-cert.pem, proxysql-key.pem, handled as
// ProxySQL's src/proxy_tls.cpp (ssl_mkit, ProxySQL_create_or_load_TLS) does:
//   at start (whatever mysql-have_ssl says): none of the three files -> generate a key (RSA 2048), a CA
//     "ProxySQL_Auto_Generated_CA_Certificate" and a server certificate
//     "ProxySQL_Auto_Generated_Server_Certificate" signed by it, 3650 days, and write them; some but not
//     all -> "Only some SSL files are present. Either all files are present, or none." and stop; all
//     three -> load them, and stop if they do not load;
//   on PROXYSQL RELOAD TLS: all three must be present and load, or the command fails with ProxySQL's
//     message and the loaded material stays as it was.
// Only the first certificate of proxysql-cert.pem is served (PEM_read_bio_X509 reads one); the CA file is
// what client certificates would be checked against (ProxySQL requests one and accepts any).
import 'reflect-metadata';
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { accessSync, constants, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto);

export const tlsFileNames = { ca: 'proxysql-ca.pem', cert: 'proxysql-cert.pem', key: 'proxysql-key.pem' } as const;

export interface TlsMaterial {
  context: SecureContext;
  /** The certificate served to clients (PEM). */
  certificate: string;
}

/** At start: generate, load, or refuse, as ProxySQL does. */
export async function bootstrapTls(datadir: string): Promise<{ material: TlsMaterial; generated: boolean }> {
  const present = presentFiles(datadir);
  if (present.length === 0) {
    await generate(datadir);
    return { material: load(datadir), generated: true };
  }
  if (present.length !== 3) throw new Error(`Only some SSL files are present. Either all files are present, or none. Exiting. (${describe(present)})`);
  return { material: load(datadir), generated: false };
}

/** PROXYSQL RELOAD TLS: the new material, or an Error carrying ProxySQL's message. */
export function reloadTls(datadir: string): TlsMaterial {
  const present = presentFiles(datadir);
  if (present.length !== 3) throw new Error(`RELOAD TLS failed: ${present.length} TLS files are present. Expected: 3`);
  return load(datadir);
}

function presentFiles(datadir: string): string[] {
  return Object.values(tlsFileNames).filter((name) => {
    try {
      accessSync(join(datadir, name), constants.R_OK); // access(R_OK): a dangling symlink counts as absent
      return true;
    } catch {
      return false;
    }
  });
}

function describe(present: string[]): string {
  return Object.values(tlsFileNames)
    .map((name) => `${name} : ${present.includes(name) ? 'YES' : 'NO'}`)
    .join(', ');
}

function load(datadir: string): TlsMaterial {
  const path = (name: string) => join(datadir, name);
  const keyFile = path(tlsFileNames.key);
  const certFile = path(tlsFileNames.cert);
  const caFile = path(tlsFileNames.ca);
  const keyPem = read(keyFile);
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new Error(`Error on PEM_read_bio_PrivateKey() for ${keyFile}`);
  }
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(read(certFile))?.[0];
  let cert;
  try {
    cert = new X509Certificate(certificate ?? '');
  } catch {
    throw new Error(`Error on PEM_read_bio_X509() for ${certFile}`);
  }
  if (!certificate || !cert.checkPrivateKey(key)) throw new Error('Private key does not match the public certificate');
  try {
    return { context: createSecureContext({ key: keyPem, cert: certificate, ca: read(caFile) }), certificate };
  } catch {
    throw new Error('Unable to load CA certificates location for verification');
  }
}

function read(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new Error(`Error on BIO_new_file() while reading ${file}`);
  }
}

async function generate(datadir: string): Promise<void> {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const seconds = Math.floor(Date.now() / 1000);
  const notBefore = new Date(seconds * 1000);
  const notAfter = new Date((seconds + 3650 * 24 * 3600) * 1000);
  const serialNumber = seconds.toString(16).padStart(8, '0'); // ProxySQL uses time(NULL) as the serial
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber,
    name: 'CN=ProxySQL_Auto_Generated_CA_Certificate',
    notBefore,
    notAfter,
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  const server = await x509.X509CertificateGenerator.create({
    serialNumber,
    subject: 'CN=ProxySQL_Auto_Generated_Server_Certificate',
    issuer: ca.subject,
    notBefore,
    notAfter,
    publicKey: keys.publicKey,
    signingKey: keys.privateKey,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true)],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey)).toString('base64');
  const keyPem = `-----BEGIN PRIVATE KEY-----\n${pkcs8.match(/.{1,64}/g)?.join('\n')}\n-----END PRIVATE KEY-----\n`;
  // A link left by --frontend-certs whose target is gone (TLS removed from the pod) counts as absent; the
  // generated file takes its place instead of being written through it.
  for (const name of Object.values(tlsFileNames)) rmSync(join(datadir, name), { force: true });
  writeFileSync(join(datadir, tlsFileNames.key), keyPem, { mode: 0o600 });
  writeFileSync(join(datadir, tlsFileNames.ca), `${ca.toString('pem')}\n`);
  writeFileSync(join(datadir, tlsFileNames.cert), `${server.toString('pem')}\n`);
}
