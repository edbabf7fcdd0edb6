/**
 * The embedded exchange with its public market driven by replayed `sim` frames instead of its own
 * generator: the backtest's fill model. Books are the exchange's own SimBooks (same symbols, same
 * precisions), set from recorded snapshots and deltas; recorded trades go to the matching engine as
 * market trades, so resting client orders fill when the replay trades at or through them. Order
 * entry is the normal WebSocket protocol (acks, execution reports, fees, latency, partial fills
 * across levels): nothing in the matching engine changes.
 *
 * The generator never runs (the server starts paused and stays paused). Each replayed frame
 * replaces what it names; liquidity taken by a client order stays taken until the replay next
 * sets that level.
 */

import type { Fill } from './accounts.js';
import { formatBigUnits, formatUnits, parseUnits } from './decimal.js';
import type { Conn } from './conn.js';
import { type Instrument, type InstrumentInfo, instrumentInfo } from './instruments.js';
import { Market } from './market.js';
import { MatchingEngine } from './matching.js';
import { type ExchangeOptions, validateExchangeOptions } from './options.js';
import { ExchangeServer } from './server.js';
import type { SimBook } from './sim-book.js';

/** An instrument of a recording of another venue: the exchange lists and trades it as given. */
export interface ReplayInstrument {
  readonly symbol: string;
  readonly priceScale: number;
  readonly sizeScale: number;
  /** Tick and lot as mantissas at the scales. */
  readonly tickSize: number;
  readonly lotSize: number;
}

/** A price level or trade in units of 10^-scale (integer mantissas). */
export type UnitLevel = readonly [price: number, size: number];

export interface ReplayFill {
  fillId: string;
  clientOrderId: string;
  instrument: string;
  side: 'buy' | 'sell';
  price: string;
  size: string;
  liquidity: 'maker' | 'taker';
  /** Quote currency, 8 decimals. */
  fee: string;
  /** price x size, quote currency, exact (pricePrecision + sizePrecision decimals). */
  notional: string;
  ts: number;
}

export interface ReplayAccountSummary {
  account: string;
  fills: ReplayFill[];
  /** Quote currency, 8 decimals. */
  feesPaid: string;
  cash: string;
  positions: Record<string, string>;
  orders: number;
}

export interface ReplayMarketStats {
  frames: number;
  snapshots: number;
  deltas: number;
  trades: number;
  /** Frames naming an instrument the exchange does not list, or levels off its tick/lot grid. */
  unknown: number;
  ignored: number;
}

export interface ReplayExchangeHandle {
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly instruments: readonly InstrumentInfo[];
  /** Applies one recorded raw frame (UTF-8 JSON of the sim protocol); returns false when ignored. */
  applyFrame(bytes: Uint8Array | string): boolean;
  /** Applies canonical book data (mantissas at the instrument's scales): a snapshot replaces the book, a delta sets levels. */
  applyBook(symbol: string, snapshot: boolean, bids: readonly UnitLevel[], asks: readonly UnitLevel[]): boolean;
  /** Applies recorded market trades (mantissas); `aggressor` as printed by the venue. */
  applyTrades(symbol: string, trades: readonly { price: number; size: number; aggressor: 'buy' | 'sell' }[]): boolean;
  /** Orders queued for the configured latency and not yet processed. */
  pendingOrders(): number;
  account(name: string): ReplayAccountSummary;
  marketStats(): ReplayMarketStats;
  close(): Promise<void>;
}

type Level = [string, string];
interface SimFrame {
  type?: unknown;
  channel?: unknown;
  seq?: unknown;
  bids?: unknown;
  asks?: unknown;
  trades?: unknown;
  books?: unknown;
  instrument?: unknown;
}

const decoder = new TextDecoder();

class ReplayMarket {
  readonly stats: ReplayMarketStats = { frames: 0, snapshots: 0, deltas: 0, trades: 0, unknown: 0, ignored: 0 };
  constructor(private readonly server: ExchangeServer) {
    // The generator's initial books are not the recording's: empty every book until its snapshot.
    for (const book of server.market.books) {
      this.clearSide(book, 'bid');
      this.clearSide(book, 'ask');
      book.clearPending();
    }
    server.market.dirty.length = 0;
  }

  apply(bytes: Uint8Array | string): boolean {
    this.stats.frames++;
    let f: SimFrame;
    try {
      f = JSON.parse(typeof bytes === 'string' ? bytes : decoder.decode(bytes)) as SimFrame;
    } catch {
      this.stats.ignored++;
      return false;
    }
    if (f === null || typeof f !== 'object') return this.ignore();
    if (Array.isArray(f.books)) {
      // REST /v1/books answer: several snapshots
      for (const b of f.books as SimFrame[]) this.book(String(b.instrument), b, true);
      return true;
    }
    if (typeof f.instrument === 'string' && Array.isArray(f.bids)) return this.book(f.instrument, f, true);
    if (typeof f.channel !== 'string') return this.ignore();
    const colon = f.channel.indexOf(':');
    const symbol = f.channel.slice(colon + 1);
    if (f.type === 'snapshot' || f.type === 'delta') return this.book(symbol, f, f.type === 'snapshot');
    if (f.type === 'trade') return this.trades(symbol, f.trades);
    return this.ignore();
  }

  private ignore(): false {
    this.stats.ignored++;
    return false;
  }

  private inst(symbol: string): Instrument | undefined {
    const inst = this.server.bySymbol.get(symbol);
    if (inst === undefined) this.stats.unknown++;
    return inst;
  }

  private book(symbol: string, f: SimFrame, snapshot: boolean): boolean {
    const inst = this.inst(symbol);
    if (inst === undefined) return false;
    const ok = this.setBook(inst, snapshot, this.units(inst, f.bids), this.units(inst, f.asks));
    if (typeof f.seq === 'number') (this.server.market.books[inst.index] as SimBook).seq = f.seq;
    return ok;
  }

  /** Decimal-string levels of the sim protocol as unit levels; malformed ones are counted and left out. */
  private units(inst: Instrument, levels: unknown): UnitLevel[] {
    if (!Array.isArray(levels)) return [];
    const out: UnitLevel[] = [];
    for (const l of levels as Level[]) {
      const price = parseUnits(String(l[0]), inst.pricePrecision);
      const size = parseUnits(String(l[1]), inst.sizePrecision);
      if (price === undefined || size === undefined) this.stats.unknown++;
      else out.push([price, size]);
    }
    return out;
  }

  applyBook(symbol: string, snapshot: boolean, bids: readonly UnitLevel[], asks: readonly UnitLevel[]): boolean {
    const inst = this.inst(symbol);
    return inst !== undefined && this.setBook(inst, snapshot, bids, asks);
  }

  private setBook(inst: Instrument, snapshot: boolean, bids: readonly UnitLevel[], asks: readonly UnitLevel[]): boolean {
    const book = this.server.market.books[inst.index] as SimBook;
    if (snapshot) {
      this.stats.snapshots++;
      this.clearSide(book, 'bid');
      this.clearSide(book, 'ask');
    } else this.stats.deltas++;
    this.levels(inst, book, 'bid', bids);
    this.levels(inst, book, 'ask', asks);
    // Nobody is subscribed to the public market of a replay: drop the pending publication.
    book.clearPending();
    this.server.market.dirty.length = 0;
    return true;
  }

  private levels(inst: Instrument, book: SimBook, side: 'bid' | 'ask', levels: readonly UnitLevel[]): void {
    for (const [price, size] of levels) {
      if (!(price > 0) || !(size >= 0) || price % inst.tickUnits !== 0 || size % inst.lotUnits !== 0) {
        this.stats.unknown++;
        continue;
      }
      book.setLevel(side, price / inst.tickUnits, size / inst.lotUnits);
    }
  }

  private clearSide(book: SimBook, side: 'bid' | 'ask'): void {
    const s = book.side(side);
    for (const p of s.prices.slice()) s.set(p, 0);
  }

  private trades(symbol: string, trades: unknown): boolean {
    const inst = this.inst(symbol);
    if (inst === undefined || !Array.isArray(trades)) return false;
    const out: { price: number; size: number; aggressor: 'buy' | 'sell' }[] = [];
    for (const t of trades as { price?: unknown; size?: unknown; side?: unknown }[]) {
      const price = parseUnits(String(t.price), inst.pricePrecision);
      const size = parseUnits(String(t.size), inst.sizePrecision);
      if (price === undefined || size === undefined) this.stats.unknown++;
      else out.push({ price, size, aggressor: t.side === 'sell' ? 'sell' : 'buy' });
    }
    return this.marketTrades(inst, out);
  }

  applyTrades(symbol: string, trades: readonly { price: number; size: number; aggressor: 'buy' | 'sell' }[]): boolean {
    const inst = this.inst(symbol);
    return inst !== undefined && this.marketTrades(inst, trades);
  }

  private marketTrades(inst: Instrument, trades: readonly { price: number; size: number; aggressor: 'buy' | 'sell' }[]): boolean {
    const now = Date.now();
    for (const t of trades) {
      if (!(t.price > 0) || !(t.size > 0) || t.price % inst.tickUnits !== 0 || t.size % inst.lotUnits !== 0) {
        this.stats.unknown++;
        continue;
      }
      this.stats.trades++;
      this.server.engine.onMarketTrade(inst, t.price / inst.tickUnits, t.size / inst.lotUnits, t.aggressor, now);
    }
    this.server.flushReports();
    return true;
  }
}

function fillOf(f: Fill): ReplayFill {
  const o = f.order;
  const i = o.inst;
  const priceUnits = f.priceTicks * i.tickUnits;
  const sizeUnits = f.lots * i.lotUnits;
  return {
    fillId: f.fillId,
    clientOrderId: o.clientOrderId,
    instrument: i.symbol,
    side: o.side,
    price: formatUnits(priceUnits, i.pricePrecision),
    size: formatUnits(sizeUnits, i.sizePrecision),
    liquidity: f.liquidity,
    fee: formatBigUnits(f.fee, 8),
    notional: formatBigUnits(BigInt(priceUnits) * BigInt(sizeUnits), i.pricePrecision + i.sizePrecision),
    ts: f.ts,
  };
}

function instrumentOf(r: ReplayInstrument, index: number): Instrument {
  return {
    index,
    symbol: r.symbol,
    kind: 'crypto',
    pricePrecision: r.priceScale,
    sizePrecision: r.sizeScale,
    tickUnits: r.tickSize,
    lotUnits: r.lotSize,
    tickSize: formatUnits(r.tickSize, r.priceScale),
    lotSize: formatUnits(r.lotSize, r.sizeScale),
    // only used to seed the generator's books, which are emptied before the replay starts
    initialPriceTicks: 10_000,
    typicalLevelLots: 10,
    activity: 1,
  };
}

/**
 * Swaps the server's generated universe for the recording's instruments. The server has no option
 * for a given universe; its instrument tables are plain fields, so they are replaced before it
 * listens (books, matching engine and subscription tables all sized to the new list).
 */
function useUniverse(server: ExchangeServer, universe: readonly ReplayInstrument[]): void {
  const instruments = universe.map(instrumentOf);
  const bySymbol = new Map(instruments.map((i) => [i.symbol, i]));
  const o = server.options;
  const market = new Market(instruments, {
    seed: o.seed,
    stepMs: o.tickMs,
    eventsPerSecond: o.eventsPerSecond,
    profile: o.profile,
    openEventsPerSecond: o.openEventsPerSecond,
    openWindowMs: o.openWindowMs,
    minLevels: o.minLevels,
    maxLevels: o.maxLevels,
  });
  // biome-ignore lint/complexity/useLiteralKeys: onReport is private to the server; element access reaches it
  const engine = new MatchingEngine(bySymbol, market.books, o, (r) => server['onReport'](r));
  Object.assign(server, {
    instruments,
    bySymbol,
    market,
    engine,
    bookSubs: instruments.map(() => new Set<Conn>()),
    tradeSubs: instruments.map(() => new Set<Conn>()),
  });
}

/**
 * Starts the exchange (HTTP + WebSocket on loopback, options as `startExchange`) with a replay-driven
 * market. Without `universe`, `instruments` and `seed` must give the universe a sim recording was made
 * on; with it, the exchange lists exactly those instruments (a recording of another venue).
 */
export async function startReplayExchange(
  options: Partial<ExchangeOptions> = {},
  universe?: readonly ReplayInstrument[],
): Promise<ReplayExchangeHandle> {
  const v = validateExchangeOptions({ ...options, ...(universe !== undefined ? { instruments: 1 } : {}), paused: true });
  if (!v.ok) throw new RangeError(`invalid exchange options: ${v.errors.join('; ')}`);
  const server = new ExchangeServer(v.value);
  if (universe !== undefined) useUniverse(server, universe);
  const market = new ReplayMarket(server);
  const addr = await server.listen();
  const host = v.value.host.includes(':') ? `[${v.value.host}]` : v.value.host;
  return {
    port: addr.port,
    httpUrl: `http://${host}:${addr.port}`,
    wsUrl: `ws://${host}:${addr.port}/v1/stream`,
    instruments: server.instruments.map(instrumentInfo),
    applyFrame: (bytes) => market.apply(bytes),
    applyBook: (symbol, snapshot, bids, asks) => market.applyBook(symbol, snapshot, bids, asks),
    applyTrades: (symbol, trades) => market.applyTrades(symbol, trades),
    pendingOrders: () => server.orderQueue.length,
    account(name) {
      const a = server.engine.account(name);
      const positions: Record<string, string> = {};
      for (const [symbol, p] of a.positions) {
        const inst = server.bySymbol.get(symbol);
        positions[symbol] = inst === undefined ? String(p.units) : formatUnits(p.units, inst.sizePrecision);
      }
      return {
        account: name,
        fills: a.fills.map(fillOf),
        feesPaid: formatBigUnits(a.feesPaid, 8),
        cash: formatBigUnits(a.cash, 8),
        positions,
        orders: a.orders.size,
      };
    },
    marketStats: () => ({ ...market.stats }),
    close: () => server.close(),
  };
}
