// The pods' folder of the environment's state (.localenv/pods). The servers run as their own system users
// (MariaDB as mysql, Postgres and Pgpool as postgres), and the helpers that initialise their data
// (mariadb-install-db, MariaDB's bootstrap, initdb) open it by its machine path, so every folder above it must
// let other users through. A checkout under a folder of mode 0700 (/root, one made by mktemp -d) does not: there
// the pods' folder is one of its own under /var/tmp, which `.localenv/pods` links to, and env:down removes both.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readlinkSync, realpathSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Whether every folder from `/` down to `dir` lets other users search it. */
export function reachableByOthers(dir: string): boolean {
  for (let p = realpathSync(dir); ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) return false;
    if (p === '/') return true;
  }
}

const isLink = (path: string) => {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
};

/** Makes the pods' folder `path`: there, or, when its parent is out of other users' reach, linked to a folder under `outside`. */
export function makePodsDir(path: string, outside = '/var/tmp'): void {
  // A link kept from before, whose folder may have been cleaned away meanwhile (/var/tmp is, after 30 days).
  if (isLink(path)) return void mkdirSync(readlinkSync(path), { recursive: true, mode: 0o711 });
  const parent = dirname(path);
  mkdirSync(parent, { recursive: true });
  if (reachableByOthers(parent)) return void mkdirSync(path, { recursive: true });
  const target = join(outside, `opsflow-pods-${createHash('sha256').update(realpathSync(parent)).digest('hex').slice(0, 12)}`);
  mkdirSync(target, { recursive: true, mode: 0o711 });
  symlinkSync(target, path);
}

/** Removes the pods' folder `path`, and the folder it links to if it is a link. */
export function removePodsDir(path: string): void {
  if (isLink(path)) rmSync(readlinkSync(path), { recursive: true, force: true });
  rmSync(path, { recursive: true, force: true });
}
