// Images → programs, as data: which real server a container's image stands for, and what the image would do
// around it (its USER, the folders it keeps, its first-start initialisation, how it is stopped and probed).
// The container's own arguments are passed on; the one change the runtime makes is that the server listens
// on the pod IP only — in a pod's own network namespace `*` means exactly that, but here every pod shares the
// machine's loopback, so each server binds its pod's 127.42.x.y.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import type { Programs } from './programs.ts';
import type { ProbeProtocol } from './readiness.ts';
import { mariadb, perconaxtradb } from './servers/mariadb.ts';
import { pgpool } from './servers/pgpool.ts';
import { postgres } from './servers/postgres.ts';
import { proxysql } from './servers/proxysql.ts';

export interface ImageContext {
  pod: V1Pod;
  container: V1Container;
  podIP: string;
  /** The container's environment, resolved as the kubelet does. */
  env: Record<string, string>;
  programs: Programs;
  repoRoot: string;
  /** A folder for pristine copies shared by every pod (a template data directory). */
  templates: string;
  /** The machine path of a path inside the container that a volume mount covers (undefined if none does). */
  hostPath(containerPath: string): string | undefined;
  /** The machine path of one of the image's own folders (see `dirs`). */
  dirPath(containerPath: string): string;
  /** Runs a helper (an initialisation step) with its output in the container's log; rejects if it fails. */
  run(command: string, args: string[], options?: { input?: string; user?: string }): Promise<void>;
  /** A line in the container's log, from the image's entrypoint. */
  say(line: string): void;
}

export interface ImageDir {
  /** The path inside the container. */
  path: string;
  /** Kept per pod name across replacements (the data directory, as its PVC), else per pod. */
  persistent: boolean;
  owner?: string;
  mode?: number;
}

export interface ImageProgram {
  /** What runs, for logs. */
  server: string;
  /** The image's USER: the OS user the server runs as (root when absent). */
  user?: string;
  dirs: ImageDir[];
  probe: ProbeProtocol;
  /** The image's STOPSIGNAL, sent when the pod is deleted; SIGKILL follows after the grace period. */
  stopSignal: NodeJS.Signals;
  /** The entrypoint's work before the server starts (initialise a data directory once, copy a config). */
  prepare?(ctx: ImageContext): Promise<void>;
  /** The server's command line: the program, the container's arguments, and the listen address. */
  command(ctx: ImageContext): string[];
}

/**
 * Images are matched by the last part of their repository (`kubedb/mysql:8.0.35`, `ghcr.io/appscode-images/
 * mysql:8.0.35-oracle` → mysql), so KubeDB's own image names work as well as the provisioner stand-in's.
 */
const byRepository: Record<string, ImageProgram> = {
  mysql: mariadb,
  mariadb,
  perconaxtradb,
  'percona-xtradb-cluster': perconaxtradb,
  pgpool,
  pgpool2: pgpool,
  postgres,
  postgresql: postgres,
  proxysql,
};

export function programFor(image: string | undefined): ImageProgram | undefined {
  const repository = (image ?? '').replace(/@.*$/, '').replace(/:[^/]*$/, '');
  return byRepository[repository.split('/').pop() ?? ''];
}
