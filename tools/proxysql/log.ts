// ProxySQL in the foreground (-f) writes its error log to stderr, one line per event:
// "<date> <time> [LEVEL] message". The stand-in keeps that shape so the pod runtime can show it as is.
export type Level = 'INFO' | 'WARNING' | 'ERROR';

export function log(level: Level, message: string): void {
  const now = new Date().toISOString().replace('T', ' ').slice(0, 19);
  process.stderr.write(`${now} [${level}] ${message}\n`);
}

export const info = (message: string) => log('INFO', message);
export const warning = (message: string) => log('WARNING', message);
export const error = (message: string) => log('ERROR', message);
