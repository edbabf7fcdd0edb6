export type { NormalizeCounts } from './core/context.js';
export { FrameKind, type FrameKindCode } from './core/frame.js';
export { type InferFrame, type InferredScales, inferInstruments, inferScales } from './core/infer.js';
export * from './instruments/index.js';
export { DEFAULT_MAX_FRAME_BYTES, type NormalizeStats, Normalizer, type NormalizerOptions } from './core/normalizer.js';
export type { VenueParser } from './core/parser.js';
export { REASON_CODES, Reason, type ReasonCode } from './core/reasons.js';
export { checksumOf as krakenChecksumOf } from './core/venues/kraken-v1.js';
