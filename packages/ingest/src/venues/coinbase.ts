/**
 * Coinbase Advanced Trade market data (`wss://advanced-trade-ws.coinbase.com`). One channel per
 * request: `{"type":"subscribe","product_ids":[...],"channel":"level2"}`. Requests carry no id: the
 * answer is a `subscriptions` message (the connection's whole current set) or
 * `{"type":"error","message":"..."}`, matched to requests in order. The `heartbeats` channel keeps
 * quiet connections open (and gives 1 frame/s of liveness); it is subscribed first on every socket.
 * `level2` sends a snapshot on subscribe.
 */

import { byChannel, chunk, needle, parseObject, startsWith, valueAfter } from './peek.js';
import type { ControlEvent, OutgoingRequest, Peek, VenueDialect } from './types.js';
import { PeekKind } from './types.js';

const CHANNEL = needle('{"channel":"');
const PRODUCT = needle('"product_id":"');
const ERROR = needle('{"type":"error"');

export const coinbaseDialect: VenueDialect = {
  venue: 'coinbase',
  url: 'wss://advanced-trade-ws.coinbase.com',
  restUrl: 'https://api.coinbase.com',
  seeding: 'subscribe',
  seedingModes: ['subscribe'],
  // Unauthenticated messages: 8 per second per IP; connections: 750 per second per IP.
  requestLimits: [{ messages: 8, windowMs: 1000 }],
  requestLimitScope: 'ip',
  pingsCountAsRequests: false,
  maxConnectionMs: 0,
  connectLimits: [{ messages: 750, windowMs: 1000 }],
  maxStreamsPerConnection: 10_000,
  docs: [
    'https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-rate-limits',
    'https://docs.cdp.coinbase.com/coinbase-app/advanced-trade-apis/websocket/websocket-channels',
  ],

  restUrlFor: () => null,
  frameSymbol: (s) => s,
  requests(op, items): OutgoingRequest[] {
    const out: OutgoingRequest[] = [];
    for (const [channel, list] of byChannel(items)) {
      for (const group of chunk(list, 1000, 60_000, (it) => it.symbol.length + 3)) {
        const text = JSON.stringify({
          type: op,
          product_ids: group.map((g) => g.symbol),
          channel: channel === 'book' ? 'level2' : 'market_trades',
        });
        out.push({ op, id: null, text, items: group, answered: true });
      }
    }
    return out;
  },
  snapshotRequests: () => null,
  openRequests: () => [{ op: 'open', id: null, text: '{"type":"subscribe","channel":"heartbeats"}', items: [], answered: true }],
  ping: () => null,
  restPath: () => null,

  peek(buf: Buffer, out: Peek): void {
    if (startsWith(buf, CHANNEL)) {
      const ch = valueAfter(buf, CHANNEL);
      if (ch === 'l2_data' || ch === 'market_trades') {
        const s = valueAfter(buf, PRODUCT, CHANNEL.length + ch.length);
        if (s !== '') {
          out.kind = PeekKind.Data;
          out.symbol = s;
          return;
        }
        out.kind = PeekKind.Other;
      } else if (ch === 'heartbeats') out.kind = PeekKind.Liveness;
      else if (ch === 'subscriptions') out.kind = PeekKind.Control;
      else out.kind = PeekKind.Other;
    } else out.kind = startsWith(buf, ERROR) ? PeekKind.Control : PeekKind.Other;
  },

  control(text): ControlEvent | null {
    const m = parseObject(text);
    if (!m) return null;
    if (m.channel === 'subscriptions') return { type: 'ack', id: null, items: null, duplicates: 0 };
    if (m.type === 'error') {
      const reason = String(m.message ?? 'error');
      return { type: 'error', id: null, items: null, reason, rateLimited: /rate limit/i.test(reason), retryAfterMs: 0 };
    }
    return { type: 'info' };
  },
};
