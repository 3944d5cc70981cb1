import pino, { type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /** pino level; `silent` turns logging off. Defaults to EVENTYARD_LOG_LEVEL or info. */
  level?: string;
  /** File descriptor or path for the JSON lines; defaults to stdout. */
  destination?: number | string;
}

/** JSON lines through an asynchronous destination, so logging never blocks a delivery. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.EVENTYARD_LOG_LEVEL ?? 'info';
  const destination = pino.destination({ dest: options.destination ?? 1, sync: false, mkdir: true });
  // Epoch-millisecond timestamps: formatting an ISO date per line costs more than the rest of it.
  return pino({ level, base: undefined }, destination);
}
