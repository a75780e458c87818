// `npm test`: brings the local environment up (building it on a fresh machine), bundles the workflows once for
// every test process, runs node's test runner over test/ (or the paths given), and takes the environment down
// again if it was not running before (OPSFLOW_KEEP_ENV=1 keeps it).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnvFile } from '../platform/env.ts';
import { bundleWorkflows } from '../worker/workflow-bundle.ts';
import { down, status, up } from './localenv/lifecycle.ts';
import { envFile, repoRoot, stateDir } from './localenv/paths.ts';

const quiet = () => {};
const wasRunning = await status(quiet);
await up();
const bundlePath = join(stateDir, 'workflow-bundle.js');
await writeFile(bundlePath, await bundleWorkflows());

const env = { ...process.env, ...parseEnvFile(readFileSync(envFile, 'utf8')), OPSFLOW_WORKFLOW_BUNDLE: bundlePath, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' };
const runTests = (patterns: string[], concurrency: number) => {
  const child = spawn(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...patterns], { cwd: repoRoot, stdio: 'inherit', env });
  return new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
};

// The crash tests (each kills its own workers, one kill point after another) run after the others, side by
// side; the fault tests kill shared parts of the environment (the API server, Temporal, cert-manager): last, alone.
const paths = process.argv.slice(2);
const exitCode = paths.length
  ? await runTests(paths, 2)
  : (await runTests(['test/unit/*.test.ts', 'test/env/*.test.ts', 'test/e2e/*.test.ts', 'test/browser/*.test.ts', 'test/replay/*.test.ts'], 2)) ||
    (await runTests(['test/crash/*.test.ts'], 2)) ||
    (await runTests(['test/faults/*.test.ts'], 1));
if (!wasRunning && process.env.OPSFLOW_KEEP_ENV !== '1') await down(quiet);
process.exit(exitCode);
