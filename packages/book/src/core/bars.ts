import { BarKind, type BarLike, diffNs } from '@tickline/wire';

/** The Bar table's kind (schema/tickline.fbs). */
export { BarKind } from '@tickline/wire';
export type { BarLike } from '@tickline/wire';

/** The reused output record. */
export class BarRecord implements BarLike {
  instrument = 0;
  venue = 0;
  kind: BarKind = BarKind.Tick;
  priceScale = 0;
  sizeScale = 0;
  startS = 0;
  startNs = 0;
  endS = 0;
  endNs = 0;
  open = Number.NaN;
  high = Number.NaN;
  low = Number.NaN;
  close = Number.NaN;
  volume = 0;
  vwap = Number.NaN;
  tradeCount = 0;
  spreadAvg = Number.NaN;
  spreadMax = Number.NaN;
}

export type BarSink = (bar: BarLike) => void;

const POW10 = Array.from({ length: 19 }, (_, i) => 10 ** i);

/**
 * Builds one kind of bar for one instrument, on the receive clock (the pipeline's clock,
 * carried by every record). Trades set OHLC, volume, VWAP and count. The spread is sampled from
 * every book change and quote of the instrument and averaged TIME-WEIGHTED over the bar: each
 * observed spread counts for as long as it stood while the bar was open; spreadMax is the
 * largest spread standing at any moment of the bar (including the one standing when it opened).
 *
 * - Tick bars close on the N-th trade; volume bars on the trade that brings volume to the
 *   threshold (trades are not split across bars). Both span first..last trade receive time.
 * - Time bars are aligned buckets [k*interval, (k+1)*interval) of the receive clock. They close
 *   when any later record of the instrument (or `flush`) shows a time past the bucket. Buckets
 *   without trades emit nothing.
 */
export class BarBuilder {
  readonly kind: BarKind;
  /** Trades (tick), volume mantissa (volume) or interval ms (time). */
  readonly threshold: number;
  #open = false;
  #bucket = 0; // time bars: bucket index (ms / interval)
  #rec: BarRecord;
  #pxVol = 0;
  // spread state
  #spread = Number.NaN; // standing spread (decimal), NaN = unknown
  #spreadS = 0; // when it started standing (or the bar opened)
  #spreadNs = 0;
  #area = 0; // sum spread * ns
  #weighted = 0; // ns with a known spread
  #max = Number.NaN;

  constructor(kind: BarKind, threshold: number, instrument: number, venue: number, record = new BarRecord()) {
    if (!(threshold > 0)) throw new RangeError(`bar threshold must be positive, got ${threshold}`);
    this.kind = kind;
    this.threshold = threshold;
    this.#rec = record;
    this.#rec.instrument = instrument;
    this.#rec.venue = venue;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  /** One trade. Emits through `sink` when this (or an earlier time bucket) closes a bar. */
  trade(price: number, size: number, priceScale: number, sizeScale: number, recvS: number, recvNs: number, sink: BarSink): void {
    if (this.kind === BarKind.Time) this.advance(recvS, recvNs, sink);
    const r = this.#rec;
    if (!this.#open) this.#start(recvS, recvNs, priceScale, sizeScale);
    if (r.tradeCount === 0) {
      r.open = price;
      r.high = price;
      r.low = price;
    } else {
      if (price > r.high) r.high = price;
      if (price < r.low) r.low = price;
    }
    r.close = price;
    r.volume += size;
    r.tradeCount++;
    this.#pxVol += price * size;
    if (this.kind === BarKind.Tick) {
      if (r.tradeCount >= this.threshold) this.#close(recvS, recvNs, sink);
    } else if (this.kind === BarKind.Volume) {
      if (r.volume >= this.threshold) this.#close(recvS, recvNs, sink);
    }
  }

  /** A new standing spread (decimal; NaN when the book/quote has no two-sided touch). */
  spread(value: number, recvS: number, recvNs: number, sink: BarSink): void {
    if (this.kind === BarKind.Time) this.advance(recvS, recvNs, sink);
    if (this.#open) {
      this.#accrue(recvS, recvNs);
      if (value > this.#max || Number.isNaN(this.#max)) this.#max = value;
    }
    this.#spread = value;
    this.#spreadS = recvS;
    this.#spreadNs = recvNs;
  }

  /** Time bars: closes the open bar if `now` is past its bucket. No-op for other kinds. */
  advance(recvS: number, recvNs: number, sink: BarSink): void {
    if (this.kind !== BarKind.Time || !this.#open) return;
    const ms = recvS * 1000 + Math.floor(recvNs / 1e6);
    if (Math.floor(ms / this.threshold) === this.#bucket) return;
    const endMs = (this.#bucket + 1) * this.threshold;
    const endS = Math.floor(endMs / 1000);
    this.#close(endS, (endMs - endS * 1000) * 1e6, sink);
  }

  #start(recvS: number, recvNs: number, priceScale: number, sizeScale: number): void {
    const r = this.#rec;
    this.#open = true;
    r.kind = this.kind;
    r.priceScale = priceScale;
    r.sizeScale = sizeScale;
    if (this.kind === BarKind.Time) {
      const ms = recvS * 1000 + Math.floor(recvNs / 1e6);
      this.#bucket = Math.floor(ms / this.threshold);
      const startMs = this.#bucket * this.threshold;
      r.startS = Math.floor(startMs / 1000);
      r.startNs = (startMs - r.startS * 1000) * 1e6;
    } else {
      r.startS = recvS;
      r.startNs = recvNs;
    }
    r.volume = 0;
    r.tradeCount = 0;
    this.#pxVol = 0;
    this.#area = 0;
    this.#weighted = 0;
    this.#max = this.#spread;
    this.#spreadS = r.startS;
    this.#spreadNs = r.startNs;
  }

  #accrue(s: number, ns: number): void {
    const dt = diffNs(this.#spreadS, this.#spreadNs, s, ns);
    if (dt > 0 && !Number.isNaN(this.#spread)) {
      this.#area += this.#spread * dt;
      this.#weighted += dt;
    }
  }

  #close(endS: number, endNs: number, sink: BarSink): void {
    const r = this.#rec;
    this.#accrue(endS, endNs);
    r.endS = endS;
    r.endNs = endNs;
    r.vwap = r.volume > 0 ? this.#pxVol / r.volume / (POW10[r.priceScale] as number) : Number.NaN;
    r.spreadAvg = this.#weighted > 0 ? this.#area / this.#weighted : this.#spread;
    r.spreadMax = this.#max;
    this.#open = false;
    this.#spreadS = endS;
    this.#spreadNs = endNs;
    sink(r);
  }
}
