// `opsflow worker` in a process of its own (so a test can kill it, or read everything it logs), ready once it
// polls the task queue.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../tools/localenv/paths.ts';

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it has written to stdout so far (JSON log lines). */
  output(): string;
}

export function spawnWorker(taskQueue: string, logLevel = 'info'): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [join(repoRoot, 'client', 'cli.ts'), 'worker'], {
    env: { ...process.env, OPSFLOW_TASK_QUEUE: taskQueue, LOG_LEVEL: logLevel, LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      out += chunk;
      if (out.includes('"msg":"worker running"')) resolve({ child, output: () => out });
    });
    child.on('exit', (code) => reject(new Error(`worker exited with ${code}: ${out}`)));
  });
}
