/** A pino-shaped logger that keeps every line it is given, so tests can check what was logged. */

import type { Logger } from 'pino';

export function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const make = (bindings: object): Logger => {
    const at =
      (level: string) =>
      (a: unknown, b?: unknown): void => {
        lines.push(
          JSON.stringify({
            level,
            ...bindings,
            ...(typeof a === 'object' ? (a as object) : { msg: a }),
            ...(b === undefined ? {} : { msg: b }),
          }),
        );
      };
    return {
      level: 'debug',
      child: (more: object) => make({ ...bindings, ...more }),
      fatal: at('fatal'),
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      trace: at('trace'),
    } as unknown as Logger;
  };
  return { log: make({}), lines };
}
