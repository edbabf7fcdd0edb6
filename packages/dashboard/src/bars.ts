/**
 * Time bars built in the dashboard from periodic samples of the market view (last trade, else
 * mid). Used for charts while no stage exposes its own bars over the control plane. Memory is
 * bounded: a ring of `kept` bars per instrument, allocated on the instrument's first price.
 */

const F = 6; // time (s), open, high, low, close, volume

export interface Bar {
  time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

interface Ring {
  data: Float64Array;
  head: number; // index of the newest bar
  size: number;
  lastVolume: number;
}

export class BarStore {
  readonly seconds: number;
  readonly kept: number;
  readonly #rings = new Map<number, Ring>();

  constructor(seconds: number, kept: number) {
    this.seconds = seconds;
    this.kept = kept;
  }

  /** One sample of an instrument: a price and its cumulative traded volume. */
  sample(id: number, price: number, cumVolume: number, nowMs: number): void {
    if (!Number.isFinite(price) || price <= 0) return;
    let r = this.#rings.get(id);
    if (!r) {
      r = { data: new Float64Array(this.kept * F), head: -1, size: 0, lastVolume: cumVolume };
      this.#rings.set(id, r);
    }
    const t = Math.floor(nowMs / 1000 / this.seconds) * this.seconds;
    const d = r.data;
    const vol = Math.max(0, cumVolume - r.lastVolume);
    r.lastVolume = cumVolume;
    let o = r.head * F;
    if (r.size > 0 && d[o] === t) {
      if (price > (d[o + 2] as number)) d[o + 2] = price;
      if (price < (d[o + 3] as number)) d[o + 3] = price;
      d[o + 4] = price;
      d[o + 5] = (d[o + 5] as number) + vol;
      return;
    }
    r.head = (r.head + 1) % this.kept;
    r.size = Math.min(r.size + 1, this.kept);
    o = r.head * F;
    d[o] = t;
    d[o + 1] = price;
    d[o + 2] = price;
    d[o + 3] = price;
    d[o + 4] = price;
    d[o + 5] = vol;
  }

  /** Bars of an instrument, oldest first. */
  bars(id: number): Bar[] {
    const r = this.#rings.get(id);
    if (!r) return [];
    const out: Bar[] = [];
    for (let k = r.size - 1; k >= 0; k--) {
      const o = (((r.head - k) % this.kept) + this.kept) % this.kept;
      out.push(this.#bar(r.data, o * F));
    }
    return out;
  }

  latest(id: number): Bar | null {
    const r = this.#rings.get(id);
    return r && r.size > 0 ? this.#bar(r.data, r.head * F) : null;
  }

  #bar(d: Float64Array, o: number): Bar {
    return {
      time: d[o] as number,
      open: d[o + 1] as number,
      high: d[o + 2] as number,
      low: d[o + 3] as number,
      close: d[o + 4] as number,
      volume: d[o + 5] as number,
    };
  }
}

/**
 * Tick bars as the signals core keeps them, `[kind, startS, endS, open, high, low, close, volume]`
 * with mantissa prices, turned into chart bars with one bar per second (bars ending in the same
 * second merge, since chart time must strictly increase).
 */
export function fromTickBars(raw: readonly (readonly number[])[], priceScale: number, sizeScale: number): Bar[] {
  const ps = 10 ** priceScale;
  const ss = 10 ** sizeScale;
  const out: Bar[] = [];
  for (const b of raw) {
    if (b.length < 8) continue;
    const time = Math.floor(b[2] as number);
    const bar = {
      time,
      open: (b[3] as number) / ps,
      high: (b[4] as number) / ps,
      low: (b[5] as number) / ps,
      close: (b[6] as number) / ps,
      volume: (b[7] as number) / ss,
    };
    const last = out[out.length - 1];
    if (last && last.time >= time) {
      last.high = Math.max(last.high, bar.high);
      last.low = Math.min(last.low, bar.low);
      last.close = bar.close;
      last.volume += bar.volume;
    } else out.push(bar);
  }
  return out;
}
