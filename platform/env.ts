// Connection settings come from the standard variables (KUBECONFIG, TEMPORAL_ADDRESS, …); where one is unset,
// the local environment's .localenv/env (written by `npm run env:up`) supplies it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const defaultEnvFile = join(fileURLToPath(new URL('..', import.meta.url)), '.localenv', 'env');

export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
  }
  return out;
}

/** Fills unset variables from the local environment's env file (OPSFLOW_ENV_FILE or .localenv/env). */
export function loadLocalEnvDefaults(file = process.env.OPSFLOW_ENV_FILE ?? defaultEnvFile): void {
  if (!existsSync(file)) return;
  for (const [key, value] of Object.entries(parseEnvFile(readFileSync(file, 'utf8')))) {
    process.env[key] ??= value;
  }
}
