// Postgres pods (Pgpool's backends) run Debian's PostgreSQL as the `postgres` OS user, its data in
// PGDATA=/var/pv/data as KubeDB's image keeps it. The data directory is initialised once per pod name as the
// postgres image's entrypoint does: initdb with the superuser and password of the container's POSTGRES_USER
// / POSTGRES_PASSWORD (from the database's auth Secret), local connections trusted, and every host allowed
// with scram-sha-256 — which is what lets Pgpool (another pod) in with the same credentials.
import { existsSync } from 'node:fs';
import { appendFile, chmod, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import type { ImageContext, ImageProgram } from '../images.ts';
import { giveTo } from '../os-user.ts';

const volume = '/var/pv';
const pgdata = `${volume}/data`;

async function initialise(ctx: ImageContext): Promise<void> {
  const data = join(ctx.dirPath(volume), 'data');
  if (existsSync(join(data, 'PG_VERSION'))) return;
  const password = ctx.env.POSTGRES_PASSWORD;
  if (!password) throw new Error('Database is uninitialized and superuser password is not specified (POSTGRES_PASSWORD is not set)');
  const user = ctx.env.POSTGRES_USER || 'postgres';
  const partial = `${data}.partial`;
  await rm(partial, { recursive: true, force: true });
  // initdb reads the password from a file the postgres user can read; it is removed right after.
  const secretDir = await mkdtemp(join(tmpdir(), 'opsflow-initdb-'));
  const pwfile = join(secretDir, 'pw');
  try {
    await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
    if (userInfo().uid === 0) {
      await giveTo(secretDir, 'postgres');
      await giveTo(pwfile, 'postgres');
    }
    ctx.say(`initialising the data directory for ${ctx.pod.metadata!.name} (superuser ${user})`);
    await ctx.run(ctx.programs.initdb!, ['-D', partial, '-U', user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync'], { user: 'postgres' });
  } finally {
    await rm(secretDir, { recursive: true, force: true });
  }
  await appendFile(join(partial, 'pg_hba.conf'), '\nhost all all all scram-sha-256\n');
  await chmod(partial, 0o700);
  await rename(partial, data);
}

export const postgres: ImageProgram = {
  server: 'PostgreSQL',
  user: 'postgres',
  dirs: [
    { path: volume, persistent: true, owner: 'postgres', mode: 0o700 },
    { path: '/var/run/postgresql', persistent: false, owner: 'postgres', mode: 0o2775 },
    { path: '/tmp', persistent: false, mode: 0o1777 },
  ],
  probe: 'postgres',
  // The postgres image's STOPSIGNAL: a fast shutdown, which does not wait for clients (Pgpool keeps some).
  stopSignal: 'SIGINT',
  prepare: initialise,
  command: (ctx) => [ctx.programs.postgres!, '-D', ctx.env.PGDATA || pgdata, ...(ctx.container.args ?? []), '-c', `listen_addresses=${ctx.podIP}`],
};
