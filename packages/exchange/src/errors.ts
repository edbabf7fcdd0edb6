/**
 * Every error the exchange reports, in one table. Codes are stable strings: clients branch on `code`,
 * never on `message`. The same codes appear in WebSocket error frames, execution-report reject
 * reasons and HTTP error bodies.
 */
export const ERROR_CODES = {
  bad_json: 'frame is not valid JSON',
  bad_request: 'request is malformed',
  unknown_action: 'unknown action',
  frame_too_large: 'frame exceeds the size limit',
  binary_not_supported: 'binary frames are not supported',
  bad_channel: 'channel name is malformed',
  unknown_instrument: 'unknown instrument',
  too_many_subscriptions: 'subscription limit reached',
  not_subscribed: 'channel is not subscribed',
  rate_limited: 'rate limit exceeded',
  bad_price: 'price is invalid',
  bad_size: 'size is invalid',
  duplicate_client_order_id: 'client order id already used',
  unknown_order: 'order not found',
  unauthorized: 'account token missing or wrong',
  not_found: 'no such endpoint',
  method_not_allowed: 'method not allowed',
  payload_too_large: 'request body too large',
  no_liquidity: 'no liquidity to match against',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code, optionally naming the request field at fault. */
export class ExchangeError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(code: ErrorCode, message?: string, field?: string, retryAfterMs?: number) {
    super(message ?? ERROR_CODES[code]);
    this.name = 'ExchangeError';
    this.code = code;
    this.field = field;
    this.retryAfterMs = retryAfterMs;
  }
}

/** HTTP status used when an error code is returned over REST. */
export function httpStatusFor(code: ErrorCode): number {
  switch (code) {
    case 'unknown_instrument':
    case 'unknown_order':
    case 'not_found':
      return 404;
    case 'unauthorized':
      return 401;
    case 'method_not_allowed':
      return 405;
    case 'payload_too_large':
      return 413;
    case 'rate_limited':
      return 429;
    default:
      return 400;
  }
}
