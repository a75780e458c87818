// Whether the local environment runs real servers behind its pods, decided once when the environment comes
// up and kept in its state (so kwok's stages and the stand-ins agree until env:down): real servers when the
// programs are there and we may make mount namespaces (root); simulated pods (kwok's timer) otherwise, or when
// asked for with OPSFLOW_SIMULATED_PODS=1 (benchmarks with hundreds of pods).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makePodsDir } from './pods-dir.ts';
import { findPrograms, packageOf, type Program, type Programs } from './programs.ts';

export interface PodRuntimeMode {
  enabled: boolean;
  /** One line for env:status: what runs behind the pods, or why nothing does and what to install. */
  summary: string;
  programs: Programs;
}

export const runtimeDir = (stateDir: string) => join(stateDir, 'pods');
const modeFile = (stateDir: string) => join(runtimeDir(stateDir), 'mode.json');

function version(path: string | undefined, args = ['--version']): string {
  if (!path) return '?';
  try {
    // pgpool prints its version on stderr
    const out = spawnSync(path, args, { encoding: 'utf8', timeout: 5000 });
    return (out.stdout || out.stderr).trim().split('\n')[0] || '?';
  } catch {
    return '?';
  }
}

export function detectMode(env: NodeJS.ProcessEnv = process.env): PodRuntimeMode {
  const { found, missing } = findPrograms();
  if (env.OPSFLOW_SIMULATED_PODS === '1') {
    return { enabled: false, summary: 'simulated pods, as asked (OPSFLOW_SIMULATED_PODS=1 at env:up): kwok makes them Ready, nothing listens', programs: found };
  }
  if (process.getuid?.() !== 0) {
    return { enabled: false, summary: 'simulated pods: the pod runtime needs root (it gives each server a mount namespace of its own); run env:up as root for real servers', programs: found };
  }
  if (missing.length) {
    const packages = [...new Set(missing.map((p: Program) => packageOf[p]))];
    return {
      enabled: false,
      summary: `simulated pods: ${missing.join(', ')} not found; for real servers behind the pods install ${packages.join(' ')} (Debian: apt-get install --no-install-recommends ${packages.join(' ')}), then env:down and env:up`,
      programs: found,
    };
  }
  const servers = [
    `MySQL/PerconaXtraDB → ${version(found.mariadbd)}`,
    `Pgpool → ${version(found.pgpool)}`,
    `Postgres → ${version(found.postgres)}`,
    'ProxySQL → the stand-in (tools/proxysql)',
  ];
  return { enabled: true, summary: `real servers behind the pods: ${servers.join('; ')}`, programs: found };
}

/** The mode recorded for this environment, if it was decided already. */
export function readMode(stateDir: string): PodRuntimeMode | undefined {
  return existsSync(modeFile(stateDir)) ? (JSON.parse(readFileSync(modeFile(stateDir), 'utf8')) as PodRuntimeMode) : undefined;
}

/** The recorded mode, or a new decision recorded now. */
export async function decideMode(stateDir: string): Promise<PodRuntimeMode> {
  const known = readMode(stateDir);
  if (known) return known;
  const mode = detectMode();
  makePodsDir(runtimeDir(stateDir));
  await writeFile(modeFile(stateDir), JSON.stringify(mode, null, 2));
  return mode;
}
