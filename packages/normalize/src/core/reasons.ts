/**
 * Stable reason codes for everything the normalize stage refuses. They are counted per code
 * (metrics label `reason`) and passed to `CanonicalSink.reject`, so a code never changes meaning
 * once released; new codes append.
 */
export const Reason = Object.freeze({
  /** The frame is longer than `maxFrameBytes`. */
  FrameTooLarge: 'frame_too_large',
  /** The frame is not JSON (binary garbage, truncated text, empty frame). */
  MalformedJson: 'malformed_json',
  /** The frame names a venue id this build has no parser for. */
  UnknownVenue: 'unknown_venue',
  /** The frame kind is not WsText, WsBinary or RestResponse. */
  UnknownFrameKind: 'unknown_frame_kind',
  /** Valid JSON of a shape, type or channel the venue parser does not know. */
  UnknownMessage: 'unknown_message',
  /** A required field is absent. */
  MissingField: 'missing_field',
  /** A field is present but of the wrong type or out of range (sequence, side, checksum, time). */
  InvalidField: 'invalid_field',
  /** The venue symbol is not in the instrument registry (lookups are case-sensitive). */
  UnknownInstrument: 'unknown_instrument',
  /** A price is not a plain decimal, is NaN, or overflows 2^53 at the instrument's scale. */
  InvalidPrice: 'invalid_price',
  /** A price is zero or negative. */
  NonPositivePrice: 'nonpositive_price',
  /** A size is not a plain decimal, is NaN, or overflows 2^53 at the instrument's scale. */
  InvalidSize: 'invalid_size',
  /** A size is negative. */
  NegativeSize: 'negative_size',
  /** A price or size has non-zero digits beyond the instrument's scale. */
  PrecisionExceeded: 'precision_exceeded',
  /** A snapshot whose best bid is at or above its best ask. */
  CrossedBook: 'crossed_book',
  /** A snapshot side that is not strictly best-first (unsorted or duplicate prices). */
  UnsortedLevels: 'unsorted_levels',
  /** The venue sent an error message (subscription refused, REST error body, ...). */
  VenueError: 'venue_error',
  /** A REST response whose request path this venue parser does not handle. */
  UnknownRequest: 'unknown_request',
} as const);

export type ReasonCode = (typeof Reason)[keyof typeof Reason];

export const REASON_CODES: readonly ReasonCode[] = Object.freeze(Object.values(Reason));
