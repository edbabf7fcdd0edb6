import { pino, type Logger, type LoggerOptions } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * The process logger: JSON lines on stderr (stdout stays free for `--summary json` and bench
 * output). Secrets are redacted by configuration wherever they may appear in a logged object.
 */
export function createLogger(level: LogLevel = 'info', options: LoggerOptions = {}): Logger {
  return pino(
    {
      level,
      base: { app: 'tickline' },
      redact: {
        paths: [
          'token',
          '*.token',
          'apiKey',
          '*.apiKey',
          'secret',
          '*.secret',
          'authorization',
          '*.authorization',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
      ...options,
    },
    pino.destination({ dest: 2, sync: true }),
  );
}

export type { Logger };
