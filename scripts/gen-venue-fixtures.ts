/**
 * Writes the venue fixtures that no public capture covers (test/fixtures/venues/): a Binance COIN-M
 * hftbacktest collector file, a Coinbase Advanced Trade `level2` capture and a Kraken WebSocket v2
 * `book` capture, each in the venue's documented message formats, from one deterministic simulated
 * order book per instrument. The venue's own checks are computed here from the documentation, with
 * no tickline code: the COIN-M `pu` chain and bookTicker `u`, Coinbase's per-connection
 * `sequence_num`, Kraken's CRC32 book checksum.
 *
 *     node --import tsx scripts/gen-venue-fixtures.ts
 */

import { writeFileSync } from 'node:fs';
import { crc32, gzipSync } from 'node:zlib';

const OUT = new URL('../test/fixtures/venues/', import.meta.url).pathname;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer ticks and lots; `px(t)`/`qty(l)` format them. */
interface Market {
  bids: Map<number, number>;
  asks: Map<number, number>;
}

const sorted = (m: Map<number, number>, desc: boolean): [number, number][] => [...m].sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));

/** A simulated book: changes near the touch, occasional sweeps, quotes that come and go. */
class SimBook {
  readonly m: Market = { bids: new Map(), asks: new Map() };
  readonly #r: () => number;
  readonly #maxLot: number;
  mid: number;

  constructor(seed: number, midTicks: number, maxLot: number, levels: number) {
    this.#r = rng(seed);
    this.mid = midTicks;
    this.#maxLot = maxLot;
    for (let i = 1; i <= levels; i++) {
      this.m.bids.set(midTicks - i * (1 + Math.floor(this.#r() * 2)), this.#lot());
      this.m.asks.set(midTicks + i * (1 + Math.floor(this.#r() * 2)), this.#lot());
    }
  }

  #lot(): number {
    return 1 + Math.floor(this.#r() ** 2 * this.#maxLot);
  }

  bestBid(): number {
    return Math.max(...this.m.bids.keys());
  }
  bestAsk(): number {
    return Math.min(...this.m.asks.keys());
  }

  /** One venue update: the levels it changed (size 0 = removed), bids and asks. */
  step(): { bids: [number, number][]; asks: [number, number][]; trade: { price: number; lots: number; buy: boolean } | null } {
    const r = this.#r;
    const out = { bids: new Map<number, number>(), asks: new Map<number, number>() };
    let trade: { price: number; lots: number; buy: boolean } | null = null;
    const n = 1 + Math.floor(r() * 4);
    for (let k = 0; k < n; k++) {
      const bid = r() < 0.5;
      const side = bid ? this.m.bids : this.m.asks;
      const changes = bid ? out.bids : out.asks;
      const best = bid ? this.bestBid() : this.bestAsk();
      const other = bid ? this.bestAsk() : this.bestBid();
      const x = r();
      if (x < 0.45) {
        // resize a level near the touch
        const levels = sorted(side, bid).slice(0, 12);
        const [p] = levels[Math.floor(r() * levels.length)] as [number, number];
        const q = this.#lot();
        side.set(p, q);
        changes.set(p, q);
      } else if (x < 0.7) {
        // a new level, possibly inside the spread
        const off = Math.floor(r() * 15) - 2;
        const p = bid ? best - off : best + off;
        if (bid ? p >= other : p <= other) continue;
        const q = this.#lot();
        side.set(p, q);
        changes.set(p, q);
      } else if (x < 0.92 && side.size > 8) {
        // a level cancelled
        const levels = sorted(side, bid).slice(0, 15);
        const [p] = levels[Math.floor(r() * levels.length)] as [number, number];
        side.delete(p);
        changes.set(p, 0);
      } else if (side.size > 8) {
        // a trade takes (part of) the best level on this side
        const q = side.get(best) as number;
        const lots = 1 + Math.floor(r() * q);
        if (lots >= q) {
          side.delete(best);
          changes.set(best, 0);
        } else {
          side.set(best, q - lots);
          changes.set(best, q - lots);
        }
        trade = { price: best, lots, buy: !bid };
      }
    }
    return { bids: [...out.bids], asks: [...out.asks], trade };
  }
}

const fmt = (units: number, scale: number): string => {
  const s = String(units).padStart(scale + 1, '0');
  return scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
};
const iso = (ms: number, extraNs = 0): string =>
  `${new Date(ms).toISOString().slice(0, 19)}.${String((ms % 1000) * 1e6 + extraNs).padStart(9, '0')}Z`;
const secs = (ms: number, ns = 0): string =>
  `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1e6 + ns)
    .padStart(9, '0')
    .slice(0, 7)}`;

// ---------------------------------------------------------------- Binance COIN-M collector file

function coinm(): void {
  // BTCUSD_PERP: tick 0.1 USD, size in contracts (integers); documented shapes of the USDⓈ-M/COIN-M
  // diff depth stream (U, u, pu), the depth snapshot (lastUpdateId, E, T, symbol, pair) and
  // bookTicker (u); the collector writes `<recv ns> <raw message>` and the REST body inline.
  const r = rng(11);
  const book = new SimBook(12, 616855, 400, 60);
  const t0 = Date.UTC(2024, 7, 9, 0, 0, 0);
  const lines: string[] = [];
  const id = 7_912_000_000;
  let lastU = id;
  let tradeId = 912_345_000;
  let t = t0;
  const ns = (ms: number) => `${ms}${String(Math.floor(r() * 1e6)).padStart(6, '0')}`;
  const levels = (l: [number, number][]) => l.map(([p, q]) => [fmt(p, 1), String(q)]);
  const depth = (ms: number, U: number, u: number, pu: number, b: [number, number][], a: [number, number][]) =>
    `${ns(ms + 3)} {"stream":"btcusd_perp@depth@100ms","data":{"e":"depthUpdate","E":${ms + 1},"T":${ms},"s":"BTCUSD_PERP","ps":"BTCUSD","U":${U},"u":${u},"pu":${pu},"b":${JSON.stringify(levels(b))},"a":${JSON.stringify(levels(a))}}}`;
  // a few events before the snapshot (the collector subscribes, then asks for the snapshot)
  const pre: string[] = [];
  for (let i = 0; i < 4; i++) {
    t += 100;
    const s = book.step();
    const U = lastU + 1 + Math.floor(r() * 30);
    const u = U + Math.floor(r() * 40);
    pre.push(depth(t, U, u, lastU, s.bids, s.asks));
    lastU = u;
  }
  // the snapshot's lastUpdateId falls inside the next event's [U, u]
  t += 40;
  const U0 = lastU + 1 + Math.floor(r() * 10);
  const snapId = U0 + 3;
  const s0 = book.step();
  lines.push(...pre.slice(0, 2));
  const bids = sorted(book.m.bids, true);
  const asks = sorted(book.m.asks, false);
  lines.push(
    `${ns(t)} {"lastUpdateId":${snapId},"E":${t},"T":${t - 2},"symbol":"BTCUSD_PERP","pair":"BTCUSD","bids":${JSON.stringify(levels(bids))},"asks":${JSON.stringify(levels(asks))}}`,
  );
  lines.push(...pre.slice(2));
  // the event that brackets the snapshot: U <= lastUpdateId <= u
  t += 60;
  const u0 = U0 + 20;
  lines.push(depth(t, U0, u0, lastU, s0.bids, s0.asks));
  lastU = u0;
  for (let i = 0; i < 450; i++) {
    t += 40 + Math.floor(r() * 120);
    const s = book.step();
    if (s.bids.length + s.asks.length === 0) continue;
    const U = lastU + 1 + Math.floor(r() * 50);
    const u = U + Math.floor(r() * 60);
    lines.push(depth(t, U, u, lastU, s.bids, s.asks));
    lastU = u;
    const bb = book.bestBid();
    const ba = book.bestAsk();
    lines.push(
      `${ns(t + 4)} {"stream":"btcusd_perp@bookTicker","data":{"e":"bookTicker","u":${u},"s":"BTCUSD_PERP","ps":"BTCUSD","b":"${fmt(bb, 1)}","B":"${book.m.bids.get(bb)}","a":"${fmt(ba, 1)}","A":"${book.m.asks.get(ba)}","T":${t},"E":${t + 1}}}`,
    );
    if (s.trade) {
      tradeId++;
      lines.push(
        `${ns(t + 5)} {"stream":"btcusd_perp@aggTrade","data":{"e":"aggTrade","E":${t + 2},"a":${tradeId},"s":"BTCUSD_PERP","p":"${fmt(s.trade.price, 1)}","q":"${s.trade.lots}","f":${tradeId * 3},"l":${tradeId * 3},"T":${t},"m":${!s.trade.buy}}}`,
      );
    }
  }
  writeFileSync(`${OUT}btcusd_perp_20240809.gz`, gzipSync(`${lines.join('\n')}\n`, { level: 9 }));
}

// ---------------------------------------------------------------- Coinbase Advanced Trade capture

function coinbase(): void {
  // level2 (channel l2_data: snapshot then updates, side bid/offer, new_quantity absolute),
  // market_trades (side = maker's), heartbeats; sequence_num counts every message of the connection.
  const url = 'wss://advanced-trade-ws.coinbase.com';
  const r = rng(21);
  const products = [
    { id: 'BTC-USD', book: new SimBook(22, 6_012_001, 2_000_000, 50), ps: 2, ss: 8 },
    { id: 'ETH-USD', book: new SimBook(23, 265_011, 30_000_000, 50), ps: 2, ss: 8 },
  ];
  const t0 = Date.UTC(2024, 7, 9, 12, 0, 0);
  let t = t0;
  let seq = 0;
  let trade = 640_000_000;
  let hb = 0;
  const out: string[] = [`${url} <-> ${secs(t)}`];
  const sent = (msg: unknown) => out.push(`${url} <- ${secs(t)}: ${JSON.stringify(msg)}`);
  const recv = (channel: string, events: unknown[]) => {
    t += 1 + Math.floor(r() * 3);
    out.push(
      `${secs(t, Math.floor(r() * 999))}: ${JSON.stringify({ channel, client_id: '', timestamp: iso(t, 123), sequence_num: seq++, events })}`,
    );
  };
  const ids = products.map((p) => p.id);
  sent({ type: 'subscribe', channel: 'heartbeats' });
  sent({ type: 'subscribe', product_ids: ids, channel: 'level2' });
  sent({ type: 'subscribe', product_ids: ids, channel: 'market_trades' });
  recv('subscriptions', [{ subscriptions: { heartbeats: ['heartbeats'] } }]);
  recv('subscriptions', [{ subscriptions: { heartbeats: ['heartbeats'], level2: ids } }]);
  const lvl = (p: (typeof products)[number], side: 'bid' | 'offer', l: [number, number][]) =>
    l.map(([px, q]) => ({ side, event_time: iso(t), price_level: fmt(px, p.ps), new_quantity: fmt(q, p.ss) }));
  for (const p of products)
    recv('l2_data', [
      {
        type: 'snapshot',
        product_id: p.id,
        updates: [...lvl(p, 'bid', sorted(p.book.m.bids, true)), ...lvl(p, 'offer', sorted(p.book.m.asks, false))],
      },
    ]);
  recv('subscriptions', [{ subscriptions: { heartbeats: ['heartbeats'], level2: ids, market_trades: ids } }]);
  let nextHb = t + 1000;
  for (let i = 0; i < 600; i++) {
    t += 20 + Math.floor(r() * 80);
    if (t >= nextHb) {
      hb++;
      recv('heartbeats', [
        {
          current_time: `${new Date(t).toISOString().replace('T', ' ').slice(0, 23)}000000 +0000 UTC m=+${hb}.000000001`,
          heartbeat_counter: hb,
        },
      ]);
      nextHb += 1000;
    }
    const p = products[Math.floor(r() * products.length)] as (typeof products)[number];
    const s = p.book.step();
    if (s.bids.length + s.asks.length === 0) continue;
    recv('l2_data', [{ type: 'update', product_id: p.id, updates: [...lvl(p, 'bid', s.bids), ...lvl(p, 'offer', s.asks)] }]);
    if (s.trade) {
      // market_trades: the maker's side
      recv('market_trades', [
        {
          type: 'update',
          trades: [
            {
              trade_id: String(++trade),
              product_id: p.id,
              price: fmt(s.trade.price, p.ps),
              size: fmt(s.trade.lots, p.ss),
              side: s.trade.buy ? 'SELL' : 'BUY',
              time: new Date(t).toISOString(),
            },
          ],
        },
      ]);
    }
  }
  writeFileSync(`${OUT}coinbase-advanced-level2-2024-08-09.cap`, `${out.join('\n')}\n`);
}

// ---------------------------------------------------------------- Kraken WebSocket v2 capture

/** Kraken's book checksum (docs.kraken.com, "Spot Websockets (v2) Book Checksum"). */
function krakenChecksum(bids: [number, number][], asks: [number, number][], ps: number, qs: number): number {
  const part = (l: [number, number][]) =>
    l
      .slice(0, 10)
      .map(([p, q]) => `${fmt(p, ps).replace('.', '').replace(/^0+/, '')}${fmt(q, qs).replace('.', '').replace(/^0+/, '')}`)
      .join('');
  return crc32(Buffer.from(part(asks) + part(bids)));
}

function krakenV2(): void {
  // book (depth 25): snapshot then updates of the depth-25 view (levels leaving it are deleted,
  // levels entering it are sent), prices/quantities as JSON numbers, CRC32 checksum of the top 10;
  // the instrument channel gives the precisions the checksum formats with.
  const url = 'wss://ws.kraken.com/v2';
  const r = rng(31);
  const depth = 25;
  const pairs = [
    { symbol: 'BTC/USD', book: new SimBook(32, 616_855, 200_000_000, 60), ps: 1, qs: 8 },
    { symbol: 'ETH/EUR', book: new SimBook(33, 241_503, 900_000_000, 60), ps: 2, qs: 8 },
  ];
  const t0 = Date.UTC(2024, 7, 9, 18, 0, 0);
  let t = t0;
  let req = 0;
  let trade = 71_000_000;
  const out: string[] = [`${url} <-> ${secs(t)}`];
  const sent = (msg: unknown) => out.push(`${url} <- ${secs(t)}: ${JSON.stringify(msg)}`);
  const recv = (text: string) => {
    t += 1 + Math.floor(r() * 3);
    out.push(`${secs(t, Math.floor(r() * 999))}: ${text}`);
  };
  // JSON numbers in plain decimal notation, shortest form
  const num = (units: number, scale: number) => fmt(units, scale).replace(/\.?0+$/, (m) => (m.startsWith('.') || scale > 0 ? '' : m));
  const side = (l: [number, number][], p: (typeof pairs)[number]) =>
    `[${l.map(([px, q]) => `{"price":${num(px, p.ps)},"qty":${num(q, p.qs)}}`).join(',')}]`;
  const view = (p: (typeof pairs)[number]) => ({
    bids: sorted(p.book.m.bids, true).slice(0, depth),
    asks: sorted(p.book.m.asks, false).slice(0, depth),
  });
  recv(
    JSON.stringify({
      channel: 'status',
      type: 'update',
      data: [{ version: '2.0.8', system: 'online', api_version: 'v2', connection_id: 12_893_617_221_473 }],
    }),
  );
  sent({ method: 'subscribe', params: { channel: 'instrument' }, req_id: ++req });
  recv(
    JSON.stringify({
      method: 'subscribe',
      req_id: req,
      result: { channel: 'instrument', snapshot: true },
      success: true,
      time_in: iso(t),
      time_out: iso(t),
    }),
  );
  recv(
    JSON.stringify({
      channel: 'instrument',
      type: 'snapshot',
      data: {
        assets: [],
        pairs: pairs.map((p) => ({
          symbol: p.symbol,
          base: p.symbol.split('/')[0],
          quote: p.symbol.split('/')[1],
          status: 'online',
          qty_precision: p.qs,
          qty_increment: 1e-8,
          price_precision: p.ps,
          price_increment: 10 ** -p.ps,
          cost_precision: 5,
          marginable: false,
          has_index: true,
          cost_min: 0.5,
          qty_min: 0.0001,
        })),
      },
    }),
  );
  const symbols = pairs.map((p) => p.symbol);
  sent({ method: 'subscribe', params: { channel: 'book', symbol: symbols, depth }, req_id: ++req });
  const prev = new Map<string, { bids: [number, number][]; asks: [number, number][] }>();
  for (const p of pairs) {
    recv(
      JSON.stringify({
        method: 'subscribe',
        req_id: req,
        result: { channel: 'book', depth, snapshot: true, symbol: p.symbol },
        success: true,
        time_in: iso(t),
        time_out: iso(t),
      }),
    );
    const v = view(p);
    prev.set(p.symbol, v);
    recv(
      `{"channel":"book","type":"snapshot","data":[{"symbol":"${p.symbol}","bids":${side(v.bids, p)},"asks":${side(v.asks, p)},"checksum":${krakenChecksum(v.bids, v.asks, p.ps, p.qs)},"timestamp":"${iso(t)}"}]}`,
    );
  }
  sent({ method: 'subscribe', params: { channel: 'trade', symbol: symbols, snapshot: false }, req_id: ++req });
  for (const p of pairs)
    recv(
      JSON.stringify({
        method: 'subscribe',
        req_id: req,
        result: { channel: 'trade', snapshot: false, symbol: p.symbol },
        success: true,
        time_in: iso(t),
        time_out: iso(t),
      }),
    );
  let nextHb = t + 1000;
  // Levels that left the view first (a client truncating at the depth has room for those entering).
  const diff = (a: [number, number][], b: [number, number][]) => {
    const now = new Set(b.map(([px]) => px));
    const res: [number, number][] = a.filter(([px]) => !now.has(px)).map(([px]) => [px, 0]);
    const old = new Map(a);
    for (const [px, q] of b) if (old.get(px) !== q) res.push([px, q]);
    return res;
  };
  for (let i = 0; i < 600; i++) {
    t += 20 + Math.floor(r() * 80);
    if (t >= nextHb) {
      recv('{"channel":"heartbeat"}');
      nextHb += 1000;
    }
    const p = pairs[Math.floor(r() * pairs.length)] as (typeof pairs)[number];
    const s = p.book.step();
    const before = prev.get(p.symbol) as { bids: [number, number][]; asks: [number, number][] };
    const after = view(p);
    const db = diff(before.bids, after.bids);
    const da = diff(before.asks, after.asks);
    prev.set(p.symbol, after);
    if (db.length + da.length > 0)
      recv(
        `{"channel":"book","type":"update","data":[{"symbol":"${p.symbol}","bids":${side(db, p)},"asks":${side(da, p)},"checksum":${krakenChecksum(after.bids, after.asks, p.ps, p.qs)},"timestamp":"${iso(t)}"}]}`,
      );
    if (s.trade)
      recv(
        `{"channel":"trade","type":"update","data":[{"symbol":"${p.symbol}","side":"${s.trade.buy ? 'buy' : 'sell'}","price":${num(s.trade.price, p.ps)},"qty":${num(s.trade.lots, p.qs)},"ord_type":"market","trade_id":${++trade},"timestamp":"${iso(t)}"}]}`,
      );
  }
  writeFileSync(`${OUT}kraken-v2-book-2024-08-09.cap`, `${out.join('\n')}\n`);
}

coinm();
coinbase();
krakenV2();
console.log(`wrote ${OUT}`);
