/**
 * A realistic synthetic L2 stream for many instruments: each instrument's "venue" book does a
 * random walk; most updates land within a few ticks of the touch (geometric distance, mean ~2
 * ticks), 35% of hits on an existing level remove it, and a side never holds more than `depth`
 * levels (the venue deletes its worst level instead), so every consumer's book, truncated or
 * not, must end identical. Updates come in messages of 1-4 levels for one instrument, bids
 * before asks within a message, with a per-instrument sequence number per message.
 */
import { rng } from './rng.js';

export interface StreamOptions {
  instruments: number;
  depth: number;
  updates: number;
  seed: number;
  /** Tick size as a price mantissa. */
  tick: number;
  /** Mean distance between neighbouring levels in ticks (1 = dense book; 10 = sparse, e.g. BTC at a 0.01 tick). */
  spacing?: number;
}

export interface SyntheticStream {
  readonly options: StreamOptions;
  /** Initial book per instrument (index = instrument id - 1), best first. */
  readonly snapshots: { bids: [number, number][]; asks: [number, number][] }[];
  readonly count: number;
  readonly inst: Uint32Array;
  /** 0 = bid, 1 = ask */
  readonly side: Uint8Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  /** Messages: [msgStart[m], msgStart[m+1]) with msgBids[m] bid levels first. */
  readonly messages: number;
  readonly msgStart: Uint32Array;
  readonly msgBids: Uint16Array;
  readonly msgSeq: Float64Array;
}

class VenueSide {
  readonly levels = new Map<number, number>();
  best = Number.NaN;
  constructor(readonly isBid: boolean) {}
  better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }
  recomputeBest(): void {
    let best = Number.NaN;
    for (const p of this.levels.keys()) if (Number.isNaN(best) || this.better(p, best)) best = p;
    this.best = best;
  }
  worst(): number {
    let w = Number.NaN;
    for (const p of this.levels.keys()) if (Number.isNaN(w) || this.better(w, p)) w = p;
    return w;
  }
}

export function generateStream(opts: StreamOptions): SyntheticStream {
  const { instruments, depth, updates, tick } = opts;
  const spacing = opts.spacing ?? 1;
  const gap = () => 1 + Math.floor(rand() * (2 * spacing + 1));
  const rand = rng(opts.seed);
  const books: { bids: VenueSide; asks: VenueSide; seq: number }[] = [];
  const snapshots: SyntheticStream['snapshots'] = [];
  for (let i = 0; i < instruments; i++) {
    const mid = (100_000 + Math.floor(rand() * 900_000)) * tick;
    const bids = new VenueSide(true);
    const asks = new VenueSide(false);
    let pb = mid - tick;
    let pa = mid + tick;
    const snap = { bids: [] as [number, number][], asks: [] as [number, number][] };
    for (let l = 0; l < depth; l++) {
      const sb = 1 + Math.floor(rand() * 1_000_000);
      const sa = 1 + Math.floor(rand() * 1_000_000);
      bids.levels.set(pb, sb);
      asks.levels.set(pa, sa);
      snap.bids.push([pb, sb]);
      snap.asks.push([pa, sa]);
      pb -= tick * gap();
      pa += tick * gap();
    }
    bids.best = mid - tick;
    asks.best = mid + tick;
    books.push({ bids, asks, seq: 0 });
    snapshots.push(snap);
  }
  const inst = new Uint32Array(updates);
  const side = new Uint8Array(updates);
  const price = new Float64Array(updates);
  const size = new Float64Array(updates);
  const msgStart: number[] = [];
  const msgBids: number[] = [];
  const msgSeq: number[] = [];
  let n = 0;
  const pending: [number, number, number][] = [];
  while (n < updates) {
    const id = Math.floor(rand() * instruments);
    const book = books[id] as (typeof books)[number];
    const k = Math.min(1 + Math.floor(rand() * 4), updates - n);
    pending.length = 0;
    for (let j = 0; j < k; j++) {
      const isAsk = rand() < 0.5;
      const s = isAsk ? book.asks : book.bids;
      const other = isAsk ? book.bids : book.asks;
      const d = Math.floor(-Math.log(1 - rand()) * 2 * spacing);
      const ref = Number.isNaN(other.best) ? (Number.isNaN(s.best) ? 1_000_000 * tick : s.best) : other.best;
      let p = isAsk ? ref + tick * (1 + d) : ref - tick * (1 + d);
      let z: number;
      if (s.levels.has(p)) {
        z = rand() < 0.35 ? 0 : 1 + Math.floor(rand() * 1_000_000);
      } else if (s.levels.size >= depth) {
        p = s.worst(); // the venue drops its worst level to make room
        z = 0;
      } else {
        z = 1 + Math.floor(rand() * 1_000_000);
      }
      if (z === 0) {
        s.levels.delete(p);
        if (p === s.best) s.recomputeBest();
      } else {
        s.levels.set(p, z);
        if (Number.isNaN(s.best) || s.better(p, s.best)) s.best = p;
      }
      pending.push([isAsk ? 1 : 0, p, z]);
    }
    // bids first, then asks, each in generation order (sides are independent)
    msgStart.push(n);
    let nb = 0;
    for (const [sd, p, z] of pending) {
      if (sd !== 0) continue;
      inst[n] = id + 1;
      side[n] = 0;
      price[n] = p;
      size[n++] = z;
      nb++;
    }
    for (const [sd, p, z] of pending) {
      if (sd !== 1) continue;
      inst[n] = id + 1;
      side[n] = 1;
      price[n] = p;
      size[n++] = z;
    }
    msgBids.push(nb);
    msgSeq.push(++book.seq);
  }
  msgStart.push(n);
  return {
    options: opts,
    snapshots,
    count: n,
    inst,
    side,
    price,
    size,
    messages: msgBids.length,
    msgStart: Uint32Array.from(msgStart),
    msgBids: Uint16Array.from(msgBids),
    msgSeq: Float64Array.from(msgSeq),
  };
}
