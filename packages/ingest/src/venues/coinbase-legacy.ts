/**
 * Coinbase Exchange feed (`wss://ws-feed.exchange.coinbase.com`, formerly Pro/GDAX), public
 * channels `level2_batch` (snapshot on subscribe, then `l2update`), `matches`, and `heartbeat`
 * (one per product per second, which keeps quiet products alive). Requests carry no id: answers
 * (`{"type":"subscriptions",...}` or `{"type":"error","message":"...","reason":"..."}`) are
 * matched in order.
 */

import { byChannel, chunk, needle, parseObject, startsWith, valueAfter } from './peek.js';
import type { ControlEvent, OutgoingRequest, Peek, VenueDialect } from './types.js';
import { PeekKind } from './types.js';

const HEARTBEAT = needle('{"type":"heartbeat"');
const SUBSCRIPTIONS = needle('{"type":"subscriptions"');
const ERROR = needle('{"type":"error"');
const PRODUCT = needle('"product_id":"');

export const coinbaseLegacyDialect: VenueDialect = {
  venue: 'coinbase-legacy',
  url: 'wss://ws-feed.exchange.coinbase.com',
  restUrl: 'https://api.exchange.coinbase.com',
  seeding: 'subscribe',
  seedingModes: ['subscribe'],
  // Requests: 8 per second per IP (bursts up to 20); client messages: 100 per second per IP.
  requestLimits: [{ messages: 8, windowMs: 1000 }],
  requestLimitScope: 'ip',
  pingsCountAsRequests: false,
  maxConnectionMs: 0,
  connectLimits: [{ messages: 8, windowMs: 1000 }],
  maxStreamsPerConnection: 10_000,
  docs: [
    'https://docs.cdp.coinbase.com/exchange/websocket-feed/rate-limits',
    'https://docs.cdp.coinbase.com/exchange/websocket-feed/channels',
  ],

  restUrlFor: () => null,
  frameSymbol: (s) => s,
  requests(op, items): OutgoingRequest[] {
    const out: OutgoingRequest[] = [];
    for (const [channel, list] of byChannel(items)) {
      for (const group of chunk(list, 1000, 60_000, (it) => it.symbol.length + 3)) {
        const channels = [channel === 'book' ? 'level2_batch' : 'matches'];
        if (op === 'subscribe') channels.push('heartbeat');
        const text = JSON.stringify({ type: op, product_ids: group.map((g) => g.symbol), channels });
        out.push({ op, id: null, text, items: group, answered: true });
      }
    }
    return out;
  },
  snapshotRequests: () => null,
  openRequests: () => [],
  ping: () => null,
  restPath: () => null,

  peek(buf: Buffer, out: Peek): void {
    if (startsWith(buf, HEARTBEAT)) out.kind = PeekKind.Liveness;
    else if (startsWith(buf, SUBSCRIPTIONS) || startsWith(buf, ERROR)) out.kind = PeekKind.Control;
    else {
      const s = valueAfter(buf, PRODUCT);
      if (s === '') out.kind = PeekKind.Other;
      else {
        out.kind = PeekKind.Data;
        out.symbol = s;
      }
    }
  },

  control(text): ControlEvent | null {
    const m = parseObject(text);
    if (!m) return null;
    if (m.type === 'subscriptions') return { type: 'ack', id: null, items: null, duplicates: 0 };
    if (m.type === 'error') {
      const reason = `${String(m.message ?? 'error')}${m.reason ? `: ${String(m.reason)}` : ''}`;
      return { type: 'error', id: null, items: null, reason, rateLimited: /rate limit/i.test(reason), retryAfterMs: 0 };
    }
    return { type: 'info' };
  },
};
