/** Every error the NATS transport raises, in one table; callers match on the stable `code`. */

export const NATS_ERROR_CODES = {
  ERR_NATS_SERVER_MISSING: 'nats-server is not installed',
  ERR_NATS_SERVER_START: 'nats-server did not start',
  ERR_NATS_INVALID_OPTIONS: 'invalid NATS edge options',
  ERR_NATS_STREAM: 'JetStream stream cannot be set up',
  ERR_NATS_CLOSED: 'NATS edge is closed',
} as const;

export type NatsErrorCode = keyof typeof NATS_ERROR_CODES;

export class NatsEdgeError extends Error {
  readonly code: NatsErrorCode;
  constructor(code: NatsErrorCode, message: string) {
    super(`${NATS_ERROR_CODES[code]}: ${message}`);
    this.name = 'NatsEdgeError';
    this.code = code;
  }
}

/** The hint every "nats-server missing" error carries, so a test failure says how to fix it. */
export const NATS_SERVER_INSTALL_HINT =
  'install it with `apt-get install nats-server` (Debian/Ubuntu; JetStream needs v2.9 or later) or set NATS_SERVER_BIN to its path';
