/**
 * Kraken Spot WebSocket v2 (`/v2`), as documented: `{"method":"subscribe","params":{"channel":
 * "book","symbol":[...],"depth":N},"req_id":N}` answered once per symbol (`success` true/false);
 * `{"method":"ping"}` -> `{"method":"pong"}`; a `status` message on connect; `heartbeat` once a
 * second while subscribed. Books: a snapshot (with checksum) of the file's book at the depth asked,
 * then that depth's changes (kraken-views.ts); prices and quantities are JSON numbers. The
 * `instrument` channel sends the file's instruments. No message rate is documented.
 */

import { BookChecksum, type L2Book, VENUE_RULES } from '@tickline/book';
import type { RecordedFrame } from '@tickline/ingest';
import type { EmulatorConnection, SubChannel, Subscription } from '../connection.js';
import { fixed, isoTime, nowIso } from '../format.js';
import { FrameClass, type FrameInfo } from '../model.js';
import { assetPairs, DepthViews, KRAKEN_DEPTHS, type Side } from './kraken-views.js';
import { parseObject, strings } from './shared.js';
import type { EmulatedVenue, RestAnswer, VenueHost } from './types.js';

const CHANNELS: Readonly<Record<string, SubChannel | null>> = { book: 'book', trade: 'trades', ticker: 'quotes', instrument: null };

const now = nowIso;

export class KrakenVenue implements EmulatedVenue {
  readonly venue = 'kraken' as const;
  readonly wsPath = '/v2';
  readonly connectLimit = null;
  readonly messageLimit = null;
  readonly pingIntervalMs = 0;
  readonly #views = new DepthViews();
  readonly #checksum = new BookChecksum();

  acceptsPath(p: string): boolean {
    return p === this.wsPath;
  }

  open(conn: EmulatorConnection): void {
    conn.send(
      JSON.stringify({
        channel: 'status',
        type: 'update',
        data: [{ version: '2.0.9', system: 'online', api_version: 'v2', connection_id: 1000 + conn.id }],
      }),
    );
  }

  request(conn: EmulatorConnection, text: string, host: VenueHost): void {
    const m = parseObject(text);
    const timeIn = now();
    const reply = (o: Record<string, unknown>) => conn.send(JSON.stringify({ ...o, time_in: timeIn, time_out: now() }));
    if (m === null) return reply({ error: 'Malformed request', success: false });
    const reqId = typeof m.req_id === 'number' ? { req_id: m.req_id } : {};
    if (m.method === 'ping') {
      if (!host.ignorePings()) reply({ method: 'pong', ...reqId });
      return;
    }
    if (m.method !== 'subscribe' && m.method !== 'unsubscribe')
      return reply({ error: `Unsupported method ${String(m.method)}`, success: false, ...reqId });
    const params = (m.params ?? {}) as Record<string, unknown>;
    const name = params.channel;
    if (typeof name !== 'string' || !(name in CHANNELS))
      return reply({ error: `Unsupported channel ${String(name)}`, method: m.method, success: false, ...reqId });
    const channel = CHANNELS[name] ?? null;
    if (name === 'instrument') {
      reply({ method: m.method, result: { channel: name, snapshot: true }, success: true, ...reqId });
      if (m.method === 'subscribe') conn.send(this.#instruments(host));
      return;
    }
    const depth = params.depth === undefined ? 10 : params.depth;
    if (channel === 'book' && !KRAKEN_DEPTHS.includes(depth as 10))
      return reply({
        error: `Invalid depth ${JSON.stringify(depth)} (allowed: ${KRAKEN_DEPTHS.join(', ')})`,
        method: m.method,
        success: false,
        ...reqId,
      });
    const symbols = strings(params.symbol);
    if (symbols === null || symbols.length === 0)
      return reply({ error: 'symbol must be a non-empty array', method: m.method, success: false, ...reqId });
    const limited = m.method === 'subscribe' && host.subscribeFault(conn) > 0;
    for (const symbol of symbols) {
      const spec = host.spec(symbol);
      if (limited || spec === undefined || channel === null) {
        reply({
          error: limited ? 'Exceeded msg rate' : `Currency pair not supported ${symbol}`,
          method: m.method,
          success: false,
          symbol,
          ...reqId,
        });
        continue;
      }
      const result = { channel: name, ...(channel === 'book' ? { depth } : {}), snapshot: true, symbol };
      if (m.method === 'unsubscribe') {
        host.unsubscribe(conn, channel, spec.id);
        reply({ method: m.method, result, success: true, ...reqId });
        continue;
      }
      const sub = host.subscribe(conn, {
        channel,
        spec,
        name,
        depth: channel === 'book' ? (depth as number) : 0,
        snapshot: channel === 'book',
      });
      reply({ method: m.method, result, success: true, ...reqId });
      if (sub !== null) host.seed(conn, sub);
    }
  }

  #instruments(host: VenueHost): string {
    const pairs = host.registry
      .list()
      .filter((s) => s.venue === 'kraken')
      .map((s) => ({
        symbol: s.symbol,
        base: s.symbol.split('/')[0],
        quote: s.symbol.split('/')[1],
        status: 'online',
        price_precision: s.priceScale,
        qty_precision: s.sizeScale,
        price_increment: s.tickSize / 10 ** s.priceScale,
        qty_increment: s.lotSize / 10 ** s.sizeScale,
      }));
    return JSON.stringify({ channel: 'instrument', type: 'snapshot', data: { assets: [], pairs } });
  }

  rest(path: string, _query: URLSearchParams, host: VenueHost): RestAnswer | null {
    return path === '/0/public/AssetPairs' ? assetPairs(host.registry, 'kraken') : null;
  }

  forward(_conn: EmulatorConnection, _sub: Subscription, frame: RecordedFrame): Buffer {
    return Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
  }

  bookUpdate(conn: EmulatorConnection, sub: Subscription, info: FrameInfo, host: VenueHost): string | null {
    const book = host.model.liveBook(sub.instrument);
    if (book === undefined) {
      this.#views.drop(sub.instrument);
      sub.awaitingSnapshot = true; // a fresh snapshot once the file's book is back in sync
      return null;
    }
    if (info.cls === FrameClass.Snapshot) return this.snapshot(conn, sub, book);
    const d = this.#views.diff(sub.instrument, sub.depth, book);
    if (d.bids.length === 0 && d.asks.length === 0) return null;
    return this.#message('update', sub, book, d.bids, d.asks, isoTime(info.exchS, info.exchNs));
  }

  afterBookFrame(instrument: number): void {
    this.#views.commit(instrument);
  }

  snapshot(_conn: EmulatorConnection, sub: Subscription, book: L2Book): string {
    const v = this.#views.seed(sub.instrument, sub.depth, book);
    return this.#message('snapshot', sub, book, v.bids, v.asks, now());
  }

  #message(type: 'snapshot' | 'update', sub: Subscription, book: L2Book, bids: Side, asks: Side, timestamp: string): string {
    // JSON numbers written at the instrument's precision (valid JSON; read exactly at that scale).
    const side = (s: Side) =>
      `[${s.map(([p, q]) => `{"price":${fixed(p, book.priceScale)},"qty":${fixed(q, book.sizeScale)}}`).join(',')}]`;
    const checksum = this.#checksum.kraken(book, VENUE_RULES.kraken);
    return `{"channel":"book","type":"${type}","data":[{"symbol":${JSON.stringify(sub.symbol)},"bids":${side(bids)},"asks":${side(asks)},"checksum":${checksum},"timestamp":"${timestamp}"}]}`;
  }

  heartbeat(conn: EmulatorConnection): string[] {
    return conn.subs.size > 0 ? ['{"channel":"heartbeat"}'] : [];
  }
}
