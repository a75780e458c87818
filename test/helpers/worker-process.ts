// `opsflow worker` in a process of its own (so a test can kill it, or read everything it logs), ready once it
// polls the task queue; with `killAt`, the worker that crashes itself there (killable-worker.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../tools/localenv/paths.ts';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it has written to stdout so far (JSON log lines). */
  output(): string;
  /** Resolves when it has exited, with the signal that ended it (if one did). */
  exited: Promise<NodeJS.Signals | null>;
}

export function spawnWorker(taskQueue: string, logLevel = 'info', killAt?: string): Promise<WorkerProcess> {
  const args = killAt ? [join(repoRoot, 'test', 'helpers', 'killable-worker.ts')] : [join(repoRoot, 'client', 'cli.ts'), 'worker'];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, OPSFLOW_TASK_QUEUE: taskQueue, LOG_LEVEL: logLevel, LOG_FORMAT: 'json', ...(killAt ? { OPSFLOW_KILL_AT: killAt } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('"msg":"worker running"')) resolve({ child, output: () => out, exited });
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}
