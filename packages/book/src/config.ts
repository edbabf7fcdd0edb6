import {
  bool,
  deepFreeze,
  formatIssues,
  given,
  type Issue,
  int,
  joinPath,
  map,
  num,
  obj,
  oneOf,
  optional,
  parseConfig,
  record,
  refine,
} from '@tickline/runtime/config-schema';
import { VENUE_NAMES, type VenueName } from '@tickline/wire';
import { CHECKSUM_ALGOS, FIRST_DELTA_RULES, NUMBER_FORMATS, SEQUENCE_RULES, VENUE_RULES, type VenueRule } from './core/venue-rules.js';

/** Bar settings: 0 turns a kind off. */
export interface BarConfig {
  /** Tick bars: trades per bar. */
  readonly tickTrades: number;
  /** Volume bars: volume per bar in base units (decimal), e.g. 10 = 10 BTC. */
  readonly volume: number;
  /** Time bars: interval in ms (aligned buckets of the receive clock). */
  readonly timeMs: number;
}

export interface BookCoreConfig {
  /** Levels kept per side (venue rules may override, e.g. Kraken's subscribed depth). */
  readonly depth: number;
  /** Levels per side published in a BookView (and used for imbalance). */
  readonly viewLevels: number;
  /**
   * Conflate views: an instrument changed by several records of one input batch publishes one
   * view, its latest, when the batch ends (`BookCore.flushViews`). Off: a view per change.
   */
  readonly conflateViews: boolean;
  /** Per instrument, deltas buffered while not LIVE; overflow drops the oldest and re-requests. */
  readonly maxBufferedDeltas: number;
  /** Per instrument, levels buffered while not LIVE. */
  readonly maxBufferedLevels: number;
  readonly bars: BarConfig;
  /**
   * Per instrument (`<venue>:<symbol>`), the decimals the venue writes in the strings its
   * checksum covers, where wider than the instrument's scales (Kraken v1 pads prices and
   * volumes to a fixed width per pair). Absent = the record's scales.
   */
  readonly checksumText: Readonly<Record<string, ChecksumText>>;
  /** Resolved rule per venue (defaults from venue-rules.ts with config overrides applied). */
  readonly venues: Readonly<Record<VenueName, VenueRule>>;
}

export interface ChecksumText {
  readonly price?: number;
  readonly size?: number;
}

export type BookConfigInput = {
  depth?: number;
  viewLevels?: number;
  conflateViews?: boolean;
  maxBufferedDeltas?: number;
  maxBufferedLevels?: number;
  bars?: Partial<BarConfig>;
  checksumText?: Record<string, ChecksumText>;
  venues?: Partial<Record<VenueName, Partial<VenueRule>>>;
};

const CHECKSUM_KEY = new RegExp(`^(${VENUE_NAMES.join('|')}):.+$`);

/** Venue rule overrides: an absent field keeps the venue's rule (venue-rules.ts). */
const RULE = obj({
  sequence: optional(oneOf(SEQUENCE_RULES, 'none')),
  firstDelta: optional(oneOf(FIRST_DELTA_RULES, 'next-inside')),
  sequenceOptional: optional(bool(false)),
  checksum: optional(oneOf(CHECKSUM_ALGOS, 'none')),
  checksumLevels: optional(int(0, 1000, 0)),
  priceFormat: optional(oneOf(NUMBER_FORMATS, 'fixed')),
  sizeFormat: optional(oneOf(NUMBER_FORMATS, 'fixed')),
  reseedOnCrossed: optional(bool(false)),
  depth: optional(int(0, 10_000, 0)),
});

const SCHEMA = refine(
  obj({
    depth: int(1, 10_000, 50),
    viewLevels: int(1, 1000, 10),
    conflateViews: bool(true),
    maxBufferedDeltas: int(1, 1_000_000, 1024),
    maxBufferedLevels: int(16, 100_000_000, 65536),
    bars: obj({ tickTrades: int(0, 1_000_000_000, 0), volume: num(0, 1e15, 0), timeMs: int(0, 86_400_000, 0) }),
    checksumText: map(obj({ price: optional(int(0, 18, 0)), size: optional(int(0, 18, 0)) }), {
      pattern: CHECKSUM_KEY,
      allowed: `'<venue>:<symbol>' with venue one of ${VENUE_NAMES.join(', ')}`,
    }),
    venues: record(VENUE_NAMES, RULE),
  }),
  (c, path, issues, valid) => {
    if (valid('depth') && valid('viewLevels') && c.viewLevels > c.depth)
      issues.push({ path: joinPath(path, 'viewLevels'), message: `must be at most depth (${c.depth}), got ${c.viewLevels}` });
  },
);

/** Invalid book configuration; `issues` lists every violation, not just the first. */
export class BookConfigError extends Error {
  readonly code = 'TKL_BOOK_ERR_CONFIG';
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[]) {
    super(`invalid book config:\n${formatIssues(issues)}`);
    this.name = 'BookConfigError';
    this.issues = issues;
  }
}

/** Every violation in `input` (empty when valid), paths under `path`. */
export function validateBookConfig(input: unknown, path = ''): Issue[] {
  return parseConfig(SCHEMA, input, path).issues;
}

/** Validates and fills defaults. Throws BookConfigError listing every violation. */
export function resolveBookConfig(input?: unknown): BookCoreConfig {
  const { value, issues } = parseConfig(SCHEMA, input);
  if (issues.length > 0) throw new BookConfigError(issues);
  const venues = {} as Record<VenueName, VenueRule>;
  for (const name of VENUE_NAMES) venues[name] = { ...VENUE_RULES[name], ...given(value.venues[name] ?? {}) } as VenueRule;
  const checksumText = Object.fromEntries(Object.entries(value.checksumText).map(([k, t]) => [k, given(t) as ChecksumText]));
  return deepFreeze({ ...value, checksumText, venues });
}

export const BOOK_DEFAULTS = (({ venues: _v, checksumText: _c, ...rest }) => rest)(resolveBookConfig({}));
