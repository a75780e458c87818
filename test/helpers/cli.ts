// The opsflow CLI as a user runs it: a child process (node client/cli.ts, what the package's bin runs), against
// the local environment, with its exit code and output. `tty: true` runs it under a pseudo-terminal (script(1)),
// as in an interactive shell.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../../client/cli.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const shellQuote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export function opsflowCli(args: string[], o: { input?: string; env?: Record<string, string>; tty?: boolean; timeoutMs?: number } = {}): Promise<CliResult> {
  const command = o.tty
    ? { file: 'script', args: ['-qefc', [process.execPath, cli, ...args].map(shellQuote).join(' '), '/dev/null'] }
    : { file: process.execPath, args: [cli, ...args] };
  const child = spawn(command.file, command.args, {
    env: { ...process.env, LOG_LEVEL: 'warn', COLUMNS: '160', ...o.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  child.stdin.end(o.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The output as a user would read it on a terminal: carriage returns and cursor movements taken out. */
export const plainText = (s: string) => s.replaceAll('\r', '').replaceAll(/\x1b\[[0-9;]*[A-Za-z]/g, '');
