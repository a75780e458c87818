// The control plane's PKI, made with openssl: a CA, the API server's serving certificate, an admin client
// certificate (O=system:masters: superuser under RBAC) and the service-account signing key pair.
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './exec.ts';

export interface Pki {
  dir: string;
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminCert: string;
  adminKey: string;
  saKey: string;
  saPub: string;
}

export const pkiPaths = (dir: string): Pki => ({
  dir,
  ca: join(dir, 'ca.crt'),
  caKey: join(dir, 'ca.key'),
  serverCert: join(dir, 'apiserver.crt'),
  serverKey: join(dir, 'apiserver.key'),
  adminCert: join(dir, 'admin.crt'),
  adminKey: join(dir, 'admin.key'),
  saKey: join(dir, 'sa.key'),
  saPub: join(dir, 'sa.pub'),
});

const openssl = (args: string[], cwd: string) => run('openssl', args, { cwd });

async function signedCert(p: Pki, name: string, subject: string, extensions: string): Promise<void> {
  const ext = join(p.dir, `${name}.ext`);
  await writeFile(ext, extensions);
  await openssl(['genrsa', '-out', `${name}.key`, '2048'], p.dir);
  await openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], p.dir);
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', p.ca, '-CAkey', p.caKey, '-CAcreateserial', '-days', '365', '-extfile', ext, '-out', `${name}.crt`],
    p.dir,
  );
}

/** Creates the PKI under `dir` unless it is already there. */
export async function ensurePki(dir: string): Promise<Pki> {
  const p = pkiPaths(dir);
  if (existsSync(p.saPub)) return p;
  await mkdir(dir, { recursive: true });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p.caKey, '-out', p.ca, '-days', '365', '-subj', '/CN=opsflow-localenv-ca'], dir);
  await signedCert(
    p,
    'apiserver',
    '/CN=kube-apiserver',
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
      'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n',
  );
  await signedCert(p, 'admin', '/O=system:masters/CN=opsflow-admin', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  await openssl(['genrsa', '-out', p.saKey, '2048'], dir);
  await openssl(['rsa', '-in', p.saKey, '-pubout', '-out', p.saPub], dir);
  return p;
}
