/**
 * OKX v5 public WebSocket. `{"id":"N","op":"subscribe","args":[{"channel":"books","instId":"BTC-USDT"}]}`
 * is answered per arg by `{"event":"subscribe","arg":{...}}`; errors are `{"event":"error","code":"600xx",
 * "msg":"..."}` (the id is echoed when sent, the arg is not). Keep-alive is the text `ping` -> `pong`.
 * `books` sends a full snapshot on subscribe, so a resubscribe re-seeds.
 */

import { chunk, needle, numOrNull, parseObject, startsWith, valueAfter } from './peek.js';
import type { Channel, ControlEvent, OutgoingRequest, Peek, StreamRef, VenueDialect } from './types.js';
import { PeekKind } from './types.js';

const ARG = needle('{"arg"');
const INST = needle('"instId":"');
const PONG = needle('pong');

const okxChannel = (c: Channel): string => (c === 'book' ? 'books' : 'trades');
const fromOkx = (c: unknown): Channel | null => (c === 'books' ? 'book' : c === 'trades' ? 'trades' : null);

export const okxDialect: VenueDialect = {
  venue: 'okx',
  url: 'wss://ws.okx.com:8443/ws/v5/public',
  restUrl: 'https://www.okx.com',
  seeding: 'subscribe',
  seedingModes: ['subscribe'],
  // 480 subscribe/unsubscribe/login requests per connection per hour.
  requestLimits: [{ messages: 480, windowMs: 3_600_000 }],
  requestLimitScope: 'connection',
  // The hourly budget counts subscribe, unsubscribe and login requests, not the 'ping' keep-alive.
  pingsCountAsRequests: false,
  maxConnectionMs: 0,
  // New connections: 3 per second per IP.
  connectLimits: [{ messages: 3, windowMs: 1000 }],
  // No per-connection cap is documented; the 64 KB request limit bounds each request.
  maxStreamsPerConnection: 10_000,
  docs: ['https://www.okx.com/docs-v5/en/#overview-websocket-connect', 'https://www.okx.com/docs-v5/en/#overview-websocket-subscribe'],

  restUrlFor: () => null,
  frameSymbol: (s) => s,
  requests(op, items, nextId): OutgoingRequest[] {
    return chunk(items, 1000, 60_000, (it) => it.symbol.length + 32).map((group) => {
      const id = nextId();
      const args = group.map((it) => ({ channel: okxChannel(it.channel), instId: it.symbol }));
      return { op, id, text: JSON.stringify({ id: String(id), op, args }), items: group, answered: true };
    });
  },
  snapshotRequests: () => null,
  openRequests: () => [],
  ping: () => 'ping',
  restPath: () => null,

  peek(buf: Buffer, out: Peek): void {
    // Data frames start with their arg; answers with the event, or with the request's id first
    // (`{"id":"1","event":"subscribe",...}` when the request carried one).
    if (buf.length === 4 && startsWith(buf, PONG)) out.kind = PeekKind.Liveness;
    else if (!startsWith(buf, ARG)) out.kind = PeekKind.Control;
    else {
      const s = valueAfter(buf, INST);
      if (s === '') out.kind = PeekKind.Other;
      else {
        out.kind = PeekKind.Data;
        out.symbol = s;
      }
    }
  },

  control(text): ControlEvent | null {
    if (text === 'pong') return { type: 'pong' };
    const m = parseObject(text);
    if (!m) return null;
    const id = numOrNull(m.id);
    if (m.event === 'subscribe' || m.event === 'unsubscribe') {
      const arg = m.arg as Record<string, unknown> | undefined;
      const channel = fromOkx(arg?.channel);
      const items: StreamRef[] | null = channel && typeof arg?.instId === 'string' ? [{ symbol: arg.instId, channel }] : null;
      return { type: 'ack', id, items, duplicates: 0 };
    }
    if (m.event === 'error') {
      const code = String(m.code);
      // 60014: requests too frequent.
      return { type: 'error', id, items: null, reason: `${code}: ${String(m.msg ?? '')}`, rateLimited: code === '60014', retryAfterMs: 0 };
    }
    return { type: 'info' };
  },
};
