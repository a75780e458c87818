// A volume's files written the way the kubelet writes Secret, ConfigMap and projected volumes (its
// AtomicWriter, pkg/volume/util/atomic_writer.go): the payload goes into a fresh hidden folder
// `..<timestamp>`, the symlink `..data` is swapped to it with one rename, and each file the user sees is a
// symlink through `..data` (`tls.crt -> ..data/tls.crt`; a nested path links its first component). A reader
// therefore sees the old files or the new ones, never a mix — which is what lets a server reload a refreshed
// certificate and key safely, and what a program watching the mount sees when a Secret is refreshed in place.
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** path (relative, may be nested) → content and mode. */
export type Payload = Map<string, { content: Buffer; mode: number }>;

const dataLink = '..data';

function timestampDir(): string {
  // The kubelet names it ..<YYYY_MM_DD_HH_MM_SS.nanoseconds>; uniqueness is all that matters.
  const now = new Date();
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${now.getUTCFullYear()}_${pad(now.getUTCMonth() + 1)}_${pad(now.getUTCDate())}_${pad(now.getUTCHours())}_${pad(now.getUTCMinutes())}_${pad(now.getUTCSeconds())}`;
  return `..${stamp}.${process.hrtime.bigint() % 1_000_000_000n}`;
}

/** The payload currently visible in `dir` (through ..data), or undefined when nothing was written yet. */
async function currentPayload(dir: string): Promise<Payload | undefined> {
  const link = join(dir, dataLink);
  if (!existsSync(link)) return undefined;
  const root = join(dir, await readlink(link));
  const out: Payload = new Map();
  const walk = async (rel: string) => {
    for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else out.set(path, { content: await readFile(join(root, path)), mode: (await lstat(join(root, path))).mode & 0o777 });
    }
  };
  await walk('');
  return out;
}

function samePayload(a: Payload, b: Payload): boolean {
  if (a.size !== b.size) return false;
  for (const [path, file] of a) {
    const other = b.get(path);
    if (!other || other.mode !== file.mode || !other.content.equals(file.content)) return false;
  }
  return true;
}

const topLevel = (payload: Payload) => new Set([...payload.keys()].map((p) => p.split('/')[0]));

/**
 * Makes `dir` show exactly `payload`; returns whether anything changed. One writer per folder at a time
 * (pod.ts queues them: two would race over ..data and the names). Safe to call again with the same
 * payload (nothing is rewritten), and while a server has the files open (the old folder goes only after
 * the swap).
 */
export async function writeAtomically(dir: string, payload: Payload): Promise<boolean> {
  await mkdir(dir, { recursive: true, mode: 0o755 });
  const before = await currentPayload(dir);
  if (before && samePayload(before, payload)) return false;

  const fresh = timestampDir();
  for (const [path, file] of payload) {
    const target = join(dir, fresh, path);
    await mkdir(dirname(target), { recursive: true, mode: 0o755 });
    await writeFile(target, file.content);
    await chmod(target, file.mode);
  }
  await mkdir(join(dir, fresh), { recursive: true, mode: 0o755 }); // an empty payload still gets its folder
  const old = existsSync(join(dir, dataLink)) ? await readlink(join(dir, dataLink)) : undefined;
  const tmpLink = join(dir, `${dataLink}_tmp${fresh}`);
  await rm(tmpLink, { force: true });
  await symlink(fresh, tmpLink);
  await rename(tmpLink, join(dir, dataLink)); // the swap: one rename(2)

  // The user-visible names: one symlink per top-level name through ..data; names no longer in the payload go.
  const wanted = topLevel(payload);
  for (const name of wanted) {
    const link = join(dir, name);
    const there = await lstat(link).catch(() => undefined); // (existsSync follows the link)
    if (!there?.isSymbolicLink()) {
      await rm(link, { recursive: true, force: true });
      await symlink(join(dataLink, name), link);
    }
  }
  for (const name of await readdir(dir)) {
    if (!name.startsWith('..') && !wanted.has(name)) await rm(join(dir, name), { recursive: true, force: true });
  }
  if (old && old !== fresh) await rm(join(dir, old), { recursive: true, force: true });
  return true;
}
