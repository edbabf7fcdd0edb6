/**
 * Every error the connection layer raises, in one table. Codes are stable strings: callers and
 * tests match on `code`, never on the message.
 */

export const INGEST_ERROR_CODES = {
  ERR_INGEST_INVALID_CONFIG: 'invalid ingest config',
  ERR_INGEST_INVALID_ARGUMENT: 'invalid argument',
  ERR_INGEST_UNKNOWN_INSTRUMENT: 'unknown instrument code',
  ERR_INGEST_UNSUPPORTED_VENUE: 'venue has no connection dialect',
  ERR_INGEST_ALREADY_STARTED: 'source is already started',
  ERR_INGEST_STOPPED: 'source is stopped',
  ERR_INGEST_INSTRUMENT_LIST: 'instrument list unavailable',
} as const;

export type IngestErrorCode = keyof typeof INGEST_ERROR_CODES;

export class IngestError extends Error {
  readonly code: IngestErrorCode;
  /** Structured detail: the config issues, the unknown codes... */
  readonly details: unknown;

  constructor(code: IngestErrorCode, message: string, details?: unknown) {
    super(`${INGEST_ERROR_CODES[code]}: ${message}`);
    this.name = 'IngestError';
    this.code = code;
    this.details = details;
  }
}
