/** Test helpers: a recording Emitter and plain objects implementing the view interfaces. */

import type { Emitter, Mark } from '@tickline/runtime';
import {
  type BarLike,
  type BookViewLike,
  type FillRecord,
  InstrumentRegistry,
  type LevelsLike,
  type OrderEventRecord,
  type OrderIntentRecord,
  type PositionRecord,
  type SignalRecord,
  type TradeBatchLike,
} from '@tickline/wire';

export class Recorder implements Emitter {
  readonly intents: OrderIntentRecord[] = [];
  readonly signals: SignalRecord[] = [];
  readonly events: OrderEventRecord[] = [];
  readonly fills: FillRecord[] = [];
  readonly positions: PositionRecord[] = [];
  readonly marks: Mark[] = [];
  readonly views: BookViewLike[] = [];
  readonly trades_: TradeBatchLike[] = [];
  readonly bars: BarLike[] = [];
  flushes = 0;
  rawFrame(): void {}
  bookDelta(): void {}
  bookSnapshot(): void {}
  quotes(): void {}
  trades(t: TradeBatchLike): void {
    this.trades_.push(t);
  }
  bookView(v: BookViewLike): void {
    this.views.push(v);
  }
  bar(b: BarLike): void {
    this.bars.push(b);
  }
  signal(s: SignalRecord): void {
    this.signals.push(s);
  }
  orderIntent(o: OrderIntentRecord): void {
    this.intents.push(o);
  }
  orderEvent(e: OrderEventRecord): void {
    this.events.push(e);
  }
  fill(f: FillRecord): void {
    this.fills.push(f);
  }
  position(p: PositionRecord): void {
    this.positions.push(p);
  }
  mark(m: Mark): void {
    this.marks.push(m);
  }
  flush(): void {
    this.flushes++;
  }
}

export function levels(rows: readonly (readonly [number, number])[]): LevelsLike {
  return { length: rows.length, price: (i) => rows[i]?.[0] ?? Number.NaN, size: (i) => rows[i]?.[1] ?? Number.NaN };
}

export interface ViewInput {
  instrument: number;
  bid: number;
  ask: number;
  bidSize?: number;
  askSize?: number;
  state?: number;
  nowMs?: number;
  venue?: number;
  priceScale?: number;
  sizeScale?: number;
}

/** A one-level book view; imbalance and microprice from the top sizes. */
export function view(v: ViewInput): BookViewLike {
  const bs = v.bidSize ?? 100;
  const as = v.askSize ?? 100;
  const t = v.nowMs ?? Date.now();
  const s = Math.floor(t / 1000);
  return {
    instrument: v.instrument,
    venue: v.venue ?? 1,
    priceScale: v.priceScale ?? 2,
    sizeScale: v.sizeScale ?? 0,
    recvS: s,
    recvNs: Math.round((t - s * 1000) * 1e6),
    state: v.state ?? 1,
    seq: 1,
    // derived figures are decimal values, as the book stage publishes them
    mid: (v.bid + v.ask) / 2 / 10 ** (v.priceScale ?? 2),
    microprice: (v.bid * as + v.ask * bs) / (bs + as) / 10 ** (v.priceScale ?? 2),
    imbalance: (bs - as) / (bs + as),
    spread: (v.ask - v.bid) / 10 ** (v.priceScale ?? 2),
    bids: levels([[v.bid, bs]]),
    asks: levels([[v.ask, as]]),
  };
}

export function tradeBatch(instrument: number, prices: readonly number[], nowMs = Date.now()): TradeBatchLike {
  const s = Math.floor(nowMs / 1000);
  return {
    instrument,
    venue: 1,
    priceScale: 2,
    sizeScale: 0,
    recvS: s,
    recvNs: 0,
    length: prices.length,
    price: (i) => prices[i] ?? Number.NaN,
    size: () => 10,
    side: () => 0,
    tradeId: (i) => i,
    exchS: () => s,
    exchNs: () => 0,
  };
}

/** AAPL (id 1), MSFT (id 2): prices at 2 decimals, whole shares; BTC-USD (id 3): 5 size decimals. */
export function testRegistry(): InstrumentRegistry {
  return InstrumentRegistry.from([
    { id: 1, venue: 'sim', symbol: 'AAPL', priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 },
    { id: 2, venue: 'sim', symbol: 'MSFT', priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 },
    { id: 3, venue: 'sim', symbol: 'BTC-USD', priceScale: 2, sizeScale: 5, tickSize: 1, lotSize: 1 },
  ]);
}

/** An intent as signals would emit it (created now unless given). */
export function intent(p: Partial<OrderIntentRecord> & { intentId: number; instrument: number }, nowMs = Date.now()): OrderIntentRecord {
  const s = Math.floor(nowMs / 1000);
  return {
    venue: 1,
    strategy: 'test',
    side: 0,
    type: 0,
    tif: 1,
    price: 10_000,
    size: 10,
    priceScale: 2,
    sizeScale: 0,
    reduceOnly: false,
    reason: 'test',
    inputs: [],
    createdS: s,
    createdNs: Math.round((nowMs - s * 1000) * 1e6),
    // made on data received just now
    recvS: s,
    recvNs: Math.round((nowMs - s * 1000) * 1e6),
    ...p,
  };
}
