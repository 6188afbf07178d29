import { pino, type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs on stderr; dockerd's level names (debug, info, warn, error, fatal). */
export function createLogger(level = 'info'): Logger {
  return pino({ level: level === 'warning' ? 'warn' : level, base: { pid: process.pid } }, pino.destination(2));
}

/** A logger that drops everything, for unit tests. */
export const silentLogger: Logger = pino({ level: 'silent' });
