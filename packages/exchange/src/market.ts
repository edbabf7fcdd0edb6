import type { Instrument } from './instruments.js';
import { Prng } from './prng.js';
import { type Side, SimBook } from './sim-book.js';

export type Profile = 'steady' | 'open';

export interface MarketConfig {
  seed: number;
  /** Virtual step length; one call to step() advances the market by this much. */
  stepMs: number;
  eventsPerSecond: number;
  profile: Profile;
  openEventsPerSecond: number;
  openWindowMs: number;
  minLevels: number;
  maxLevels: number;
}

export type TradeListener = (inst: Instrument, priceTicks: number, lots: number, aggressor: 'buy' | 'sell') => void;

interface Burst {
  index: number;
  untilStep: number;
}

/** Vose alias table: O(1) weighted choice of an instrument. */
class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Uint32Array;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    this.prob = new Float64Array(n);
    this.alias = new Uint32Array(n);
    const total = weights.reduce((a, b) => a + b, 0);
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => {
      (p < 1 ? small : large).push(i);
    });
    while (small.length > 0 && large.length > 0) {
      const s = small.pop() as number;
      const l = large.pop() as number;
      this.prob[s] = scaled[s] as number;
      this.alias[s] = l;
      scaled[l] = (scaled[l] as number) + (scaled[s] as number) - 1;
      ((scaled[l] as number) < 1 ? small : large).push(l);
    }
    for (const i of large) this.prob[i] = 1;
    for (const i of small) this.prob[i] = 1;
  }

  pick(prng: Prng): number {
    const i = prng.int(this.prob.length);
    return prng.next() < (this.prob[i] as number) ? i : (this.alias[i] as number);
  }
}

/**
 * The simulated market: one SimBook per instrument driven by a seeded random process. Pure and
 * synchronous: step() advances virtual time by one step and mutates books; the server publishes what
 * changed. Given the same seed and the same number of steps (and no order flow) it produces the same
 * books, sequence numbers and trades.
 */
export class Market {
  readonly books: SimBook[];
  /** Indices of books with unpublished changes, in first-change order. */
  readonly dirty: number[] = [];
  stepCount = 0;
  eventsGenerated = 0;
  onTrade: TradeListener | undefined;
  private readonly prng: Prng;
  private readonly fair: Float64Array;
  private readonly halfSpread: Uint8Array;
  private readonly alias: AliasTable;
  private readonly bursts: Burst[] = [];
  private carry = 0;

  constructor(
    readonly instruments: readonly Instrument[],
    readonly config: MarketConfig,
  ) {
    this.prng = new Prng(config.seed);
    const markDirty = (i: number): void => {
      this.dirty.push(i);
    };
    this.books = instruments.map((inst) => new SimBook(inst.index, markDirty));
    this.fair = new Float64Array(instruments.length);
    this.halfSpread = new Uint8Array(instruments.length);
    this.alias = new AliasTable(instruments.map((i) => i.activity));
    for (const inst of instruments) this.seedBook(inst);
    // The initial books are the state at seq 0: nothing to publish.
    for (const b of this.books) b.clearPending();
    this.dirty.length = 0;
  }

  /** Configured event rate (level changes + trades per second) at a given virtual time. */
  rateAt(elapsedMs: number): number {
    const c = this.config;
    return c.profile === 'open' && elapsedMs < c.openWindowMs ? c.openEventsPerSecond : c.eventsPerSecond;
  }

  /** Advances the market by one step; returns the number of events generated. */
  step(): number {
    const c = this.config;
    const elapsed = this.stepCount * c.stepMs;
    this.stepCount++;
    const opening = c.profile === 'open' && elapsed < c.openWindowMs;
    const prng = this.prng;
    // Occasional bursts: one instrument takes a large share of the flow for a while.
    if (prng.chance((opening ? 4 : 1) * c.stepMs * 0.0005)) {
      this.bursts.push({ index: this.alias.pick(prng), untilStep: this.stepCount + prng.range(25, 250) });
    }
    for (let i = this.bursts.length - 1; i >= 0; i--) {
      if ((this.bursts[i] as Burst).untilStep <= this.stepCount) this.bursts.splice(i, 1);
    }
    this.carry += (this.rateAt(elapsed) * c.stepMs) / 1000;
    let produced = 0;
    let guard = 0;
    const guardMax = 4 * Math.ceil(this.carry) + 100;
    while (produced < this.carry && guard++ < guardMax) {
      let index: number;
      if (this.bursts.length > 0 && prng.chance(0.25)) index = (this.bursts[prng.int(this.bursts.length)] as Burst).index;
      else index = this.alias.pick(prng);
      const cluster = 1 + prng.geometric(0.35, 12);
      const inst = this.instruments[index] as Instrument;
      for (let k = 0; k < cluster; k++) produced += this.event(inst, opening);
    }
    this.carry -= produced;
    this.eventsGenerated += produced;
    return produced;
  }

  private seedBook(inst: Instrument): void {
    const prng = this.prng;
    const book = this.books[inst.index] as SimBook;
    const fair = inst.initialPriceTicks;
    const half = prng.range(1, 3);
    this.fair[inst.index] = fair;
    this.halfSpread[inst.index] = half;
    for (const side of ['bid', 'ask'] as const) {
      const n = prng.range(Math.max(this.config.minLevels, 12), Math.min(this.config.maxLevels, 40));
      let p = side === 'bid' ? fair - half : fair + half;
      for (let i = 0; i < n && p > 0; i++) {
        book.setLevel(side, p, this.levelSize(inst));
        p += side === 'bid' ? -prng.range(1, 2) : prng.range(1, 2);
      }
    }
  }

  private levelSize(inst: Instrument): number {
    const f = 0.2 * 15 ** this.prng.next();
    return Math.max(1, Math.round(inst.typicalLevelLots * f));
  }

  /** One market action on one instrument; returns the number of events (level changes + trades). */
  private event(inst: Instrument, opening: boolean): number {
    const prng = this.prng;
    const book = this.books[inst.index] as SimBook;
    const side: Side = prng.chance(0.5) ? 'bid' : 'ask';
    const r = prng.next();
    if (r < 0.42) return this.update(inst, book, side);
    if (r < 0.62) {
      if (prng.chance(opening ? 0.35 : 0.2)) this.moveFair(inst);
      return this.insert(inst, book, side);
    }
    if (r < 0.8) return this.cancel(inst, book, side);
    return this.trade(inst, book, side === 'bid' ? 'sell' : 'buy', 0);
  }

  private moveFair(inst: Instrument): void {
    const f = (this.fair[inst.index] as number) + (this.prng.chance(0.5) ? 1 : -1);
    this.fair[inst.index] = Math.max(100, f);
  }

  private update(inst: Instrument, book: SimBook, side: Side): number {
    const s = book.side(side);
    const n = s.prices.length;
    if (n === 0) return this.refill(inst, book, side);
    const r = this.prng.next();
    const price = s.prices[Math.floor(n * r * r)] as number;
    book.setLevel(side, price, this.levelSize(inst));
    return 1;
  }

  private insert(inst: Instrument, book: SimBook, side: Side): number {
    const prng = this.prng;
    const fair = Math.round(this.fair[inst.index] as number);
    const half = this.halfSpread[inst.index] as number;
    const g = prng.geometric(0.3, 40);
    const price = side === 'bid' ? fair - half - g + 1 : fair + half + g - 1;
    if (price <= 0) return 0;
    const opposite = side === 'bid' ? book.bestAsk() : book.bestBid();
    const crosses = opposite !== undefined && (side === 'bid' ? price >= opposite : price <= opposite);
    if (crosses) return this.trade(inst, book, side === 'bid' ? 'buy' : 'sell', this.levelSize(inst));
    const s = book.side(side);
    const existing = s.sizeAt(price);
    book.setLevel(side, price, existing + this.levelSize(inst));
    let events = 1;
    if (s.prices.length > this.config.maxLevels) {
      book.setLevel(side, s.prices[s.prices.length - 1] as number, 0);
      events++;
    }
    return events;
  }

  private cancel(inst: Instrument, book: SimBook, side: Side): number {
    const s = book.side(side);
    if (s.prices.length <= this.config.minLevels) return this.update(inst, book, side);
    book.setLevel(side, s.prices[this.prng.int(s.prices.length)] as number, 0);
    return 1;
  }

  /**
   * An aggressor takes liquidity from the best opposite level. `wanted` 0 means a random share of
   * the level. Returns events: the trade plus the level change (plus a refill if the side ran thin).
   */
  private trade(inst: Instrument, book: SimBook, aggressor: 'buy' | 'sell', wanted: number): number {
    const restingSide: Side = aggressor === 'buy' ? 'ask' : 'bid';
    const s = book.side(restingSide);
    const price = s.prices[0];
    if (price === undefined) return this.refill(inst, book, restingSide);
    const size = s.sizes[0] as number;
    const r = this.prng.next();
    const lots = wanted > 0 ? Math.min(wanted, size) : Math.max(1, Math.min(size, Math.round(size * r * r)));
    book.recordTrade(price, lots, aggressor);
    book.setLevel(restingSide, price, size - lots);
    let events = 2;
    if (s.prices.length < this.config.minLevels) events += this.refill(inst, book, restingSide);
    this.onTrade?.(inst, price, lots, aggressor);
    return events;
  }

  /** Adds a level behind the worst one so a side never runs below minLevels. */
  private refill(inst: Instrument, book: SimBook, side: Side): number {
    const s = book.side(side);
    const fair = Math.round(this.fair[inst.index] as number);
    const worst = s.prices[s.prices.length - 1];
    const gap = this.prng.range(1, 3);
    let price: number;
    if (worst === undefined) price = side === 'bid' ? fair - (this.halfSpread[inst.index] as number) : fair + 1;
    else price = side === 'bid' ? worst - gap : worst + gap;
    if (side === 'ask') {
      const bid = book.bestBid();
      if (bid !== undefined && price <= bid) price = bid + 1;
    } else {
      const ask = book.bestAsk();
      if (ask !== undefined && price >= ask) price = ask - 1;
    }
    if (price <= 0) return 0;
    book.setLevel(side, price, this.levelSize(inst));
    return 1;
  }
}
