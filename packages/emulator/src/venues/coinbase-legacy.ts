/**
 * Coinbase Exchange feed (`wss://ws-feed.exchange.coinbase.com`, here at `/`), as documented:
 * `{"type":"subscribe","product_ids":[...],"channels":["level2_batch",{"name":"heartbeat",
 * "product_ids":[...]}]}` answered by `{"type":"subscriptions","channels":[{name, product_ids}]}`
 * (the connection's whole set); errors `{"type":"error","message","reason"}`. `level2` /
 * `level2_batch` start with a `snapshot` of the file's book at this point, then the recorded
 * `l2update`s; `heartbeat` sends one message per product per second. Limits: 8 requests per second
 * per IP, 8 connections per second.
 */

import type { L2Book } from '@tickline/book';
import type { RecordedFrame } from '@tickline/ingest';
import type { EmulatorConnection, SubChannel, Subscription } from '../connection.js';
import { fixed, levels, nowIso } from '../format.js';
import { json, lotText, parseObject, strings, tickText } from './shared.js';
import type { EmulatedVenue, RestAnswer, VenueHost } from './types.js';

const CHANNELS: Readonly<Record<string, SubChannel | null>> = {
  level2: 'book',
  level2_batch: 'book',
  level2_50: 'book',
  matches: 'trades',
  ticker: 'quotes',
  ticker_batch: 'quotes',
  heartbeat: null,
};

export class CoinbaseLegacyVenue implements EmulatedVenue {
  readonly venue = 'coinbase-legacy' as const;
  readonly wsPath = '/';
  readonly connectLimit = { messages: 8, windowMs: 1000 };
  readonly messageLimit = null;
  readonly pingIntervalMs = 0;

  acceptsPath(p: string): boolean {
    return p === '/';
  }

  open(conn: EmulatorConnection): void {
    conn.state.set('channels', new Map<string, Set<string>>());
  }

  request(conn: EmulatorConnection, text: string, host: VenueHost): void {
    const error = (message: string, reason: string) => conn.send(JSON.stringify({ type: 'error', message, reason }));
    if (!host.within(null, 'requests_per_second', { messages: 8, windowMs: 1000 }) || host.subscribeFault(conn) > 0)
      return error('Failed to subscribe', 'rate limit exceeded');
    const m = parseObject(text);
    if (m === null || (m.type !== 'subscribe' && m.type !== 'unsubscribe'))
      return error('Failed to subscribe', 'type must be subscribe or unsubscribe');
    const top = m.product_ids === undefined ? [] : strings(m.product_ids);
    if (top === null || !Array.isArray(m.channels)) return error('Failed to subscribe', 'product_ids and channels must be arrays');
    // Channels are names or {name, product_ids}; everything is checked before anything changes.
    const wanted: { name: string; ids: string[] }[] = [];
    for (const c of m.channels) {
      const name = typeof c === 'string' ? c : (c as { name?: unknown })?.name;
      const ids = typeof c === 'string' ? top : strings((c as { product_ids?: unknown }).product_ids ?? top);
      if (typeof name !== 'string' || !(name in CHANNELS)) return error('Failed to subscribe', `${String(name)} is not a valid channel`);
      if (ids === null) return error('Failed to subscribe', 'product_ids must be an array of strings');
      const bad = ids.find((id) => host.spec(id) === undefined);
      if (bad !== undefined) return error('Failed to subscribe', `${bad} is not a valid product`);
      wanted.push({ name, ids });
    }
    const held = conn.state.get('channels') as Map<string, Set<string>>;
    const seeds: Subscription[] = [];
    for (const { name, ids } of wanted) {
      const set = held.get(name) ?? new Set<string>();
      held.set(name, set);
      const channel = CHANNELS[name] ?? null;
      for (const id of ids) {
        const spec = host.spec(id);
        if (spec === undefined) continue;
        if (m.type === 'subscribe') {
          set.add(id);
          if (channel === null) continue;
          const sub = host.subscribe(conn, { channel, spec, name, snapshot: channel === 'book' });
          if (sub !== null) seeds.push(sub);
        } else {
          set.delete(id);
          if (channel !== null) host.unsubscribe(conn, channel, spec.id);
        }
      }
    }
    const channels = [...held].filter(([, v]) => v.size > 0).map(([name, v]) => ({ name, product_ids: [...v] }));
    conn.send(JSON.stringify({ type: 'subscriptions', channels }));
    for (const sub of seeds) host.seed(conn, sub);
  }

  rest(path: string, _query: URLSearchParams, host: VenueHost): RestAnswer | null {
    if (path !== '/products') return null;
    return json(
      200,
      host.registry
        .list()
        .filter((s) => s.venue === 'coinbase-legacy')
        .map((s) => ({
          id: s.symbol,
          quote_increment: tickText(s),
          base_increment: lotText(s),
          status: 'online',
          trading_disabled: false,
        })),
    );
  }

  forward(_conn: EmulatorConnection, _sub: Subscription, frame: RecordedFrame): Buffer {
    return Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
  }

  snapshot(_conn: EmulatorConnection, sub: Subscription, book: L2Book): string {
    const side = (s: 'bids' | 'asks') =>
      levels(book, s, book[s].length).map(([p, q]) => [fixed(p, book.priceScale), fixed(q, book.sizeScale)]);
    return JSON.stringify({ type: 'snapshot', product_id: sub.symbol, bids: side('bids'), asks: side('asks') });
  }

  heartbeat(conn: EmulatorConnection): string[] {
    const ids = (conn.state.get('channels') as Map<string, Set<string>>).get('heartbeat');
    if (ids === undefined || ids.size === 0) return [];
    const time = nowIso();
    return [...ids].map((product_id) => JSON.stringify({ type: 'heartbeat', last_trade_id: 0, product_id, sequence: 0, time }));
  }
}
