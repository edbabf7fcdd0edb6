import { MAX_SCALE } from './decimal.js';
import { isVenueName, type VenueName, VENUES } from './venues.js';

/** What every stage knows about an instrument. Tick and lot are mantissas at their scales. */
export interface InstrumentSpec {
  /** Canonical numeric id carried in every wire record (uint32). */
  readonly id: number;
  readonly venue: VenueName;
  /** The venue's own code, exactly as the venue spells it ("BTCUSDT", "XBT/USD", "AAPL"). */
  readonly symbol: string;
  readonly priceScale: number;
  readonly sizeScale: number;
  /** Minimum price increment as a mantissa at priceScale (1 = one unit of the last decimal). */
  readonly tickSize: number;
  /** Minimum size increment as a mantissa at sizeScale. */
  readonly lotSize: number;
}

export type InstrumentInput = Omit<InstrumentSpec, 'id'> & { readonly id?: number };

/** Canonical text id: `<venue>:<symbol>`. Used in config, logs and the dashboard. */
export function canonicalName(venue: VenueName, symbol: string): string {
  return `${venue}:${symbol}`;
}

/**
 * Maps (venue, symbol) to canonical numeric ids and back. Built by the supervisor and shipped
 * to workers as a plain array (`toJSON()` / `InstrumentRegistry.from`), so every thread agrees
 * on ids. Ids are dense from 1, which keeps per-instrument tables in arrays.
 */
export class InstrumentRegistry {
  readonly #byId: (InstrumentSpec | undefined)[] = [undefined];
  readonly #byKey = new Map<string, InstrumentSpec>();

  static from(list: readonly InstrumentSpec[]): InstrumentRegistry {
    const reg = new InstrumentRegistry();
    for (const spec of list) reg.add(spec);
    return reg;
  }

  get size(): number {
    return this.#byKey.size;
  }

  /** Adds an instrument (or returns the existing one with the same venue and symbol). */
  add(input: InstrumentInput): InstrumentSpec {
    if (!isVenueName(input.venue)) throw new TypeError(`instrument.venue must be one of ${Object.keys(VENUES).join(', ')}`);
    if (typeof input.symbol !== 'string' || input.symbol.length === 0) throw new TypeError('instrument.symbol must be a non-empty string');
    for (const key of ['priceScale', 'sizeScale'] as const) {
      const v = input[key];
      if (!Number.isInteger(v) || v < 0 || v > MAX_SCALE)
        throw new RangeError(`instrument.${key} must be an integer from 0 to ${MAX_SCALE}, got ${v}`);
    }
    for (const key of ['tickSize', 'lotSize'] as const) {
      const v = input[key];
      if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`instrument.${key} must be a positive integer mantissa, got ${v}`);
    }
    const key = canonicalName(input.venue, input.symbol);
    const existing = this.#byKey.get(key);
    if (existing) return existing;
    const id = input.id ?? this.#byId.length;
    if (!Number.isInteger(id) || id <= 0 || id > 0xffffffff)
      throw new RangeError(`instrument.id must be an integer from 1 to 4294967295, got ${id}`);
    if (this.#byId[id] !== undefined) throw new RangeError(`instrument.id ${id} is already taken by ${this.#byId[id]?.symbol}`);
    const spec: InstrumentSpec = Object.freeze({ ...input, id });
    while (this.#byId.length <= id) this.#byId.push(undefined);
    this.#byId[id] = spec;
    this.#byKey.set(key, spec);
    return spec;
  }

  get(id: number): InstrumentSpec | undefined {
    return this.#byId[id];
  }

  /** Exact, case-sensitive lookup: a mis-cased code is a different (unknown) code. */
  lookup(venue: VenueName, symbol: string): InstrumentSpec | undefined {
    return this.#byKey.get(canonicalName(venue, symbol));
  }

  list(): InstrumentSpec[] {
    return [...this.#byKey.values()];
  }

  toJSON(): InstrumentSpec[] {
    return this.list();
  }
}

/**
 * Partition of an instrument among `threads` workers: a 32-bit mix of the id (so dense ids
 * spread evenly) modulo the thread count. Every stage uses this one function, which is what
 * keeps an instrument's records on one worker per stage and so in order end to end.
 */
export function partitionOf(instrumentId: number, threads: number): number {
  let h = instrumentId | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % threads;
}
