// One pino logger per process: JSON lines by default (for collectors), readable lines on a terminal
// or when LOG_FORMAT=pretty. LOG_LEVEL sets the level.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(name: string, destination?: string): Logger {
  const pretty = process.env.LOG_FORMAT === 'pretty' || (process.env.LOG_FORMAT !== 'json' && !destination && process.stdout.isTTY);
  const level = process.env.LOG_LEVEL ?? 'info';
  if (pretty) {
    return pino({ name, level, transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } });
  }
  return pino({ name, level }, destination ? pino.destination({ dest: destination, mkdir: true, sync: false }) : undefined);
}
