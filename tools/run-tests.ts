// `npm test`: brings the local environment up (building it on a fresh machine), bundles the workflows once for
// every test process, runs node's test runner over test/ (or the paths given), and takes the environment down
// again if it was not running before (OPSFLOW_KEEP_ENV=1 keeps it).
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { parseEnvFile } from '../platform/env.ts';
import { readFileSync } from 'node:fs';
import { down, status, up } from './localenv/lifecycle.ts';
import { envFile, repoRoot, stateDir } from './localenv/paths.ts';
import { workflowsPath } from '../worker/worker.ts';

const quiet = () => {};
const wasRunning = await status(quiet);
await up();
const bundlePath = join(stateDir, 'workflow-bundle.js');
const { code } = await bundleWorkflowCode({ workflowsPath, logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error } });
await writeFile(bundlePath, code);

const paths = process.argv.slice(2);
const child = spawn(
  process.execPath,
  ['--test', '--test-concurrency=2', '--test-timeout=300000', ...(paths.length ? paths : ['test/**/*.test.ts'])],
  {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, ...parseEnvFile(readFileSync(envFile, 'utf8')), OPSFLOW_WORKFLOW_BUNDLE: bundlePath, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  },
);
const code_ = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
if (!wasRunning && process.env.OPSFLOW_KEEP_ENV !== '1') await down(quiet);
process.exit(code_);
