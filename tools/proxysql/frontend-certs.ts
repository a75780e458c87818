// The entrypoint step of KubeDB's ProxySQL image for frontend TLS (kubedb/proxysql-docker,
// proxysql-entry.sh): the Secret mounted at /var/lib/frontend/server (ca.crt, tls.crt, tls.key) becomes
// the datadir's proxysql-ca.pem, proxysql-cert.pem and proxysql-key.pem. The image copies the files;
// the stand-in links them instead, so that a Secret the kubelet refreshes in place is what the next
// PROXYSQL RELOAD TLS reads.
import { rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tlsFileNames } from './tls-files.ts';

const sources = { ca: 'ca.crt', cert: 'tls.crt', key: 'tls.key' } as const;

export function linkFrontendCerts(certDir: string, datadir: string): void {
  for (const which of ['ca', 'cert', 'key'] as const) {
    const link = join(datadir, tlsFileNames[which]);
    rmSync(link, { force: true });
    symlinkSync(join(resolve(certDir), sources[which]), link);
  }
}
