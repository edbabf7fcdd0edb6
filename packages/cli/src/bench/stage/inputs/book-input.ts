/**
 * The book stage's input: canonical records as normalize emits them for the embedded exchange's
 * instruments. A snapshot of `depth` levels a side per instrument (set-up), then the seeded L2
 * stream of the book package's own benchmark (packages/book/bench/stream.ts: a random walk per
 * instrument, updates mostly near the touch, the venue's depth cap) as delta batches of 1-4
 * levels with contiguous sequence numbers, and trade batches at the levels the deltas touch.
 * Prices are ticks x the instrument's tick size; sizes lots x its lot size.
 */

import { rng } from '@tickline/book/bench/rng';
import { generateStream } from '@tickline/book/bench/stream';
import type { Emitter } from '@tickline/runtime';
import { BookDeltaDraft, BookSnapshotDraft, type InstrumentSpec, SideCode, splitMs, TradeBatchDraft, VENUES } from '@tickline/wire';
import type { StagePlan, StageSizes } from '../plan.js';
import { TapeWriter } from '../tape.js';
import type { SimUniverse } from './sim-universe.js';

type Header = { instrument: number; venue: number; priceScale: number; sizeScale: number; recvS: number; recvNs: number };

export interface BookStreamOptions {
  /** Level changes in the body (about 2.5 per delta batch). */
  readonly updates: number;
  readonly depth: number;
  readonly seed: number;
  /** Chance of a trade batch after each delta batch. */
  readonly tradeShare: number;
}

/** Book config `tickline run` uses (tick bars every 50 trades). */
export const RUN_BOOK_CONFIG = { bars: { tickTrades: 50 } };

/**
 * Emits the snapshots, then `done()` (the set-up ends there), then the stream. Receive times
 * start now and advance 10 µs per record.
 */
export function emitBookStream(u: SimUniverse, o: BookStreamOptions, out: Emitter, primed: () => void): void {
  const s = generateStream({ instruments: u.specs.length, depth: o.depth, updates: o.updates, seed: o.seed, tick: 1 });
  const rand = rng(o.seed ^ 0x5eed);
  const t = splitMs(Date.now(), { s: 0, ns: 0 });
  let clock = Date.now();
  /** The header of a record about `spec`, received 10 µs after the previous one. */
  const header = (d: Header, spec: InstrumentSpec) => {
    d.instrument = spec.id;
    d.venue = VENUES.sim;
    d.priceScale = spec.priceScale;
    d.sizeScale = spec.sizeScale;
    clock += 0.01;
    splitMs(clock, t);
    d.recvS = t.s;
    d.recvNs = t.ns;
  };
  const snap = new BookSnapshotDraft();
  s.snapshots.forEach((book, i) => {
    const spec = u.specs[i];
    if (spec === undefined) return;
    snap.reset();
    header(snap, spec);
    snap.seq = 0;
    for (const [p, z] of book.bids) snap.bids.push(p * spec.tickSize, z * spec.lotSize);
    for (const [p, z] of book.asks) snap.asks.push(p * spec.tickSize, z * spec.lotSize);
    out.bookSnapshot(snap);
  });
  primed();
  const d = new BookDeltaDraft();
  const tr = new TradeBatchDraft();
  let tradeId = 0;
  for (let m = 0; m < s.messages; m++) {
    const start = s.msgStart[m] as number;
    const end = s.msgStart[m + 1] as number;
    const spec = u.specs[(s.inst[start] as number) - 1];
    if (spec === undefined) continue;
    d.reset();
    header(d, spec);
    d.firstSeq = s.msgSeq[m] as number;
    d.lastSeq = d.firstSeq;
    for (let k = start; k < end; k++) {
      const side = s.side[k] === 0 ? d.bids : d.asks;
      side.push((s.price[k] as number) * spec.tickSize, (s.size[k] as number) * spec.lotSize);
    }
    out.bookDelta(d);
    if (rand() < o.tradeShare) {
      tr.reset();
      header(tr, spec);
      const price = (s.price[start] as number) * spec.tickSize;
      const side = s.side[start] === 0 ? SideCode.Sell : SideCode.Buy;
      const n = 1 + Math.floor(rand() * 3);
      for (let k = 0; k < n; k++) tr.push(price, (1 + Math.floor(rand() * 100)) * spec.lotSize, side, ++tradeId, tr.recvS, tr.recvNs);
      out.trades(tr);
    }
  }
}

/** The stream behind `records` body records (about 2.5 level changes per delta batch). */
export function bookStream(records: number): BookStreamOptions {
  return { updates: Math.ceil(records * 2.6), depth: 50, seed: 42, tradeShare: 0.15 };
}

export function bookPlan(u: SimUniverse, z: StageSizes): StagePlan {
  const stream = bookStream(z.burst + z.paced);
  const w = new TapeWriter();
  emitBookStream(u, stream, w, () => w.endPrime());
  return {
    stage: 'book',
    registry: u.specs,
    tape: w.finish(),
    burst: z.burst,
    paced: z.paced,
    pacedRate: z.pacedRate,
    params: { instruments: u.specs.length, depth: stream.depth, updates: stream.updates, tradeShare: stream.tradeShare, seed: stream.seed },
    open: async () => ({ config: RUN_BOOK_CONFIG, close: async () => {} }),
  };
}
