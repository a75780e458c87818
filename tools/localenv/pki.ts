// The control plane's PKI, made with openssl: a CA, the API server's serving certificate, an admin client
// certificate (O=system:masters: superuser under RBAC), the service-account signing key pair, and the serving
// certificate of cert-manager's webhook (IP SAN 127.0.0.1: the API server calls it at https://127.0.0.1:<port>,
// and trusts it through the CA, which the webhook configurations carry as their caBundle).
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
  webhookCert: string;
  webhookKey: string;
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
  webhookCert: join(dir, 'cert-manager-webhook.crt'),
  webhookKey: join(dir, 'cert-manager-webhook.key'),
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

/**
 * Creates under `dir` what is missing of the PKI; the rest is kept (a running environment made by an older
 * version gains the pieces it lacks, signed by its CA).
 */
export async function ensurePki(dir: string): Promise<Pki> {
  const p = pkiPaths(dir);
  await mkdir(dir, { recursive: true });
  if (!existsSync(p.ca)) {
    await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', p.caKey, '-out', p.ca, '-days', '365', '-subj', '/CN=opsflow-localenv-ca'], dir);
  }
  const server = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n';
  if (!existsSync(p.serverCert)) {
    await signedCert(
      p,
      'apiserver',
      '/CN=kube-apiserver',
      server +
        'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n',
    );
  }
  if (!existsSync(p.adminCert)) {
    await signedCert(p, 'admin', '/O=system:masters/CN=opsflow-admin', 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  }
  if (!existsSync(p.saPub)) {
    await openssl(['genrsa', '-out', p.saKey, '2048'], dir);
    await openssl(['rsa', '-in', p.saKey, '-pubout', '-out', p.saPub], dir);
  }
  if (!existsSync(p.webhookCert)) {
    await signedCert(p, 'cert-manager-webhook', '/CN=cert-manager-webhook', server + 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  }
  return p;
}
