import type { VenueName } from '@tickline/wire';

/**
 * Venue sync rules as data. One state machine (book-sync.ts) reads these; no venue has code of
 * its own. Every rule below is quoted from the venue's public documentation (see docs/book.md).
 *
 * Sequence fields on a delta (canonical.ts): firstSeq = U, lastSeq = u (NaN -> same as firstSeq),
 * prevSeq = pu / prevSeqId. Snapshot: seq = S (lastUpdateId, seqId, sim sequence).
 */
export type SequenceRule =
  /** No sequence numbers: deltas are trusted in order (Kraken, Coinbase legacy). */
  | 'none'
  /** U = previous u + 1 (sim, Binance spot). */
  | 'contiguous'
  /** pu = previous u (Binance futures, OKX seqId/prevSeqId). */
  | 'linked'
  /**
   * Strictly increasing but not contiguous per instrument (Coinbase Advanced Trade
   * `sequence_num` counts per connection across all channels): older/duplicate deltas are
   * dropped, gaps cannot be seen per instrument (normalize detects them per connection).
   */
  | 'increasing';

/** Which buffered delta may be the first one applied on top of a snapshot with seq S. */
export type FirstDeltaRule =
  /** Binance spot / sim: drop u <= S; first has U <= S + 1 <= u. */
  | 'next-inside'
  /** Binance futures: drop u < S; first has U <= S <= u. */
  | 'snapshot-inside'
  /** OKX: drop u <= S; first has prevSeq = S. */
  | 'prev-is-snapshot';

export type ChecksumAlgo = 'none' | 'okx' | 'kraken';

/**
 * How a checksum rebuilds the venue's original number strings from mantissa + scale.
 * fixed: exactly `scale` decimals ("0.043130"); trimmed: trailing fractional zeros and a bare
 * point removed ("30244", "0.08").
 */
export type NumberFormat = 'fixed' | 'trimmed';

export interface VenueRule {
  readonly sequence: SequenceRule;
  readonly firstDelta: FirstDeltaRule;
  /** A delta carrying no sequence numbers is applied unchecked instead of counted as a gap. */
  readonly sequenceOptional: boolean;
  readonly checksum: ChecksumAlgo;
  /** Levels per side covered by the checksum. */
  readonly checksumLevels: number;
  readonly priceFormat: NumberFormat;
  readonly sizeFormat: NumberFormat;
  /** A crossed book after a delta is treated as corruption (RESEEDING). */
  readonly reseedOnCrossed: boolean;
  /**
   * Levels per side to keep, overriding the core's depth; 0 = use the core's depth. Kraken
   * must keep exactly the subscribed depth (its checksum is defined on the truncated book).
   */
  readonly depth: number;
}

const BASE: VenueRule = Object.freeze({
  sequence: 'none',
  firstDelta: 'next-inside',
  sequenceOptional: false,
  checksum: 'none',
  checksumLevels: 0,
  priceFormat: 'fixed',
  sizeFormat: 'fixed',
  reseedOnCrossed: true,
  depth: 0,
});

const KRAKEN: VenueRule = Object.freeze({ ...BASE, checksum: 'kraken', checksumLevels: 10 });

/** Defaults per venue. Config (`venues.<name>`) may override fields. */
export const VENUE_RULES: Readonly<Record<VenueName, VenueRule>> = Object.freeze({
  sim: Object.freeze({ ...BASE, sequence: 'contiguous', firstDelta: 'next-inside' }),
  'binance-spot': Object.freeze({ ...BASE, sequence: 'contiguous', firstDelta: 'next-inside' }),
  'binance-usdm': Object.freeze({ ...BASE, sequence: 'linked', firstDelta: 'snapshot-inside' }),
  'binance-coinm': Object.freeze({ ...BASE, sequence: 'linked', firstDelta: 'snapshot-inside' }),
  okx: Object.freeze({
    ...BASE,
    sequence: 'linked',
    firstDelta: 'prev-is-snapshot',
    // seqId/prevSeqId arrived in 2022; earlier streams carry only the checksum.
    sequenceOptional: true,
    checksum: 'okx',
    checksumLevels: 25,
    priceFormat: 'trimmed',
    sizeFormat: 'trimmed',
  }),
  kraken: KRAKEN,
  'kraken-v1': KRAKEN,
  coinbase: Object.freeze({ ...BASE, sequence: 'increasing' }),
  'coinbase-legacy': BASE,
} satisfies Record<VenueName, VenueRule>);

export const SEQUENCE_RULES: readonly SequenceRule[] = ['none', 'contiguous', 'linked', 'increasing'];
export const FIRST_DELTA_RULES: readonly FirstDeltaRule[] = ['next-inside', 'snapshot-inside', 'prev-is-snapshot'];
export const CHECKSUM_ALGOS: readonly ChecksumAlgo[] = ['none', 'okx', 'kraken'];
export const NUMBER_FORMATS: readonly NumberFormat[] = ['fixed', 'trimmed'];
