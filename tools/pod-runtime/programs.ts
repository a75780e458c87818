// Where the real servers come from: the machine's own packages (Debian's mariadb-server, pgpool2 and
// postgresql; `.ci/run` installs them, a workstation may not have them). Found on PATH, in the sbin folders
// (a non-login shell may lack them on PATH) and, for PostgreSQL, in Debian's versioned
// /usr/lib/postgresql/<major>/bin (the newest major wins).
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export type Program = 'mariadbd' | 'mariadb-install-db' | 'pgpool' | 'postgres' | 'initdb' | 'unshare' | 'setpriv' | 'mount';

/** The Debian package that brings each program (what to install when it is missing). */
export const packageOf: Record<Program, string> = {
  mariadbd: 'mariadb-server',
  'mariadb-install-db': 'mariadb-server',
  pgpool: 'pgpool2',
  postgres: 'postgresql',
  initdb: 'postgresql',
  unshare: 'util-linux',
  setpriv: 'util-linux',
  mount: 'mount',
};

const isExecutable = (file: string) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a))
    .map((v) => join(root, v, 'bin'));
}

export function findProgram(name: Program): string | undefined {
  const dirs = [
    ...(name === 'postgres' || name === 'initdb' ? postgresBinDirs() : []),
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    '/usr/local/sbin',
    '/usr/sbin',
    '/sbin',
  ];
  return dirs.map((d) => join(d, name)).find(isExecutable);
}

export type Programs = Partial<Record<Program, string>>;

export function findPrograms(): { found: Programs; missing: Program[] } {
  const found: Programs = {};
  const missing: Program[] = [];
  for (const name of Object.keys(packageOf) as Program[]) {
    const path = findProgram(name);
    if (path) found[name] = path;
    else missing.push(name);
  }
  return { found, missing };
}
