// The workflow bundle: workflows/index.ts and what it imports, packed by the SDK's webpack bundler for the
// worker's sandbox. A worker made from a bundle, not from the sources, never loads webpack: bundling in the
// worker's own process would keep webpack's modules and heap there for the worker's whole life (resident set
// 190 MB before a bundling, 338 MB after, measured; BENCHMARKS.md, "The worker's memory"). So `opsflow worker`
// bundles in a child process, running this file, which writes the bundle to its stdout.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** Bundles in this process: for a process that ends soon after (this file as a script, the test runner). */
export async function bundleWorkflows(): Promise<string> {
  const quiet = () => {};
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: { log: quiet, trace: quiet, debug: quiet, info: quiet, warn: console.warn, error: console.error } });
  return code;
}

/** Bundles in a child process and returns the bundle's code. */
export function bundleInChildProcess(): Promise<string> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-4000)));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      code === 0 ? resolve(Buffer.concat(out).toString('utf8')) : reject(new Error(`bundling the workflows (node ${fileURLToPath(import.meta.url)}) failed with ${signal ?? `exit code ${code}`}: ${err.trim() || 'no output'}`)),
    );
  });
}

if (import.meta.main) process.stdout.write(await bundleWorkflows());
