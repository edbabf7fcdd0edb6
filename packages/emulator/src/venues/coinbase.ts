/**
 * Coinbase Advanced Trade market data (`wss://advanced-trade-ws.coinbase.com`, here at `/`), as
 * documented: one channel per request, `{"type":"subscribe","product_ids":[...],"channel":"level2"}`,
 * answered by a `subscriptions` message listing the connection's whole set; errors
 * `{"type":"error","message":...}`. Every message of a connection carries `sequence_num`, counting
 * per connection across all channels: the emulator numbers what it sends, so a message the venue
 * lost (an injected skip) is a visible gap. `level2` (`l2_data`) starts with a snapshot of the
 * file's book at this point; `heartbeats` sends one message a second. Limits: 8 messages per
 * second per IP (error "rate limit exceeded"), 750 connections per second.
 */

import type { L2Book } from '@tickline/book';
import type { RecordedFrame } from '@tickline/ingest';
import type { EmulatorConnection, SubChannel, Subscription } from '../connection.js';
import { fixed, levels, nowIso } from '../format.js';
import { json, lotText, parseObject, strings, tickText } from './shared.js';
import type { EmulatedVenue, RestAnswer, VenueHost } from './types.js';

const CHANNELS: Readonly<Record<string, SubChannel | null>> = {
  level2: 'book',
  l2_data: 'book',
  market_trades: 'trades',
  ticker: 'quotes',
  ticker_batch: 'quotes',
  heartbeats: null,
  status: null,
};
const SEQ = /"sequence_num":\d+/;

const now = nowIso;

export class CoinbaseVenue implements EmulatedVenue {
  readonly venue = 'coinbase' as const;
  readonly wsPath = '/';
  readonly connectLimit = { messages: 750, windowMs: 1000 };
  readonly messageLimit = null;
  readonly pingIntervalMs = 0;

  acceptsPath(p: string): boolean {
    return p === '/';
  }

  open(conn: EmulatorConnection): void {
    conn.state.set('channels', new Map<string, Set<string>>());
  }

  request(conn: EmulatorConnection, text: string, host: VenueHost): void {
    const error = (message: string) => conn.send(JSON.stringify({ type: 'error', message }));
    // 8 messages per second per IP: every client of the emulator shares the loopback address.
    if (!host.within(null, 'messages_per_second', { messages: 8, windowMs: 1000 }) || host.subscribeFault(conn) > 0)
      return error('rate limit exceeded');
    const m = parseObject(text);
    if (m === null || (m.type !== 'subscribe' && m.type !== 'unsubscribe'))
      return error('Failed to parse: expected type subscribe or unsubscribe');
    const name = m.channel;
    if (typeof name !== 'string' || !(name in CHANNELS)) return error(`Failed to subscribe: unknown channel ${JSON.stringify(name)}`);
    const ids = m.product_ids === undefined ? [] : strings(m.product_ids);
    if (ids === null) return error('Failed to subscribe: product_ids must be an array of strings');
    const specs = ids.map((id) => host.spec(id));
    const unknown = ids.filter((_, i) => specs[i] === undefined);
    if (unknown.length > 0) return error(`Failed to subscribe: unknown product_id ${unknown.join(', ')}`);
    const channel = CHANNELS[name] ?? null;
    const held = conn.state.get('channels') as Map<string, Set<string>>;
    const key = name === 'l2_data' ? 'level2' : name;
    const set = held.get(key) ?? new Set<string>();
    held.set(key, set);
    const subs: Subscription[] = [];
    for (const spec of specs) {
      if (spec === undefined) continue;
      if (m.type === 'subscribe') {
        set.add(spec.symbol);
        if (channel === null) continue;
        const sub = host.subscribe(conn, { channel, spec, name: key, snapshot: channel === 'book' });
        if (sub !== null) subs.push(sub);
      } else {
        set.delete(spec.symbol);
        if (channel !== null) host.unsubscribe(conn, channel, spec.id);
      }
    }
    if (name === 'heartbeats' || name === 'status') {
      if (m.type === 'subscribe') set.add(name);
      else set.delete(name);
    }
    const current: Record<string, string[]> = {};
    for (const [k, v] of held) if (v.size > 0) current[k] = [...v];
    conn.send(this.#envelope(conn, 'subscriptions', [{ subscriptions: current }]));
    for (const sub of subs) host.seed(conn, sub);
  }

  #envelope(conn: EmulatorConnection, channel: string, events: unknown[]): string {
    return JSON.stringify({ channel, client_id: '', timestamp: now(), sequence_num: conn.seq++, events });
  }

  rest(path: string, _query: URLSearchParams, host: VenueHost): RestAnswer | null {
    if (path !== '/api/v3/brokerage/market/products') return null;
    const products = host.registry
      .list()
      .filter((s) => s.venue === 'coinbase')
      .map((s) => ({
        product_id: s.symbol,
        price_increment: tickText(s),
        quote_increment: tickText(s),
        base_increment: lotText(s),
        status: 'online',
        product_type: 'SPOT',
        trading_disabled: false,
      }));
    return json(200, { products, num_products: products.length });
  }

  forward(conn: EmulatorConnection, _sub: Subscription, frame: RecordedFrame): string {
    // This connection's own numbering, as the venue counts every message it sends on it.
    const text = Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength).toString('utf8');
    return text.replace(SEQ, `"sequence_num":${conn.seq++}`);
  }

  snapshot(conn: EmulatorConnection, sub: Subscription, book: L2Book): string {
    const t = now();
    const updates = [
      ...levels(book, 'bids', book.bids.length).map(([p, q]) => ({
        side: 'bid',
        event_time: t,
        price_level: fixed(p, book.priceScale),
        new_quantity: fixed(q, book.sizeScale),
      })),
      ...levels(book, 'asks', book.asks.length).map(([p, q]) => ({
        side: 'offer',
        event_time: t,
        price_level: fixed(p, book.priceScale),
        new_quantity: fixed(q, book.sizeScale),
      })),
    ];
    return this.#envelope(conn, 'l2_data', [{ type: 'snapshot', product_id: sub.symbol, updates }]);
  }

  heartbeat(conn: EmulatorConnection): string[] {
    const held = conn.state.get('channels') as Map<string, Set<string>>;
    if (!held.get('heartbeats')?.has('heartbeats')) return [];
    const counter = ((conn.state.get('heartbeatCounter') as number | undefined) ?? 0) + 1;
    conn.state.set('heartbeatCounter', counter);
    return [this.#envelope(conn, 'heartbeats', [{ current_time: now(), heartbeat_counter: counter }])];
  }
}
