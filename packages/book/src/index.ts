export { BarBuilder, BarKind, type BarLike, BarRecord, type BarSink } from './core/bars.js';
export { BookCore, type BookOutput, type BookStats, type BookViewLike, type VenueCountersSnapshot } from './core/book-core.js';
export { BookSide, TopLevels } from './core/book-side.js';
export {
  BookState,
  BookSync,
  DeltaOutcome,
  type ResyncReason,
  SnapshotOutcome,
  SyncCounters,
  type SyncHost,
  type SyncLimits,
} from './core/book-sync.js';
export { BookChecksum } from './core/checksum.js';
export { crc32, crc32String, toSigned32 } from './core/crc32.js';
export { BufferedDelta, DeltaBuffer } from './core/delta-buffer.js';
export { Cross, L2Book } from './core/l2-book.js';
export {
  type ChecksumAlgo,
  type FirstDeltaRule,
  type NumberFormat,
  type SequenceRule,
  VENUE_RULES,
  type VenueRule,
} from './core/venue-rules.js';
export {
  type BarConfig,
  BOOK_DEFAULTS,
  type BookConfigInput,
  BookConfigError,
  type BookCoreConfig,
  type ChecksumText,
  resolveBookConfig,
  validateBookConfig,
} from './config.js';
export { Verifier, type VerifyReport } from './core/verify.js';
