/**
 * Kraken Spot WebSocket v1 (`/`), as documented: `{"event":"subscribe","reqid":N,"pair":[...],
 * "subscription":{"name":"book","depth":N}}` answered per pair by `subscriptionStatus` with the
 * channel id the data frames carry (`[channelID, {...}, "book-N", "XBT/USD"]`);
 * `{"event":"ping"}` -> `{"event":"pong"}`; `systemStatus` on connect; `{"event":"heartbeat"}` once
 * a second while subscribed. Books: a snapshot (`as`/`bs`) of the file's book at the depth asked,
 * then that depth's changes with the CRC32 in `c` (kraken-views.ts). Prices and volumes are
 * written as wide as the venue wrote them (the book learns the widths from the checksums).
 */

import { BookChecksum, type L2Book, VENUE_RULES } from '@tickline/book';
import type { RecordedFrame } from '@tickline/ingest';
import type { EmulatorConnection, SubChannel, Subscription } from '../connection.js';
import { fixed, nowSplitTime, unixTime } from '../format.js';
import { FrameClass, type FrameInfo } from '../model.js';
import { assetPairs, DepthViews, KRAKEN_DEPTHS, type Side } from './kraken-views.js';
import { parseObject, strings } from './shared.js';
import type { EmulatedVenue, RestAnswer, VenueHost } from './types.js';

const CHANNELS: Readonly<Record<string, SubChannel>> = { book: 'book', trade: 'trades', spread: 'quotes', ticker: 'quotes' };
const LEADING_ID = /^\[\d+,/;

export class KrakenV1Venue implements EmulatedVenue {
  readonly venue = 'kraken-v1' as const;
  readonly wsPath = '/';
  readonly connectLimit = null;
  readonly messageLimit = null;
  readonly pingIntervalMs = 0;
  readonly #views = new DepthViews();
  readonly #checksum = new BookChecksum();
  #nextChannelId = 100;

  acceptsPath(p: string): boolean {
    return p === '/';
  }

  open(conn: EmulatorConnection): void {
    conn.send(JSON.stringify({ connectionID: 17843232920108000 + conn.id, event: 'systemStatus', status: 'online', version: '1.9.1' }));
  }

  request(conn: EmulatorConnection, text: string, host: VenueHost): void {
    const m = parseObject(text);
    if (m === null) return conn.send(JSON.stringify({ errorMessage: 'Malformed request', event: 'error' }));
    const reqid = typeof m.reqid === 'number' ? { reqid: m.reqid } : {};
    if (m.event === 'ping') {
      if (!host.ignorePings()) conn.send(JSON.stringify({ event: 'pong', ...reqid }));
      return;
    }
    if (m.event !== 'subscribe' && m.event !== 'unsubscribe')
      return conn.send(JSON.stringify({ errorMessage: `Unsupported event ${String(m.event)}`, event: 'error', ...reqid }));
    const subscription = (m.subscription ?? {}) as Record<string, unknown>;
    const name = subscription.name;
    const pairs = strings(m.pair);
    const status = (pair: string | undefined, extra: Record<string, unknown>) =>
      conn.send(JSON.stringify({ ...extra, event: 'subscriptionStatus', ...(pair !== undefined ? { pair } : {}), ...reqid }));
    const fail = (pair: string | undefined, errorMessage: string) =>
      status(pair, { errorMessage, status: 'error', subscription: { name } });
    if (typeof name !== 'string' || !(name in CHANNELS)) return fail(undefined, `Subscription name invalid ${String(name)}`);
    if (pairs === null || pairs.length === 0) return fail(undefined, 'Pair field must be an array of pairs');
    const channel = CHANNELS[name] as SubChannel;
    const depth = subscription.depth === undefined ? 10 : subscription.depth;
    if (channel === 'book' && !KRAKEN_DEPTHS.includes(depth as 10))
      return fail(undefined, `Subscription book depth not supported ${String(depth)}`);
    const channelName = channel === 'book' ? `book-${depth}` : name;
    const limited = m.event === 'subscribe' && host.subscribeFault(conn) > 0;
    for (const pair of pairs) {
      const spec = host.spec(pair);
      if (limited || spec === undefined) {
        fail(pair, limited ? 'Exceeded msg rate' : `Currency pair not supported ${pair}`);
        continue;
      }
      const held = conn.subs.get(`${channel}|${spec.id}`);
      const subDesc = { ...(channel === 'book' ? { depth } : {}), name };
      if (m.event === 'unsubscribe') {
        host.unsubscribe(conn, channel, spec.id);
        status(pair, { channelID: held?.chanId ?? 0, channelName, status: 'unsubscribed', subscription: subDesc });
        continue;
      }
      const chanId = held?.chanId ?? this.#nextChannelId++;
      const sub = host.subscribe(conn, {
        channel,
        spec,
        name: channelName,
        depth: channel === 'book' ? (depth as number) : 0,
        chanId,
        snapshot: channel === 'book',
      });
      status(pair, { channelID: chanId, channelName, status: 'subscribed', subscription: subDesc });
      if (sub !== null) host.seed(conn, sub);
    }
  }

  rest(path: string, _query: URLSearchParams, host: VenueHost): RestAnswer | null {
    return path === '/0/public/AssetPairs' ? assetPairs(host.registry, 'kraken-v1') : null;
  }

  /** Trades, spreads, tickers as recorded, under this subscription's channel id. */
  forward(_conn: EmulatorConnection, sub: Subscription, frame: RecordedFrame): string {
    const text = Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength).toString('utf8');
    return text.replace(LEADING_ID, `[${sub.chanId},`);
  }

  bookUpdate(conn: EmulatorConnection, sub: Subscription, info: FrameInfo, host: VenueHost): string | null {
    const book = host.model.liveBook(sub.instrument);
    if (book === undefined) {
      this.#views.drop(sub.instrument);
      sub.awaitingSnapshot = true;
      return null;
    }
    if (info.cls === FrameClass.Snapshot) return this.snapshot(conn, sub, book);
    const d = this.#views.diff(sub.instrument, sub.depth, book);
    if (d.bids.length === 0 && d.asks.length === 0) return null;
    const ts = unixTime(info.exchS, info.exchNs);
    const parts: string[] = [];
    if (d.asks.length > 0) parts.push(`"a":${this.#levels(book, d.asks, ts)}`);
    if (d.bids.length > 0) parts.push(`"b":${this.#levels(book, d.bids, ts)}`);
    parts.push(`"c":"${this.#checksum.kraken(book, VENUE_RULES['kraken-v1'])}"`);
    return `[${sub.chanId},{${parts.join(',')}},"${sub.name}",${JSON.stringify(sub.symbol)}]`;
  }

  afterBookFrame(instrument: number): void {
    this.#views.commit(instrument);
  }

  snapshot(_conn: EmulatorConnection, sub: Subscription, book: L2Book): string {
    const v = this.#views.seed(sub.instrument, sub.depth, book);
    const t = nowSplitTime();
    const ts = unixTime(t.s, t.ns);
    return `[${sub.chanId},{"as":${this.#levels(book, v.asks, ts)},"bs":${this.#levels(book, v.bids, ts)}},"${sub.name}",${JSON.stringify(sub.symbol)}]`;
  }

  /** `[["price","volume","timestamp"],...]` at the widths the venue writes. */
  #levels(book: L2Book, side: Side, ts: string): string {
    const pw = Math.max(book.priceScale, book.priceText);
    const sw = Math.max(book.sizeScale, book.sizeText);
    return `[${side.map(([p, q]) => `["${fixed(p, book.priceScale, pw)}","${fixed(q, book.sizeScale, sw)}","${ts}"]`).join(',')}]`;
  }

  heartbeat(conn: EmulatorConnection): string[] {
    return conn.subs.size > 0 ? ['{"event":"heartbeat"}'] : [];
  }
}
