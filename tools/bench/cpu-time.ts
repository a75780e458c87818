// CPU time a process has used (user + system, all its threads), from /proc: what each part of the environment
// spent over a span, to say which of them the machine's cores went to.
import { readFileSync } from 'node:fs';

// USER_HZ: the unit of /proc/<pid>/stat's times, 100 on Linux whatever the kernel's own tick.
const ticksPerSecond = 100;

/** Seconds of CPU `pid` has used so far (0 once it has exited). */
export function cpuSeconds(pid: number): number {
  try {
    // The command name (field 2) is in parentheses and may hold spaces: the fields after it are counted from its end.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime, stime: fields 14 and 15
  } catch {
    return 0;
  }
}

/** CPU seconds of each named process between now and when the returned function is called. */
export function cpuSpan(pids: Record<string, number>): () => Record<string, number> {
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  return () => Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, Math.round((cpuSeconds(pid) - start[name]) * 10) / 10]));
}
