/** Public surface of the ingest connection layer. */

export { Backoff, parseRetryAfter, type Random, seededRandom } from './backoff.js';
export {
  type BackoffConfig,
  DEFAULT_INGEST_CONFIG,
  type IngestConfig,
  type IngestConfigInput,
  ingestConfigSchema,
  parseIngestConfig,
  type ValidationResult,
  validateIngestConfig,
} from './config.js';
export type { LogFn } from './connection.js';
export { INGEST_ERROR_CODES, IngestError, type IngestErrorCode } from './errors.js';
export { closeMatches } from './close-matches.js';
export { CodeResolver } from './resolve.js';
export { HeartbeatMonitor, type HeartbeatVerdict } from './heartbeat.js';
export { RateLimiter, type RateWindow } from './rate-limit.js';
export { REDACTED, redactSecrets, redactUrl } from './redact.js';
export type { FetchLike } from './rest.js';
export { createIngestSource } from './source.js';
export type {
  IngestSource,
  IngestSourceOptions,
  IngestStats,
  SubscribeResult,
  SubscriptionInfo,
  UnsubscribeResult,
} from './source-types.js';
export type { StreamState } from './subscriptions.js';
export { DIALECTS, dialectFor } from '../venues/index.js';
export { KRAKEN_DEPTHS, krakenDepth } from '../venues/kraken.js';
export type { Channel, ControlEvent, StreamRef, VenueDialect } from '../venues/types.js';
