import { BookDeltaDraft, BookSnapshotDraft, type LevelsLike } from '@tickline/wire';

/** A deterministic PRNG (mulberry32) so failures reproduce. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The naive reference: a Map per side with the same depth semantics as BookSide (keep the best
 * `depth` levels; a new level worse than every kept level of a full side is ignored).
 */
export class RefSide {
  readonly map = new Map<number, number>();
  constructor(
    readonly isBid: boolean,
    readonly depth: number,
  ) {}
  #better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }
  set(price: number, size: number): void {
    if (size === 0) {
      this.map.delete(price);
      return;
    }
    if (this.map.has(price) || this.map.size < this.depth) {
      this.map.set(price, size);
      return;
    }
    let worst = Number.NaN;
    for (const p of this.map.keys()) if (Number.isNaN(worst) || this.#better(worst, p)) worst = p;
    if (this.#better(price, worst)) {
      this.map.delete(worst);
      this.map.set(price, size);
    }
  }
  load(levels: [number, number][]): void {
    this.map.clear();
    for (const [p, s] of levels) if (s !== 0 && this.map.size < this.depth) this.map.set(p, s);
  }
  sorted(): [number, number][] {
    return [...this.map.entries()].sort((a, b) => (this.isBid ? b[0] - a[0] : a[0] - b[0]));
  }
}

export function levelsOf(side: LevelsLike): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < side.length; i++) out.push([side.price(i), side.size(i)]);
  return out;
}

export interface DeltaInit {
  instrument?: number;
  venue: number;
  first?: number;
  last?: number;
  prev?: number;
  checksum?: number;
  bids?: [number, number][];
  asks?: [number, number][];
  recvS?: number;
  recvNs?: number;
  priceScale?: number;
  sizeScale?: number;
}

export function delta(init: DeltaInit, d = new BookDeltaDraft()): BookDeltaDraft {
  d.reset();
  d.instrument = init.instrument ?? 1;
  d.venue = init.venue;
  d.priceScale = init.priceScale ?? 2;
  d.sizeScale = init.sizeScale ?? 3;
  d.recvS = init.recvS ?? 1_700_000_000;
  d.recvNs = init.recvNs ?? 0;
  d.firstSeq = init.first ?? Number.NaN;
  d.lastSeq = init.last ?? Number.NaN;
  d.prevSeq = init.prev ?? Number.NaN;
  d.checksum = init.checksum ?? Number.NaN;
  for (const [p, s] of init.bids ?? []) d.bids.push(p, s);
  for (const [p, s] of init.asks ?? []) d.asks.push(p, s);
  return d;
}

export interface SnapInit {
  instrument?: number;
  venue: number;
  seq?: number;
  checksum?: number;
  bids: [number, number][];
  asks: [number, number][];
  recvS?: number;
  recvNs?: number;
  priceScale?: number;
  sizeScale?: number;
}

export function snapshot(init: SnapInit, s = new BookSnapshotDraft()): BookSnapshotDraft {
  s.reset();
  s.instrument = init.instrument ?? 1;
  s.venue = init.venue;
  s.priceScale = init.priceScale ?? 2;
  s.sizeScale = init.sizeScale ?? 3;
  s.recvS = init.recvS ?? 1_700_000_000;
  s.recvNs = init.recvNs ?? 0;
  s.seq = init.seq ?? Number.NaN;
  s.checksum = init.checksum ?? Number.NaN;
  for (const [p, z] of init.bids) s.bids.push(p, z);
  for (const [p, z] of init.asks) s.asks.push(p, z);
  return s;
}
