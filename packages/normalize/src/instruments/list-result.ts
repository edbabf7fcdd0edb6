import { type InstrumentInput, InstrumentRegistry, MAX_SCALE, parseDecimal, type VenueName } from '@tickline/wire';

/**
 * What an instrument-list parser returns: the instruments it could read, and every entry it
 * skipped, counted by a stable reason code (never thrown: one malformed entry of a 2,000-symbol
 * list must not stop a start-up). A document that is not the venue's list at all (wrong shape)
 * throws TypeError instead: that is a wrong endpoint or a venue error body, not a bad entry.
 */
export const SkipReason = Object.freeze({
  /** The entry is not a JSON object. */
  NotAnObject: 'not_an_object',
  /** No symbol (`symbol`, `instId`, `product_id`, `id`, `wsname`) string. */
  MissingSymbol: 'missing_symbol',
  /** A tick/lot increment or precision field is absent. */
  MissingIncrement: 'missing_increment',
  /** An increment is not a positive plain decimal, or a precision not an integer in 0..18. */
  InvalidIncrement: 'invalid_increment',
  /** The symbol was already listed by an earlier entry. */
  DuplicateSymbol: 'duplicate_symbol',
} as const);

export type SkipReasonCode = (typeof SkipReason)[keyof typeof SkipReason];
export const SKIP_REASONS: readonly SkipReasonCode[] = Object.freeze(Object.values(SkipReason));

export interface SkippedEntry {
  /** Index (arrays) or key (objects) of the entry in the venue's document. */
  readonly at: string;
  readonly symbol: string | null;
  readonly reason: SkipReasonCode;
  /** Which field and what was wrong with it. */
  readonly detail: string;
}

export interface InstrumentListResult {
  readonly venue: VenueName;
  readonly instruments: InstrumentInput[];
  /** Count per skip reason (every reason present, 0 when none). */
  readonly skipped: Record<SkipReasonCode, number>;
  /** The first skipped entries (at most 20), for the log. */
  readonly samples: SkippedEntry[];
}

const MAX_SAMPLES = 20;

/** Collects a list: dedups symbols, counts skips. One per parse. */
export class ListCollector {
  readonly #venue: VenueName;
  readonly #out: InstrumentInput[] = [];
  readonly #seen = new Set<string>();
  readonly #skipped = Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReasonCode, number>;
  readonly #samples: SkippedEntry[] = [];

  constructor(venue: VenueName) {
    this.#venue = venue;
  }

  add(at: string, input: Omit<InstrumentInput, 'venue'>): void {
    if (this.#seen.has(input.symbol)) {
      this.skip(at, input.symbol, SkipReason.DuplicateSymbol, `"${input.symbol}" is listed more than once; the first entry is kept`);
      return;
    }
    this.#seen.add(input.symbol);
    this.#out.push({ ...input, venue: this.#venue });
  }

  skip(at: string, symbol: string | null, reason: SkipReasonCode, detail: string): void {
    this.#skipped[reason]++;
    if (this.#samples.length < MAX_SAMPLES) this.#samples.push({ at, symbol, reason, detail });
  }

  result(): InstrumentListResult {
    return { venue: this.#venue, instruments: this.#out, skipped: { ...this.#skipped }, samples: [...this.#samples] };
  }
}

/** Total entries skipped. */
export function skippedTotal(r: InstrumentListResult): number {
  let n = 0;
  for (const reason of SKIP_REASONS) n += r.skipped[reason];
  return n;
}

/** Decimals of an increment with trailing zeros ignored ("0.01000000" -> 2, "1" -> 0). */
export function incrementDecimals(text: string): number {
  const dot = text.indexOf('.');
  if (dot < 0) return 0;
  let end = text.length;
  while (end > dot + 1 && text.charCodeAt(end - 1) === 48) end--;
  return end - dot - 1;
}

/** A positive decimal increment ("0.0100") as scale + mantissa, or a reason it is not one. */
export function readIncrement(
  v: unknown,
  field: string,
): { ok: true; scale: number; mantissa: number } | { ok: false; reason: SkipReasonCode; detail: string } {
  if (v === undefined || v === null) return { ok: false, reason: SkipReason.MissingIncrement, detail: `${field} is missing` };
  if (typeof v !== 'string')
    return { ok: false, reason: SkipReason.InvalidIncrement, detail: `${field} must be a decimal string, got ${JSON.stringify(v)}` };
  const scale = incrementDecimals(v);
  const mantissa = scale <= MAX_SCALE ? parseDecimal(v, scale) : Number.NaN;
  if (!(mantissa > 0))
    return {
      ok: false,
      reason: SkipReason.InvalidIncrement,
      detail: `${field} "${v.slice(0, 40)}" is not a positive decimal increment with at most ${MAX_SCALE} decimals`,
    };
  return { ok: true, scale, mantissa };
}

/** An integer precision in 0..18, or null. */
export function precisionOf(v: unknown): number | null {
  return Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_SCALE ? (v as number) : null;
}

/** Builds a registry from instrument lists (first one wins on a repeated venue+symbol). */
export function registryOf(...lists: readonly (readonly InstrumentInput[])[]): InstrumentRegistry {
  const reg = new InstrumentRegistry();
  for (const list of lists) for (const input of list) reg.add(input);
  return reg;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An entry read into an instrument, or the reason it was skipped. */
export type EntryOutcome =
  | { readonly ok: true; readonly input: Omit<InstrumentInput, 'venue'> }
  | { readonly ok: false; readonly symbol: string | null; readonly reason: SkipReasonCode; readonly detail: string };

export const skipEntry = (symbol: string | null, reason: SkipReasonCode, detail: string): EntryOutcome => ({
  ok: false,
  symbol,
  reason,
  detail,
});

/**
 * Reads every entry (`[where, value]`) of a venue document with `read`; non-objects are skipped
 * before `read` sees them.
 */
export function collectEntries(
  venue: VenueName,
  entries: Iterable<readonly [string, unknown]>,
  read: (entry: Record<string, unknown>, at: string) => EntryOutcome,
  into: ListCollector = new ListCollector(venue),
): InstrumentListResult {
  for (const [at, e] of entries) {
    const r = isObject(e) ? read(e, at) : skipEntry(null, SkipReason.NotAnObject, `${at} is not an object`);
    if (r.ok) into.add(at, r.input);
    else into.skip(at, r.symbol, r.reason, r.detail);
  }
  return into.result();
}

/** Array items as `[at, item]` with `at` = `<prefix>[i]`. */
export function indexed(list: readonly unknown[], prefix: string): [string, unknown][] {
  return list.map((v, i) => [`${prefix}[${i}]`, v]);
}

/** The common shape: a symbol and two decimal increments (price tick, size step). */
export function symbolAndSteps(
  at: string,
  symbol: { value: unknown; field: string },
  tick: { value: unknown; field: string },
  lot: { value: unknown; field: string },
): EntryOutcome {
  if (typeof symbol.value !== 'string' || symbol.value === '')
    return skipEntry(null, SkipReason.MissingSymbol, `${at}.${symbol.field} must be a non-empty string`);
  const sym = symbol.value;
  const t = readIncrement(tick.value, `${at} ${tick.field}`);
  if (!t.ok) return skipEntry(sym, t.reason, t.detail);
  const l = readIncrement(lot.value, `${at} ${lot.field}`);
  if (!l.ok) return skipEntry(sym, l.reason, l.detail);
  return { ok: true, input: { symbol: sym, priceScale: t.scale, sizeScale: l.scale, tickSize: t.mantissa, lotSize: l.mantissa } };
}
