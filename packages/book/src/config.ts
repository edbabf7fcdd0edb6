import { isVenueName, VENUE_NAMES, type VenueName } from '@tickline/wire';
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

export const BOOK_DEFAULTS = Object.freeze({
  depth: 50,
  viewLevels: 10,
  conflateViews: true,
  maxBufferedDeltas: 1024,
  maxBufferedLevels: 65536,
  bars: Object.freeze({ tickTrades: 0, volume: 0, timeMs: 0 }),
});

export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** Invalid book configuration; `issues` lists every violation, not just the first. */
export class BookConfigError extends Error {
  readonly code = 'TKL_BOOK_ERR_CONFIG';
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[]) {
    super(`invalid book config:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'BookConfigError';
    this.issues = issues;
  }
}

type Check = (value: unknown) => string | null;

const int =
  (min: number, max: number): Check =>
  (v) =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : `must be an integer from ${min} to ${max}, got ${show(v)}`;
const nonNegative: Check = (v) =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : `must be a finite number >= 0, got ${show(v)}`;
const oneOf =
  (allowed: readonly string[]): Check =>
  (v) =>
    typeof v === 'string' && allowed.includes(v) ? null : `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(v)}`;
const bool: Check = (v) => (typeof v === 'boolean' ? null : `must be true or false, got ${show(v)}`);

function show(v: unknown): string {
  return typeof v === 'string' ? `'${v}'` : v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v));
}

const TOP: Record<string, Check> = {
  depth: int(1, 10_000),
  viewLevels: int(1, 1000),
  conflateViews: bool,
  maxBufferedDeltas: int(1, 1_000_000),
  maxBufferedLevels: int(16, 100_000_000),
};
const BARS: Record<keyof BarConfig, Check> = { tickTrades: int(0, 1_000_000_000), volume: nonNegative, timeMs: int(0, 86_400_000) };
const RULE: Record<keyof VenueRule, Check> = {
  sequence: oneOf(SEQUENCE_RULES),
  firstDelta: oneOf(FIRST_DELTA_RULES),
  sequenceOptional: bool,
  checksum: oneOf(CHECKSUM_ALGOS),
  checksumLevels: int(0, 1000),
  priceFormat: oneOf(NUMBER_FORMATS),
  sizeFormat: oneOf(NUMBER_FORMATS),
  reseedOnCrossed: bool,
  depth: int(0, 10_000),
};

const TEXT: Record<keyof ChecksumText, Check> = { price: int(0, 18), size: int(0, 18) };

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkObject(
  value: unknown,
  path: string,
  schema: Record<string, Check>,
  issues: ConfigIssue[],
  nested: readonly string[] = [],
): void {
  if (!isRecord(value)) {
    issues.push({ path, message: `must be an object, got ${show(value)}` });
    return;
  }
  const known = [...Object.keys(schema), ...nested];
  for (const [key, v] of Object.entries(value)) {
    const p = path ? `${path}.${key}` : key;
    const check = schema[key];
    if (check) {
      if (v === undefined) continue;
      const msg = check(v);
      if (msg) issues.push({ path: p, message: msg });
    } else if (!nested.includes(key)) {
      issues.push({ path: p, message: `unknown key; allowed keys: ${known.join(', ')}` });
    }
  }
}

/** Every violation in `input` (empty when valid). */
export function validateBookConfig(input: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (input === undefined) return issues;
  checkObject(input, '', TOP, issues, ['bars', 'venues', 'checksumText']);
  if (!isRecord(input)) return issues;
  if (input.bars !== undefined) checkObject(input.bars, 'bars', BARS, issues);
  if (input.checksumText !== undefined) {
    if (!isRecord(input.checksumText)) issues.push({ path: 'checksumText', message: `must be an object, got ${show(input.checksumText)}` });
    else {
      for (const [key, t] of Object.entries(input.checksumText)) {
        const venue = key.slice(0, key.indexOf(':'));
        if (key.indexOf(':') <= 0 || !isVenueName(venue)) {
          issues.push({
            path: `checksumText.${key}`,
            message: `key must be '<venue>:<symbol>' with venue one of ${VENUE_NAMES.join(', ')}`,
          });
        }
        checkObject(t, `checksumText.${key}`, TEXT, issues);
      }
    }
  }
  if (input.venues !== undefined) {
    if (!isRecord(input.venues)) issues.push({ path: 'venues', message: `must be an object, got ${show(input.venues)}` });
    else {
      for (const [name, rule] of Object.entries(input.venues)) {
        if (!isVenueName(name)) issues.push({ path: `venues.${name}`, message: `unknown venue; allowed: ${VENUE_NAMES.join(', ')}` });
        else if (rule !== undefined) checkObject(rule, `venues.${name}`, RULE, issues);
      }
    }
  }
  const depth = isRecord(input) && typeof input.depth === 'number' ? input.depth : BOOK_DEFAULTS.depth;
  const view = isRecord(input) && typeof input.viewLevels === 'number' ? input.viewLevels : BOOK_DEFAULTS.viewLevels;
  if (TOP.depth?.(depth) === null && TOP.viewLevels?.(view) === null && view > depth)
    issues.push({ path: 'viewLevels', message: `must be <= depth (${depth}), got ${view}` });
  return issues;
}

/** Validates and fills defaults. Throws BookConfigError listing every violation. */
export function resolveBookConfig(input?: unknown): BookCoreConfig {
  const issues = validateBookConfig(input);
  if (issues.length > 0) throw new BookConfigError(issues);
  const i = (input ?? {}) as BookConfigInput;
  const venues = {} as Record<VenueName, VenueRule>;
  for (const name of VENUE_NAMES) {
    const overrides = Object.fromEntries(Object.entries(i.venues?.[name] ?? {}).filter(([, v]) => v !== undefined));
    venues[name] = Object.freeze({ ...VENUE_RULES[name], ...overrides });
  }
  return Object.freeze({
    depth: i.depth ?? BOOK_DEFAULTS.depth,
    viewLevels: i.viewLevels ?? BOOK_DEFAULTS.viewLevels,
    conflateViews: i.conflateViews ?? BOOK_DEFAULTS.conflateViews,
    maxBufferedDeltas: i.maxBufferedDeltas ?? BOOK_DEFAULTS.maxBufferedDeltas,
    maxBufferedLevels: i.maxBufferedLevels ?? BOOK_DEFAULTS.maxBufferedLevels,
    bars: Object.freeze({ ...BOOK_DEFAULTS.bars, ...Object.fromEntries(Object.entries(i.bars ?? {}).filter(([, v]) => v !== undefined)) }),
    checksumText: Object.freeze({ ...(i.checksumText ?? {}) }),
    venues: Object.freeze(venues),
  });
}
