import { createRequire } from 'node:module';
import { pino, type Logger, type LoggerOptions } from 'pino';
import type PinoPretty from 'pino-pretty';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** How log lines look: `pretty` (one readable line each) or `json` (one JSON object each). */
export type LogFormat = 'pretty' | 'json';
/** The `log.format` setting: `auto` is pretty on a terminal and JSON otherwise. */
export type LogFormatSetting = 'auto' | LogFormat;
export const LOG_FORMATS: readonly LogFormatSetting[] = ['auto', 'pretty', 'json'];

/** The environment variable that carries the chosen format to worker threads (their stderr is no terminal). */
const FORMAT_ENV = 'TICKLINE_LOG_FORMAT';

/** The format a setting means: `auto` is pretty when stderr is a terminal, JSON for files, pipes and collectors. */
export function resolveLogFormat(setting: LogFormatSetting, stderrIsTTY: boolean): LogFormat {
  return setting === 'auto' ? (stderrIsTTY ? 'pretty' : 'json') : setting;
}

/**
 * Makes `format` the default of every logger this process creates from now on, in this thread
 * and in the worker threads started after (they inherit the environment).
 */
export function useLogFormat(format: LogFormat): void {
  process.env[FORMAT_ENV] = format;
}

const REDACT = {
  paths: ['token', '*.token', 'apiKey', '*.apiKey', 'secret', '*.secret', 'authorization', '*.authorization', 'headers.authorization'],
  censor: '[redacted]',
};

/**
 * The process logger, on stderr (stdout stays free for `--summary json` and bench output): JSON
 * lines, or with format `pretty` one readable line per entry (time, level, message, fields).
 * Secrets are redacted by configuration wherever they may appear in a logged object.
 */
export function createLogger(
  level: LogLevel = 'info',
  options: LoggerOptions = {},
  format: LogFormat = process.env[FORMAT_ENV] === 'pretty' ? 'pretty' : 'json',
): Logger {
  const opts: LoggerOptions = { level, base: { app: 'tickline' }, redact: REDACT, ...options };
  if (format === 'json') return pino(opts, pino.destination({ dest: 2, sync: true }));
  // loaded only when asked for: JSON processes (and every worker off a terminal) skip it
  const { PinoPretty: prettyStream } = createRequire(import.meta.url)('pino-pretty') as { PinoPretty: typeof PinoPretty };
  const pretty = prettyStream({
    destination: 2,
    sync: true,
    colorize: process.env.NO_COLOR === undefined,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,app',
  });
  return pino(opts, pretty);
}

export type { Logger };
