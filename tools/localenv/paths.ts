// Where the local environment keeps things: binaries in a cache outside git (shared by every
// clone on the machine), state and the env file inside the checkout (.localenv/, git-ignored).
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const cacheRoot =
  process.env.OPSFLOW_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'opsflow');
export const binCache = join(cacheRoot, 'bin');
export const stateDir = process.env.OPSFLOW_LOCALENV ?? join(repoRoot, '.localenv');
export const envFile = join(stateDir, 'env');

export const componentDir = (name: string, version: string) => join(binCache, `${name}-${version}`);
