/**
 * The errors of the local venue and its configuration, each with a stable code, and the codes the
 * venue puts in its messages (`rejected` reports' reason, order and cancel errors), which follow
 * the embedded exchange's protocol (docs/exchange-protocol.md) plus `book_not_live`.
 */

import { formatIssues, type Issue } from '@tickline/runtime/config-schema';

export const VENUE_CODES = Object.freeze({
  /** The instrument's book is not live (never seeded, or down after a gap): nothing trades. */
  bookNotLive: 'book_not_live',
  badPrice: 'bad_price',
  badSize: 'bad_size',
  badRequest: 'bad_request',
  unknownInstrument: 'unknown_instrument',
  duplicateClientOrderId: 'duplicate_client_order_id',
  unknownOrder: 'unknown_order',
  canceledByUser: 'canceled_by_user',
  iocRemainder: 'ioc_remainder',
  marketRemainder: 'market_remainder',
} as const);

/**
 * The driver broke the venue's time rules: market input earlier than what the venue already
 * processed, or applied while arrivals or deliveries at or before its time are still pending
 * (call `runUntil(t)` first), or a call from inside `runUntil`'s deliver callback.
 */
export class VenueTimeError extends Error {
  readonly code = 'TKL_BACKTEST_ERR_TIME';
  constructor(message: string) {
    super(message);
    this.name = 'VenueTimeError';
  }
}

/** A latency samples file that cannot be used; the message names the file and, where it applies, the line. */
export class LatencyFileError extends Error {
  readonly code = 'TKL_BACKTEST_ERR_LATENCY_FILE';
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'LatencyFileError';
  }
}

/** Invalid fill-model configuration; `issues` lists every violation, not just the first. */
export class FillModelConfigError extends Error {
  readonly code = 'TKL_BACKTEST_ERR_CONFIG';
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    super(`invalid fill model config:\n${formatIssues(issues)}`);
    this.name = 'FillModelConfigError';
    this.issues = issues;
  }
}
