import { decimalPlaces, type InstrumentInput, MAX_SCALE, type VenueName } from '@tickline/wire';
import { isObj, type Obj } from './fields.js';
import { queryParam } from './frame.js';

/**
 * Replay-only fallback: instruments inferred from the frames themselves, for captures recorded
 * without an instrument list. A symbol's price and size scales are the most *significant*
 * decimals seen in its price and size strings (trailing zeros ignored: Kraken v1 pads XMR/USD
 * prices to 8 decimals and also quotes an ask at 99999997, whose mantissa at scale 8 would pass
 * 2^53), tick and lot one unit of that last decimal. Scan the whole capture: a later string with
 * more significant decimals than inferred would be refused as `precision_exceeded`. Live feeds
 * must use the venue's instrument list instead.
 */
export interface InferFrame {
  readonly kind: number;
  readonly context: string | null;
  readonly text: string;
}

/** What the strings of one symbol showed. */
export interface InferredScales {
  /** Most significant decimals in prices / sizes (the scales inferInstruments uses). */
  priceScale: number;
  sizeScale: number;
  /**
   * Most decimals as written, trailing zeros included. Venues that pad to a fixed width (Kraken
   * v1, Binance) write every string with this many; a checksum over the venue's strings (Kraken v1)
   * rebuilds them as the mantissa padded with `priceText - priceScale` zeros.
   */
  priceText: number;
  sizeText: number;
}

type Seen = Map<string, InferredScales>;

export function inferScales(venue: VenueName, frames: Iterable<InferFrame>): Map<string, InferredScales> {
  const seen: Seen = new Map();
  for (const f of frames) {
    let msg: unknown;
    try {
      msg = JSON.parse(f.text);
    } catch {
      continue;
    }
    EXTRACT[venue](msg, f, seen);
  }
  return seen;
}

export function inferInstruments(venue: VenueName, frames: Iterable<InferFrame>): InstrumentInput[] {
  return [...inferScales(venue, frames)].map(([symbol, d]) => ({
    venue,
    symbol,
    priceScale: d.priceScale,
    sizeScale: d.sizeScale,
    tickSize: 1,
    lotSize: 1,
  }));
}

/** [significant decimals, written decimals] of a decimal string or JSON number; [-1, -1] if neither. */
function places(v: unknown): [number, number] {
  if (typeof v === 'string') {
    if (!/^[+-]?(\d+\.?\d*|\.\d+)$/.test(v)) return [-1, -1];
    const written = decimalPlaces(v);
    let end = v.length;
    if (written > 0) while (v.charCodeAt(end - 1) === 48) end--;
    return [written > 0 ? Math.max(0, end - v.indexOf('.') - 1) : 0, written];
  }
  if (typeof v === 'number' && Number.isFinite(v)) {
    for (let d = 0; d <= MAX_SCALE; d++) if (Math.round(v * 10 ** d) / 10 ** d === v) return [d, d];
  }
  return [-1, -1];
}

function note(seen: Seen, symbol: unknown, price: unknown, size: unknown): void {
  if (typeof symbol !== 'string') return;
  let e = seen.get(symbol);
  if (e === undefined) {
    e = { priceScale: 0, sizeScale: 0, priceText: 0, sizeText: 0 };
    seen.set(symbol, e);
  }
  const [ps, pt] = places(price);
  const [ss, st] = places(size);
  e.priceScale = Math.max(e.priceScale, ps);
  e.priceText = Math.max(e.priceText, pt);
  e.sizeScale = Math.max(e.sizeScale, ss);
  e.sizeText = Math.max(e.sizeText, st);
}

function levels(seen: Seen, symbol: unknown, list: unknown, pi = 0, si = 1): void {
  if (!Array.isArray(list)) return;
  for (const lv of list) {
    if (Array.isArray(lv)) note(seen, symbol, lv[pi], lv[si]);
    else if (isObj(lv)) note(seen, symbol, lv.price ?? lv.price_level, lv.qty ?? lv.new_quantity);
  }
}

function each(v: unknown, fn: (o: Obj) => void): void {
  if (Array.isArray(v)) for (const x of v) if (isObj(x)) fn(x);
}

function binance(msg: unknown, f: InferFrame, seen: Seen): void {
  if (!isObj(msg)) return;
  if (f.kind === 2) {
    const sym = queryParam(f.context, 'symbol');
    levels(seen, sym, msg.bids);
    levels(seen, sym, msg.asks);
    return;
  }
  const d = isObj(msg.data) ? msg.data : msg;
  const sym = d.s ?? (typeof msg.stream === 'string' ? msg.stream.split('@')[0]?.toUpperCase() : undefined);
  if (Array.isArray(d.b) || Array.isArray(d.a) || Array.isArray(d.bids)) {
    levels(seen, sym, d.b ?? d.bids);
    levels(seen, sym, d.a ?? d.asks);
  } else if (typeof d.b === 'string') {
    note(seen, sym, d.b, d.B);
    note(seen, sym, d.a, d.A);
  } else if (typeof d.p === 'string') {
    note(seen, sym, d.p, d.q);
  }
}

function coinbaseLegacy(msg: unknown, _f: InferFrame, seen: Seen): void {
  if (!isObj(msg)) return;
  const sym = msg.product_id;
  levels(seen, sym, msg.bids);
  levels(seen, sym, msg.asks);
  levels(seen, sym, msg.changes, 1, 2);
  if (msg.type === 'ticker') {
    note(seen, sym, msg.best_bid, msg.best_bid_size);
    note(seen, sym, msg.best_ask, msg.best_ask_size);
  } else if (msg.type === 'match' || msg.type === 'last_match') {
    note(seen, sym, msg.price, msg.size);
  }
}

function coinbase(msg: unknown, _f: InferFrame, seen: Seen): void {
  if (!isObj(msg)) return;
  each(msg.events, (ev) => {
    levels(seen, ev.product_id, ev.updates);
    each(ev.tickers, (t) => {
      note(seen, t.product_id, t.best_bid, t.best_bid_quantity);
      note(seen, t.product_id, t.best_ask, t.best_ask_quantity);
    });
    each(ev.trades, (t) => note(seen, t.product_id, t.price, t.size));
  });
}

function krakenV1(msg: unknown, _f: InferFrame, seen: Seen): void {
  if (!Array.isArray(msg) || msg.length < 4) return;
  const sym = msg[msg.length - 1];
  const name = msg[msg.length - 2];
  if (typeof name !== 'string') return;
  for (let i = 1; i < msg.length - 2; i++) {
    const p: unknown = msg[i];
    if (name.startsWith('book') && isObj(p)) for (const k of ['as', 'bs', 'a', 'b']) levels(seen, sym, p[k]);
    else if (name === 'trade') levels(seen, sym, p);
    else if (name === 'spread' && Array.isArray(p)) {
      note(seen, sym, p[0], p[3]);
      note(seen, sym, p[1], p[4]);
    } else if (name === 'ticker' && isObj(p) && Array.isArray(p.a) && Array.isArray(p.b)) {
      note(seen, sym, p.a[0], p.a[2]);
      note(seen, sym, p.b[0], p.b[2]);
    }
  }
}

function kraken(msg: unknown, _f: InferFrame, seen: Seen): void {
  if (!isObj(msg)) return;
  each(msg.data, (d) => {
    levels(seen, d.symbol, d.bids);
    levels(seen, d.symbol, d.asks);
    if (msg.channel === 'ticker') {
      note(seen, d.symbol, d.bid, d.bid_qty);
      note(seen, d.symbol, d.ask, d.ask_qty);
    } else if (msg.channel === 'trade') {
      note(seen, d.symbol, d.price, d.qty);
    }
  });
}

function okx(msg: unknown, _f: InferFrame, seen: Seen): void {
  if (!isObj(msg) || !isObj(msg.arg)) return;
  const arg = msg.arg;
  each(msg.data, (d) => {
    const sym = d.instId ?? arg.instId;
    levels(seen, sym, d.bids);
    levels(seen, sym, d.asks);
    if (arg.channel === 'tickers') {
      note(seen, sym, d.bidPx, d.bidSz);
      note(seen, sym, d.askPx, d.askSz);
    } else if (typeof d.px === 'string') {
      note(seen, sym, d.px, d.sz);
    }
  });
}

function sim(msg: unknown, f: InferFrame, seen: Seen): void {
  if (!isObj(msg)) return;
  const sym = typeof msg.channel === 'string' ? msg.channel.slice(msg.channel.indexOf(':') + 1) : f.kind === 2 ? msg.instrument : undefined;
  levels(seen, sym, msg.bids);
  levels(seen, sym, msg.asks);
  each(msg.trades, (t) => note(seen, sym, t.price, t.size));
}

const EXTRACT: Record<VenueName, (msg: unknown, f: InferFrame, seen: Seen) => void> = {
  sim,
  'binance-spot': binance,
  'binance-usdm': binance,
  'binance-coinm': binance,
  coinbase,
  'coinbase-legacy': coinbaseLegacy,
  kraken,
  'kraken-v1': krakenV1,
  okx,
};
