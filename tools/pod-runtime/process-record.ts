// A record of each running server (pid and the kernel's start time of that pid, from /proc/<pid>/stat), so
// that a runtime started again, or env:down, can stop the servers an earlier runtime left running — and never
// a process that merely got the same pid later.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]; // field 22: starttime
  } catch {
    return undefined;
  }
}

export function recordProcess(file: string, pid: number): void {
  writeFileSync(file, JSON.stringify({ pid, startTime: startTime(pid) }));
}

export const forgetProcess = (file: string) => rmSync(file, { force: true });

/** SIGKILLs every recorded server that still runs (its whole process group) and forgets the records. */
export function killRecorded(dir: string): number {
  if (!existsSync(dir)) return 0;
  let killed = 0;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    try {
      const { pid, startTime: started } = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; startTime?: string };
      if (started && startTime(pid) === started) {
        for (const target of [-pid, pid]) {
          try {
            process.kill(target, 'SIGKILL');
          } catch {
            // already gone
          }
        }
        killed++;
      }
    } catch {
      // an unreadable record: nothing to stop
    }
    rmSync(file, { force: true });
  }
  return killed;
}
