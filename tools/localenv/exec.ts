// Run a command to completion; on failure the error carries the command's last output lines.
import { spawn, type SpawnOptions } from 'node:child_process';

export class CommandError extends Error {}

export function run(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(new CommandError(err.code === 'ENOENT' ? `${command}: not found on PATH` : err.message)),
    );
    child.on('close', (code) => {
      if (code === 0) return resolve({ stdout, stderr });
      const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      reject(new CommandError(`${command} ${args.join(' ')} exited with ${code}:\n${tail}`));
    });
  });
}
