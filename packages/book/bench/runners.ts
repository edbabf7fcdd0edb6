import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BookDeltaLike, LevelsLike } from '@tickline/wire';
import { InstrumentRegistry, VENUES } from '@tickline/wire';
import { BookCore } from '../src/core/book-core.js';
import { L2Book } from '../src/core/l2-book.js';
import { LadderSide } from './ladder-side.js';
import type { SyntheticStream } from './stream.js';

export type Levels = [number, number][];

/** One contender: build books from the snapshots (untimed), apply the stream (timed), read back. */
export interface Runner {
  readonly name: string;
  setup(s: SyntheticStream): void;
  run(s: SyntheticStream): void;
  /** Final book of an instrument, best first. */
  read(id: number): { bids: Levels; asks: Levels };
}

function take(side: LevelsLike): Levels {
  const out: Levels = [];
  for (let i = 0; i < side.length; i++) out.push([side.price(i), side.size(i)]);
  return out;
}

class ArrayLevels implements LevelsLike {
  length = 0;
  constructor(private readonly rows: Levels) {
    this.length = rows.length;
  }
  price(i: number): number {
    return (this.rows[i] as [number, number])[0];
  }
  size(i: number): number {
    return (this.rows[i] as [number, number])[1];
  }
}

export class TicklineRunner implements Runner {
  readonly name: string = 'tickline:book';
  books: L2Book[] = [];
  setup(s: SyntheticStream): void {
    this.books = [new L2Book(1)];
    for (const snap of s.snapshots) {
      const b = new L2Book(s.options.depth);
      b.load(new ArrayLevels(snap.bids), new ArrayLevels(snap.asks));
      this.books.push(b);
    }
  }
  run(s: SyntheticStream): void {
    const { inst, side, price, size, count } = s;
    const books = this.books;
    for (let i = 0; i < count; i++) {
      const b = books[inst[i] as number] as L2Book;
      (side[i] === 0 ? b.bids : b.asks).set(price[i] as number, size[i] as number);
    }
  }
  read(id: number) {
    const b = this.books[id] as L2Book;
    return { bids: take(b.bids), asks: take(b.asks) };
  }
}

export class LadderRunner implements Runner {
  readonly name: string = 'tickline:ladder';
  sides: LadderSide[] = [];
  setup(s: SyntheticStream): void {
    const { depth, tick } = s.options;
    this.sides = [new LadderSide(1, 1, 1), new LadderSide(-1, 1, 1)];
    for (const snap of s.snapshots) {
      const b = new LadderSide(1, depth, tick);
      const a = new LadderSide(-1, depth, tick);
      for (const [p, z] of snap.bids) b.set(p, z);
      for (const [p, z] of snap.asks) a.set(p, z);
      this.sides.push(b, a);
    }
  }
  run(s: SyntheticStream): void {
    const { inst, side, price, size, count } = s;
    const sides = this.sides;
    for (let i = 0; i < count; i++) {
      (sides[(inst[i] as number) * 2 + (side[i] as number)] as LadderSide).set(price[i] as number, size[i] as number);
    }
  }
  read(id: number) {
    return { bids: take(this.sides[id * 2] as LadderSide), asks: take(this.sides[id * 2 + 1] as LadderSide) };
  }
}

/** A delta view over one message of the stream (zero copy). */
class StreamDelta implements BookDeltaLike {
  instrument = 0;
  venue = VENUES.sim;
  priceScale = 2;
  sizeScale = 0;
  recvS = 1_700_000_000;
  recvNs = 0;
  exchS = 0;
  exchNs = 0;
  firstSeq = 0;
  lastSeq = Number.NaN;
  prevSeq = Number.NaN;
  checksum = Number.NaN;
  readonly bids = new SliceLevels();
  readonly asks = new SliceLevels();
}

class SliceLevels implements LevelsLike {
  start = 0;
  length = 0;
  price_: Float64Array = new Float64Array(0);
  size_: Float64Array = new Float64Array(0);
  price(i: number): number {
    return this.price_[this.start + i] as number;
  }
  size(i: number): number {
    return this.size_[this.start + i] as number;
  }
}

/** The full stage path: BookCore.onDelta (sequence checks, crossed check, a view per message). */
export class CoreRunner implements Runner {
  readonly name = 'tickline:core';
  core: BookCore | null = null;
  views = 0;
  setup(s: SyntheticStream): void {
    const registry = new InstrumentRegistry();
    const { tick, depth } = s.options;
    for (let i = 1; i <= s.snapshots.length; i++) {
      registry.add({ id: i, venue: 'sim', symbol: `S${i}`, priceScale: 2, sizeScale: 0, tickSize: tick, lotSize: 1 });
    }
    this.views = 0;
    const core = new BookCore({ depth, viewLevels: 10 }, registry, {
      view: (v) => {
        this.views += v.bids.length;
      },
      resync: () => {
        throw new Error('bench stream must never need a resync');
      },
      bar: () => {},
    });
    s.snapshots.forEach((snap, i) => {
      core.onSnapshot({
        instrument: i + 1,
        venue: VENUES.sim,
        priceScale: 2,
        sizeScale: 0,
        recvS: 1_700_000_000,
        recvNs: 0,
        exchS: 0,
        exchNs: 0,
        seq: 0,
        checksum: Number.NaN,
        bids: new ArrayLevels(snap.bids),
        asks: new ArrayLevels(snap.asks),
      });
    });
    this.core = core;
  }
  run(s: SyntheticStream): void {
    const core = this.core as BookCore;
    const d = new StreamDelta();
    d.bids.price_ = s.price;
    d.bids.size_ = s.size;
    d.asks.price_ = s.price;
    d.asks.size_ = s.size;
    const { msgStart, msgBids, msgSeq, inst, messages } = s;
    for (let m = 0; m < messages; m++) {
      const start = msgStart[m] as number;
      const nb = msgBids[m] as number;
      d.instrument = inst[start] as number;
      d.firstSeq = msgSeq[m] as number;
      d.bids.start = start;
      d.bids.length = nb;
      d.asks.start = start + nb;
      d.asks.length = (msgStart[m + 1] as number) - start - nb;
      core.onDelta(d);
    }
  }
  read(id: number) {
    const b = (this.core as BookCore).book(id) as L2Book;
    return { bids: take(b.bids), asks: take(b.asks) };
  }
}

interface CcxtSide {
  storeArray(delta: [number, number]): void;
  length: number;
  [i: number]: [number, number];
}
interface CcxtBook {
  bids: CcxtSide;
  asks: CcxtSide;
}
type CcxtBookCtor = new (snapshot: { bids: Levels; asks: Levels }, depth?: number) => CcxtBook;

/** ccxt's OrderBook class (the JS package's ws order book; not exported by its package root). */
export async function loadCcxtOrderBook(): Promise<CcxtBookCtor> {
  const require = createRequire(import.meta.url);
  const main = require.resolve('ccxt'); // .../ccxt/dist/ccxt.cjs
  const file = path.join(path.dirname(main), '..', 'js', 'src', 'base', 'ws', 'OrderBook.js');
  const mod = (await import(pathToFileURL(file).href)) as { OrderBook: CcxtBookCtor };
  return mod.OrderBook;
}

export class CcxtRunner implements Runner {
  readonly name = 'ccxt:book';
  books: CcxtBook[] = [];
  rows: [number, number][] = [];
  constructor(private readonly OrderBook: CcxtBookCtor) {}
  setup(s: SyntheticStream): void {
    const depth = s.options.depth;
    this.books = [new this.OrderBook({ bids: [], asks: [] }, depth)];
    for (const snap of s.snapshots) {
      this.books.push(new this.OrderBook({ bids: snap.bids.map((r) => [r[0], r[1]]), asks: snap.asks.map((r) => [r[0], r[1]]) }, depth));
    }
    // ccxt keeps the delta arrays it is given as its rows, as when they come from JSON.parse:
    // build them outside the timed loop (generous to ccxt: no allocation is timed).
    const rows: [number, number][] = new Array(s.count);
    for (let i = 0; i < s.count; i++) rows[i] = [s.price[i] as number, s.size[i] as number];
    this.rows = rows;
  }
  run(s: SyntheticStream): void {
    const { inst, side, count } = s;
    const books = this.books;
    const rows = this.rows;
    for (let i = 0; i < count; i++) {
      const b = books[inst[i] as number] as CcxtBook;
      (side[i] === 0 ? b.bids : b.asks).storeArray(rows[i] as [number, number]);
    }
  }
  read(id: number) {
    const b = this.books[id] as CcxtBook;
    const side = (x: CcxtSide): Levels => {
      const out: Levels = [];
      for (let i = 0; i < x.length; i++) out.push([(x[i] as [number, number])[0], (x[i] as [number, number])[1]]);
      return out;
    };
    return { bids: side(b.bids), asks: side(b.asks) };
  }
  release(): void {
    this.rows = [];
  }
}

/** Reads what a BookView publishes: top 10 levels of each side (checksummed so it is not elided). */
function readView(bids: LevelsLike, asks: LevelsLike): number {
  let acc = 0;
  const nb = Math.min(10, bids.length);
  const na = Math.min(10, asks.length);
  for (let i = 0; i < nb; i++) acc += bids.price(i) + bids.size(i);
  for (let i = 0; i < na; i++) acc += asks.price(i) + asks.size(i);
  return acc;
}

/** Apply one message, then read its view (top 10 per side): the stage's per-message work. */
export class BookViewRunner extends TicklineRunner {
  override readonly name = 'tickline:book+view';
  sink = 0;
  override run(s: SyntheticStream): void {
    const { inst, side, price, size, msgStart, messages } = s;
    const books = this.books;
    let acc = 0;
    for (let m = 0; m < messages; m++) {
      const start = msgStart[m] as number;
      const end = msgStart[m + 1] as number;
      const b = books[inst[start] as number] as L2Book;
      for (let i = start; i < end; i++) (side[i] === 0 ? b.bids : b.asks).set(price[i] as number, size[i] as number);
      acc += readView(b.bids, b.asks);
    }
    this.sink = acc;
  }
}

export class LadderViewRunner extends LadderRunner {
  override readonly name = 'tickline:ladder+view';
  sink = 0;
  override run(s: SyntheticStream): void {
    const { inst, side, price, size, msgStart, messages } = s;
    const sides = this.sides;
    let acc = 0;
    for (let m = 0; m < messages; m++) {
      const start = msgStart[m] as number;
      const end = msgStart[m + 1] as number;
      const id = inst[start] as number;
      for (let i = start; i < end; i++) (sides[id * 2 + (side[i] as number)] as LadderSide).set(price[i] as number, size[i] as number);
      acc += readView(sides[id * 2] as LadderSide, sides[id * 2 + 1] as LadderSide);
    }
    this.sink = acc;
  }
}
