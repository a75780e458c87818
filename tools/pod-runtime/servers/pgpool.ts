// Pgpool pods run Debian's pgpool2 in the foreground (-n), configured as a Pgpool image's entrypoint does it
// (pgpool/pgpool's, which KubeDB's follows): the mounted configuration (`/config/pgpool.conf` and
// `/config/pool_hba.conf`, from the `<pgpool>-config` Secret the provisioner renders) is copied into the
// image's own /etc/pgpool2 before start, and pool_passwd there gets the backend user of the container's
// POSTGRES_USERNAME / POSTGRES_PASSWORD.
//
// The copy is also where the runtime's one change goes: pgpool has no command-line flag for its listen
// address, and the mounted file says `listen_addresses = *` — in a pod's own network namespace that is the
// pod's address, but here every pod shares the machine's loopback, so the copy says the pod IP instead
// (for pcp_listen_addresses too). The mounted file itself is left as the Secret has it.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageContext, ImageProgram } from '../images.ts';
import { giveTo } from '../os-user.ts';

const configDir = '/config';
const etc = '/etc/pgpool2';

/** `conf` with listen_addresses and pcp_listen_addresses set to `ip` (replaced where they stand, else added). */
export function listenOn(conf: string, ip: string): string {
  let out = conf.replace(/\n?$/, '\n');
  for (const key of ['listen_addresses', 'pcp_listen_addresses']) {
    const line = `${key} = '${ip}'`;
    const re = new RegExp(`^\\s*${key}\\s*=.*$`, 'm');
    out = re.test(out) ? out.replace(new RegExp(`^\\s*${key}\\s*=.*$`, 'gm'), line) : `${out}${line}\n`;
  }
  return out;
}

/**
 * pool_passwd with the backend user's password in clear text (pgpool's `TEXT` prefix): with it pgpool can
 * answer md5 and scram-sha-256 logins of clients and log in to PostgreSQL's scram-sha-256 itself.
 */
export const poolPasswd = (user: string, password: string) => `${user}:TEXT${password}\n`;

async function configure(ctx: ImageContext): Promise<void> {
  const mounted = ctx.hostPath(`${configDir}/pgpool.conf`);
  if (!mounted) throw new Error(`no configuration mounted at ${configDir} (pgpool.conf)`);
  const own = ctx.dirPath(etc);
  const user = ctx.env.POSTGRES_USERNAME;
  const password = ctx.env.POSTGRES_PASSWORD;
  const files: [string, string, number][] = [
    ['pgpool.conf', listenOn(await readFile(mounted, 'utf8'), ctx.podIP), 0o644],
    ['pool_passwd', user && password ? poolPasswd(user, password) : '', 0o600],
    ['pcp.conf', '', 0o644],
  ];
  for (const [name, content, mode] of files) {
    await writeFile(join(own, name), content, { mode });
    await giveTo(join(own, name), 'postgres'); // the image's USER reads them
  }
  if (!user || !password) ctx.say('POSTGRES_USERNAME / POSTGRES_PASSWORD not set: pool_passwd is empty, password logins will fail');
}

export const pgpool: ImageProgram = {
  server: 'pgpool-II',
  user: 'postgres',
  dirs: [
    { path: etc, persistent: false, owner: 'postgres', mode: 0o755 },
    { path: '/var/run/pgpool', persistent: false, owner: 'postgres', mode: 0o755 },
    { path: '/tmp', persistent: false, mode: 0o1777 },
  ],
  probe: 'postgres',
  // Fast shutdown: pgpool's smart mode (SIGTERM) would wait for every client to disconnect.
  stopSignal: 'SIGINT',
  prepare: configure,
  command: (ctx) => [ctx.programs.pgpool!, '-n', '-f', `${etc}/pgpool.conf`, '-a', `${configDir}/pool_hba.conf`, '-F', `${etc}/pcp.conf`, ...(ctx.container.args ?? [])],
};
