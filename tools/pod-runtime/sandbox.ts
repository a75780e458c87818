// A container's own view of the filesystem, as a container runtime gives it: the server runs in a mount
// namespace of its own (`unshare --mount --propagation private`, so nothing it mounts leaks to the machine;
// `--uts` too, so its hostname is the pod's), where the pod's volumes are bind-mounted at the template's
// mount paths and folders of the pod's own are bind-mounted over the server's data, socket, pid and
// temporary directories (so two pods of one kind never share a file), plus the pod's /etc/hosts. Everything
// else is the machine's own filesystem, standing in for the image's.
//
// A mount point the machine lacks (/etc/mysql/certs, /var/lib/proxysql, /opt/pgpool-II/tls) is made inside
// the namespace: its nearest existing parent gets an overlay whose writable layer is the pod's, and the
// folder is created there, so the machine's own folders are never written. A parent that is `/` itself cannot
// be overlaid without a root filesystem of its own; such a top-level mount point (Pgpool's /config) is
// created once, empty, on the machine (see ensureTopLevelMountPoints).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface Mount {
  /** Folder or file on the machine. */
  source: string;
  /** Path inside the container. */
  target: string;
  readOnly?: boolean;
}

export interface Sandbox {
  hostname: string;
  mounts: Mount[];
  /** A folder of the pod's own for the overlays' writable layers. */
  overlayDir: string;
  /** Run as this OS user (the image's USER); root when absent. */
  user?: string;
  command: string[];
}

const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
const depth = (p: string) => p.split('/').filter(Boolean).length;
const isUnder = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/** The deepest folder of `path` (or `path` itself) that exists on the machine. */
function existingAncestor(path: string, exists: (p: string) => boolean): string {
  let p = path;
  while (p !== '/' && !exists(p)) p = dirname(p);
  return p;
}

/** Top-level mount points (directly under /) that the machine lacks. */
export const missingTopLevel = (mounts: Mount[], exists: (p: string) => boolean = existsSync): string[] =>
  [...new Set(mounts.map((m) => m.target).filter((t) => !exists(t) && existingAncestor(t, exists) === '/').map((t) => `/${t.split('/')[1]}`))];

/** Creates the top-level mount points the namespace cannot make (see above); returns those it created. */
export function ensureTopLevelMountPoints(mounts: Mount[]): string[] {
  const missing = missingTopLevel(mounts);
  for (const dir of missing) mkdirSync(dir, { recursive: true, mode: 0o755 });
  return missing;
}

/** The shell script that sets the namespace up and then becomes the server (exec), keeping its pid. */
export function sandboxScript(s: Sandbox, exists: (p: string) => boolean = existsSync): string {
  const lines = ['set -e'];
  // Overlays for the parents of missing mount points, outermost first (an inner one then layers on it).
  const parents = new Set<string>();
  for (const m of s.mounts) {
    if (exists(m.target)) continue;
    const parent = existingAncestor(m.target, exists);
    if (parent !== '/') parents.add(parent);
  }
  const overlays = [...parents].filter((p) => ![...parents].some((q) => q !== p && isUnder(p, q))).sort((a, b) => depth(a) - depth(b));
  overlays.forEach((parent, i) => {
    const upper = join(s.overlayDir, String(i), 'upper');
    const work = join(s.overlayDir, String(i), 'work');
    lines.push(`mkdir -p ${quote(upper)} ${quote(work)}`);
    lines.push(`mount -t overlay overlay -o ${quote(`lowerdir=${parent},upperdir=${upper},workdir=${work}`)} ${quote(parent)}`);
  });
  // Binds: outer targets before inner ones; a target that would hide a later mount's source (a state folder
  // under /tmp, say) goes last.
  const hidesSource = (m: Mount) => s.mounts.some((o) => o !== m && isUnder(o.source, m.target));
  const binds = [...s.mounts].sort((a, b) => Number(hidesSource(a)) - Number(hidesSource(b)) || depth(a.target) - depth(b.target));
  for (const m of binds) {
    if (!exists(m.target)) lines.push(`mkdir -p ${quote(m.target)}`);
    lines.push(`mount --bind ${quote(m.source)} ${quote(m.target)}`);
    if (m.readOnly) lines.push(`mount -o remount,bind,ro ${quote(m.target)}`);
  }
  lines.push(`hostname ${quote(s.hostname)}`);
  const command = s.command.map(quote).join(' ');
  lines.push(s.user ? `exec setpriv --reuid=${quote(s.user)} --regid=${quote(s.user)} --init-groups -- ${command}` : `exec ${command}`);
  return `${lines.join('\n')}\n`;
}

/** The command line that runs `script` in a namespace of its own. */
export const sandboxCommand = (script: string): [string, string[]] => ['unshare', ['--mount', '--uts', '--propagation', 'private', '--', '/bin/sh', '-c', script]];
