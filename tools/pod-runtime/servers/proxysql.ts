// ProxySQL pods run the ProxySQL stand-in (tools/proxysql; no ProxySQL can be installed here) as KubeDB's
// image runs ProxySQL: in the foreground, its configuration from the mounted `<proxysql>-configuration`
// Secret (/etc/custom-config/proxysql.cnf, which the image's entrypoint reads), its datadir
// /var/lib/proxysql kept per pod name (read the config file only on first start, as ProxySQL does), and —
// when frontend TLS is mounted — the certificates of /var/lib/frontend/server in the datadir. The listen
// address: `--bind-address` takes the place of the 0.0.0.0 of its interface lists.
import { join } from 'node:path';
import type { ImageProgram } from '../images.ts';

const frontendServer = '/var/lib/frontend/server';

export const proxysql: ImageProgram = {
  server: 'ProxySQL stand-in',
  // No /tmp of its own (it serves no Unix socket there): the stand-in runs from the checkout, which may be under
  // /tmp, and a pod's own /tmp would hide it.
  dirs: [{ path: '/var/lib/proxysql', persistent: true, mode: 0o750 }],
  probe: 'mysql',
  stopSignal: 'SIGTERM',
  command: (ctx) => [
    process.execPath,
    join(ctx.repoRoot, 'tools', 'proxysql', 'main.ts'),
    '-f',
    '-c',
    '/etc/custom-config/proxysql.cnf',
    '-D',
    '/var/lib/proxysql',
    '--bind-address',
    ctx.podIP,
    ...((ctx.container.volumeMounts ?? []).some((m) => m.mountPath === frontendServer) ? ['--frontend-certs', frontendServer] : []),
    ...(ctx.container.args ?? []),
  ],
};
