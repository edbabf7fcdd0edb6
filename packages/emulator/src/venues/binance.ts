/**
 * Binance market streams (spot, USD-M and COIN-M futures), as documented: combined streams at
 * `/stream` (frames `{"stream","data"}`, `?streams=a/b` subscribes at connect) and raw streams at
 * `/ws`; `{"method":"SUBSCRIBE"|"UNSUBSCRIBE"|"LIST_SUBSCRIPTIONS","params":[...],"id":N}` answered
 * `{"result":null,"id":N}`; unknown symbols are accepted and simply carry no data, as on Binance.
 * Books are seeded by REST depth snapshots (`/api/v3/depth`, `/fapi/v1/depth`, `/dapi/v1/depth`)
 * of the file's book at the current point, lastUpdateId = the last update id applied. Limits:
 * incoming messages per connection (5/s spot, 10/s futures; ping and pong frames count; over it
 * the connection is closed), 1024 streams per connection, 300 connection attempts per 5 minutes;
 * the server pings (every 20 s spot, 3 min futures) and drops a connection that does not pong.
 */

import type { L2Book } from '@tickline/book';
import type { RecordedFrame } from '@tickline/ingest';
import type { EmulatorConnection, SubChannel, Subscription } from '../connection.js';
import { fixed, levels } from '../format.js';
import { json, lotText, parseObject, strings, tickText } from './shared.js';
import type { EmulatedVenue, RestAnswer, VenueHost } from './types.js';

type BinanceVenueName = 'binance-spot' | 'binance-usdm' | 'binance-coinm';

interface Flavour {
  readonly depthPath: string;
  readonly infoPath: string;
  /** Allowed depth limits (futures) or null (spot: 1..5000). */
  readonly limits: readonly number[] | null;
  readonly defaultLimit: number;
  readonly messagesPerSecond: number;
  readonly pingIntervalMs: number;
  /** Decimals prices and sizes are written with (spot pads to 8; futures at the symbol's precision: 0). */
  readonly padTo: number;
}

const FLAVOURS: Record<BinanceVenueName, Flavour> = {
  'binance-spot': {
    depthPath: '/api/v3/depth',
    infoPath: '/api/v3/exchangeInfo',
    limits: null,
    defaultLimit: 100,
    messagesPerSecond: 5,
    pingIntervalMs: 20_000,
    padTo: 8,
  },
  'binance-usdm': {
    depthPath: '/fapi/v1/depth',
    infoPath: '/fapi/v1/exchangeInfo',
    limits: [5, 10, 20, 50, 100, 500, 1000],
    defaultLimit: 500,
    messagesPerSecond: 10,
    pingIntervalMs: 180_000,
    padTo: 0,
  },
  'binance-coinm': {
    depthPath: '/dapi/v1/depth',
    infoPath: '/dapi/v1/exchangeInfo',
    limits: [5, 10, 20, 50, 100, 500, 1000],
    defaultLimit: 500,
    messagesPerSecond: 10,
    pingIntervalMs: 180_000,
    padTo: 0,
  },
};

const MAX_STREAMS = 1024;
const STREAM_PREFIX = Buffer.from('{"stream":"');
const DATA_KEY = Buffer.from('"data":');

/** `btcusdt@depth@100ms` -> the channel it carries, or null for streams this emulator has no data for. */
function channelOf(kind: string): SubChannel | null {
  if (kind === 'depth' || kind.startsWith('depth@')) return 'book';
  if (kind === 'aggTrade' || kind === 'trade') return 'trades';
  if (kind === 'bookTicker') return 'quotes';
  return null;
}

export class BinanceVenue implements EmulatedVenue {
  readonly venue: BinanceVenueName;
  readonly wsPath = '/stream';
  readonly connectLimit = { messages: 300, windowMs: 300_000 };
  readonly messageLimit: { messages: number; windowMs: number };
  readonly pingIntervalMs: number;
  readonly #f: Flavour;

  constructor(venue: BinanceVenueName) {
    this.venue = venue;
    this.#f = FLAVOURS[venue];
    this.messageLimit = { messages: this.#f.messagesPerSecond, windowMs: 1000 };
    this.pingIntervalMs = this.#f.pingIntervalMs;
  }

  acceptsPath(p: string): boolean {
    return p === '/stream' || p === '/ws' || p.startsWith('/ws/');
  }

  open(conn: EmulatorConnection, host: VenueHost): void {
    conn.state.set('combined', conn.path === '/stream');
    conn.state.set('streams', new Set<string>());
    const named = conn.path.startsWith('/ws/') ? [conn.path.slice(4)] : (conn.query.get('streams')?.split('/') ?? []);
    if (named.length > 0) this.#subscribe(conn, named.filter(Boolean), host);
  }

  request(conn: EmulatorConnection, text: string, host: VenueHost): void {
    const m = parseObject(text);
    if (m === null) return conn.send(JSON.stringify({ code: 3, msg: 'Invalid JSON: expected an object' }));
    const id = typeof m.id === 'number' || typeof m.id === 'string' ? m.id : null;
    const params = m.params === undefined ? [] : strings(m.params);
    if (params === null) return conn.send(JSON.stringify({ code: 2, msg: 'Invalid request: params must be an array of stream names', id }));
    const streams = conn.state.get('streams') as Set<string>;
    switch (m.method) {
      case 'SUBSCRIBE': {
        if (host.subscribeFault(conn) > 0)
          return conn.send(JSON.stringify({ code: -1003, msg: 'Too many requests; current limit exceeded.', id }));
        const fresh = params.filter((p) => !streams.has(p));
        if (streams.size + fresh.length > MAX_STREAMS) {
          host.within(conn, 'streams_per_connection', { messages: 0, windowMs: 1 });
          return conn.send(JSON.stringify({ code: 2, msg: `Invalid request: a connection may hold at most ${MAX_STREAMS} streams`, id }));
        }
        this.#subscribe(conn, params, host);
        return conn.send(JSON.stringify({ result: null, id }));
      }
      case 'UNSUBSCRIBE':
        for (const p of params) {
          streams.delete(p);
          const at = p.indexOf('@');
          const spec = host.spec(p.slice(0, at).toUpperCase());
          const ch = channelOf(p.slice(at + 1));
          if (spec && ch) host.unsubscribe(conn, ch, spec.id);
        }
        return conn.send(JSON.stringify({ result: null, id }));
      case 'LIST_SUBSCRIPTIONS':
        return conn.send(JSON.stringify({ result: [...streams], id }));
      default:
        return conn.send(JSON.stringify({ code: 2, msg: `Invalid request: unknown method ${JSON.stringify(m.method)}`, id }));
    }
  }

  #subscribe(conn: EmulatorConnection, names: readonly string[], host: VenueHost): void {
    const streams = conn.state.get('streams') as Set<string>;
    for (const name of names) {
      streams.add(name);
      const at = name.indexOf('@');
      if (at <= 0) continue;
      // Stream names are lower case; symbols upper case. An unknown symbol is accepted, without data.
      const spec = host.spec(name.slice(0, at).toUpperCase());
      const channel = channelOf(name.slice(at + 1));
      if (spec && channel) host.subscribe(conn, { channel, spec, name, snapshot: false });
    }
  }

  async rest(path: string, query: URLSearchParams, host: VenueHost): Promise<RestAnswer | null> {
    if (path === this.#f.infoPath) return this.#exchangeInfo(host);
    if (path !== this.#f.depthPath) return null;
    const symbol = query.get('symbol');
    if (!symbol) return json(400, { code: -1102, msg: "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed." });
    const spec = host.spec(symbol);
    if (!spec) return json(400, { code: -1121, msg: 'Invalid symbol.' });
    const rawLimit = query.get('limit');
    const limit = rawLimit === null ? this.#f.defaultLimit : Number(rawLimit);
    const allowed = this.#f.limits;
    if (!Number.isInteger(limit) || (allowed ? !allowed.includes(limit) : limit < 1 || limit > 5000))
      return json(400, {
        code: -1100,
        msg: `Illegal characters found in parameter 'limit'; legal range is ${allowed ? allowed.join(', ') : '1 to 5000'}.`,
      });
    // The book exists once the file has synced it (the first seconds of a capture): wait for it.
    if (!(await host.whenLive(spec.id, 10_000)))
      return json(503, { code: -1001, msg: 'Internal error; unable to process your request. Please try again.' });
    const book = host.model.liveBook(spec.id) as L2Book;
    const text = (side: 'bids' | 'asks') =>
      levels(book, side, limit).map(([p, q]) => [
        fixed(p, book.priceScale, Math.max(this.#f.padTo, book.priceScale)),
        fixed(q, book.sizeScale, Math.max(this.#f.padTo, book.sizeScale)),
      ]);
    const now = Date.now();
    const body: Record<string, unknown> = { lastUpdateId: host.model.lastSeq(spec.id) };
    if (this.venue !== 'binance-spot') Object.assign(body, { E: now, T: now });
    if (this.venue === 'binance-coinm') Object.assign(body, { symbol: spec.symbol, pair: spec.symbol.split('_')[0] });
    Object.assign(body, { bids: text('bids'), asks: text('asks') });
    host.snapshotServed();
    return json(200, body);
  }

  #exchangeInfo(host: VenueHost): RestAnswer {
    const symbols = host.registry
      .list()
      .filter((s) => s.venue === this.venue)
      .map((s) => ({
        symbol: s.symbol,
        status: 'TRADING',
        filters: [
          { filterType: 'PRICE_FILTER', tickSize: tickText(s, this.#f.padTo) },
          { filterType: 'LOT_SIZE', stepSize: lotText(s, this.#f.padTo) },
        ],
      }));
    return json(200, { timezone: 'UTC', serverTime: Date.now(), rateLimits: [], exchangeFilters: [], symbols });
  }

  forward(conn: EmulatorConnection, sub: Subscription, frame: RecordedFrame): string | Buffer {
    const bytes = Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
    const recordedCombined = bytes.indexOf(STREAM_PREFIX) === 0;
    const combined = conn.state.get('combined') === true;
    if (combined === recordedCombined) return bytes;
    if (combined) return `{"stream":"${sub.name}","data":${bytes.toString('utf8')}}`;
    const at = bytes.indexOf(DATA_KEY);
    return at < 0 ? bytes : bytes.subarray(at + DATA_KEY.length, bytes.lastIndexOf(0x7d));
  }

  snapshot(): null {
    return null; // seeded by REST
  }

  heartbeat(): string[] {
    return [];
  }
}
