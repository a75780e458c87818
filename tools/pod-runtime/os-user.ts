// The numeric ids of an OS user the images run as (mysql, postgres), looked up once.
import { execFileSync } from 'node:child_process';
import { chown } from 'node:fs/promises';

const ids = new Map<string, { uid: number; gid: number }>();

export function idsOf(user: string): { uid: number; gid: number } {
  if (!ids.has(user)) {
    ids.set(user, {
      uid: Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim()),
      gid: Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim()),
    });
  }
  return ids.get(user)!;
}

/** Gives `path` to `user` (a file the server must read, a folder it must write). */
export const giveTo = (path: string, user: string) => chown(path, idsOf(user).uid, idsOf(user).gid);
