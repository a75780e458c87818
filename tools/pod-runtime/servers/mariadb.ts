// MySQL and PerconaXtraDB pods run Debian's MariaDB (mariadbd), with the machine's /etc/mysql config as the
// image's, as the `mysql` OS user (the image's USER). Its data directory is initialised once per pod name,
// the way the MySQL image's entrypoint does on first start: a fresh system schema (copied from a pristine
// one made with mariadb-install-db once per environment — much faster than installing per pod, and copied
// sparse: most of it is the empty redo log), then the root user of the database's auth Secret (the
// container's MYSQL_ROOT_USERNAME / MYSQL_ROOT_PASSWORD) with its password for every host it may come from:
// `%`, and the `localhost` / `127.0.0.1` accounts that an install keeps for itself.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageContext, ImageProgram } from '../images.ts';

const dataDir = '/var/lib/mysql';

let template: Promise<string> | undefined;

/** The pristine data directory (made once per environment; concurrent first pods wait for the same one). */
function pristine(ctx: ImageContext): Promise<string> {
  template ??= (async () => {
    const dir = join(ctx.templates, 'mariadb');
    if (existsSync(join(dir, 'mysql'))) return dir;
    const partial = `${dir}.partial-${process.pid}`;
    await rm(partial, { recursive: true, force: true });
    await mkdir(ctx.templates, { recursive: true });
    ctx.say(`making the pristine MariaDB data directory ${dir}`);
    await ctx.run(ctx.programs['mariadb-install-db']!, ['--no-defaults', `--datadir=${partial}`, '--user=mysql', '--skip-test-db']);
    await rm(dir, { recursive: true, force: true });
    await rename(partial, dir);
    return dir;
  })().catch((err) => {
    template = undefined;
    throw err;
  });
  return template;
}

const sqlString = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;

/** The accounts of the auth Secret's user, with its password, for every host it may connect from. */
export function rootAccountsSql(user: string, password: string): string {
  const pw = sqlString(password);
  const grant = (host: string) => `GRANT ALL PRIVILEGES ON *.* TO ${sqlString(user)}@${sqlString(host)} WITH GRANT OPTION;`;
  const create = (host: string) => `CREATE USER IF NOT EXISTS ${sqlString(user)}@${sqlString(host)} IDENTIFIED BY ${pw};`;
  return [
    'FLUSH PRIVILEGES;', // bootstrap mode starts without the grant tables; this loads them so accounts can be made
    user === 'root'
      ? `ALTER USER 'root'@'localhost' IDENTIFIED VIA mysql_native_password USING PASSWORD(${pw}) OR unix_socket;`
      : `${create('localhost')} ${grant('localhost')}`,
    create('127.0.0.1'),
    grant('127.0.0.1'),
    create('%'),
    grant('%'),
    '',
  ].join('\n');
}

async function initialise(ctx: ImageContext): Promise<void> {
  const data = ctx.dirPath(dataDir);
  if (existsSync(join(data, 'mysql'))) return;
  const password = ctx.env.MYSQL_ROOT_PASSWORD;
  if (!password) throw new Error('Database is uninitialized and password option is not specified (MYSQL_ROOT_PASSWORD is not set)');
  const user = ctx.env.MYSQL_ROOT_USERNAME || 'root';
  const from = await pristine(ctx);
  const partial = `${data}.partial`;
  await rm(partial, { recursive: true, force: true });
  ctx.say(`initialising the data directory for ${ctx.pod.metadata!.name} (user ${user})`);
  await ctx.run('cp', ['-a', '--sparse=always', from, partial]);
  await ctx.run(ctx.programs.mariadbd!, ['--no-defaults', `--datadir=${partial}`, '--bootstrap', '--skip-networking', '--log-warnings=0'], {
    input: rootAccountsSql(user, password),
    user: 'mysql',
  });
  await rm(data, { recursive: true, force: true });
  await rename(partial, data);
}

export const mariadb: ImageProgram = {
  server: 'MariaDB',
  user: 'mysql',
  dirs: [
    { path: dataDir, persistent: true, owner: 'mysql', mode: 0o750 },
    { path: '/run/mysqld', persistent: false, owner: 'mysql', mode: 0o755 },
    { path: '/tmp', persistent: false, mode: 0o1777 },
  ],
  probe: 'mysql',
  stopSignal: 'SIGTERM',
  prepare: initialise,
  // Last on the line, so it wins over the config files and the arguments.
  command: (ctx) => [ctx.programs.mariadbd!, ...(ctx.container.args ?? []), `--bind-address=${ctx.podIP}`],
};

/**
 * PerconaXtraDB's image reads option files from /etc/mysql/custom.conf.d too (where KubeDB mounts a custom
 * configuration): its own my.cnf includes the folder, which is always there, empty unless a Secret is mounted.
 * Here that include is a file of the image's, read after the machine's (mariadbd --defaults-extra-file).
 */
const perconaConfig = '/etc/mysql/percona-image';
export const perconaxtradb: ImageProgram = {
  ...mariadb,
  dirs: [...mariadb.dirs, { path: '/etc/mysql/custom.conf.d', persistent: false, mode: 0o755 }, { path: perconaConfig, persistent: false, mode: 0o755 }],
  prepare: async (ctx) => {
    await writeFile(join(ctx.dirPath(perconaConfig), 'my.cnf'), '[mysqld]\n!includedir /etc/mysql/custom.conf.d/\n', { mode: 0o644 });
    await initialise(ctx);
  },
  command: (ctx) => [ctx.programs.mariadbd!, `--defaults-extra-file=${perconaConfig}/my.cnf`, ...(ctx.container.args ?? []), `--bind-address=${ctx.podIP}`],
};
