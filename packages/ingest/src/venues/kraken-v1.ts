/**
 * Kraken Spot WebSocket v1 (`wss://ws.kraken.com`). One request per channel:
 * `{"event":"subscribe","reqid":N,"pair":[...],"subscription":{"name":"book","depth":N}}`, answered per
 * pair by `{"event":"subscriptionStatus","status":"subscribed"|"unsubscribed"|"error","pair":"XBT/USD",
 * "subscription":{"name":"book"},"reqid":N[,"errorMessage":"..."]}`. Data frames are arrays ending in
 * the pair: `[chanId, {...}, "book-100", "XBT/USD"]`. Ping: `{"event":"ping"}` -> `{"event":"pong"}`.
 */

import { KRAKEN_CONNECT_LIMITS, KRAKEN_REQUEST_LIMITS, krakenDepth } from './kraken.js';
import { byChannel, chunk, needle, numOrNull, parseObject, startsWith } from './peek.js';
import type { Channel, ControlEvent, OutgoingRequest, Peek, VenueDialect } from './types.js';
import { PeekKind } from './types.js';

const HEARTBEAT = needle('{"event":"heartbeat"');
const QUOTE = 0x22;
const OPEN_BRACKET = 0x5b;

const fromKraken = (c: unknown): Channel | null => (c === 'book' ? 'book' : c === 'trade' ? 'trades' : null);

export const krakenV1Dialect: VenueDialect = {
  venue: 'kraken-v1',
  url: 'wss://ws.kraken.com',
  restUrl: 'https://api.kraken.com',
  seeding: 'subscribe',
  seedingModes: ['subscribe'],
  requestLimits: KRAKEN_REQUEST_LIMITS,
  requestLimitScope: 'connection',
  pingsCountAsRequests: true,
  maxConnectionMs: 0,
  connectLimits: KRAKEN_CONNECT_LIMITS,
  maxStreamsPerConnection: 10_000,
  docs: ['https://docs.kraken.com/api/docs/websocket-v1/book', 'https://docs.kraken.com/api/docs/guides/spot-ratelimits'],

  restUrlFor: () => null,
  frameSymbol: (s) => s,
  requests(op, items, nextId, opts): OutgoingRequest[] {
    const out: OutgoingRequest[] = [];
    for (const [channel, list] of byChannel(items)) {
      for (const group of chunk(list, 500, 60_000, (it) => it.symbol.length + 3)) {
        const id = nextId();
        const subscription: Record<string, unknown> = { name: channel === 'book' ? 'book' : 'trade' };
        if (channel === 'book') subscription.depth = krakenDepth(opts.wsBookDepth);
        const text = JSON.stringify({ event: op, reqid: id, pair: group.map((g) => g.symbol), subscription });
        out.push({ op, id, text, items: group, answered: true });
      }
    }
    return out;
  },
  snapshotRequests: () => null,
  openRequests: () => [],
  ping: (nextId) => `{"event":"ping","reqid":${nextId()}}`,
  restPath: () => null,

  peek(buf: Buffer, out: Peek): void {
    if (buf[0] === OPEN_BRACKET) {
      // The pair is the last string: ...,"XBT/USD"]
      const end = buf.lastIndexOf(QUOTE);
      const start = end > 0 ? buf.lastIndexOf(QUOTE, end - 1) : -1;
      if (start < 0) out.kind = PeekKind.Other;
      else {
        out.kind = PeekKind.Data;
        out.symbol = buf.toString('latin1', start + 1, end);
      }
    } else if (startsWith(buf, HEARTBEAT)) out.kind = PeekKind.Liveness;
    else out.kind = PeekKind.Control;
  },

  control(text): ControlEvent | null {
    const m = parseObject(text);
    if (!m) return null;
    if (m.event === 'pong') return { type: 'pong' };
    if (m.event !== 'subscriptionStatus') return { type: 'info' };
    const id = numOrNull(m.reqid);
    const sub = m.subscription as Record<string, unknown> | undefined;
    const channel = fromKraken(sub?.name);
    const items = channel && typeof m.pair === 'string' ? [{ symbol: m.pair, channel }] : null;
    if (m.status === 'subscribed' || m.status === 'unsubscribed') return { type: 'ack', id, items, duplicates: 0 };
    const reason = String(m.errorMessage ?? 'error');
    return { type: 'error', id, items, reason, rateLimited: /rate/i.test(reason), retryAfterMs: 0 };
  },
};
