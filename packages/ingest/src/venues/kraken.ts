/**
 * Kraken Spot WebSocket v2 (`wss://ws.kraken.com/v2`). One request per channel:
 * `{"method":"subscribe","params":{"channel":"book","symbol":[...],"depth":N},"req_id":N}`, answered
 * once per symbol: `{"method":"subscribe","req_id":N,"result":{"channel":"book","symbol":"BTC/USD"},
 * "success":true}` or `{"error":"...","method":"subscribe","req_id":N,"success":false,"symbol":"..."}`.
 * Ping: `{"method":"ping"}` -> `{"method":"pong"}`. Books come with a snapshot on subscribe.
 */

import { byChannel, chunk, needle, numOrNull, parseObject, startsWith, valueAfter } from './peek.js';
import type { Channel, ControlEvent, OutgoingRequest, Peek, VenueDialect } from './types.js';
import { PeekKind } from './types.js';

const METHOD = needle('{"method"');
const ERROR = needle('{"error"');
const HEARTBEAT = needle('{"channel":"heartbeat"');
const STATUS = needle('{"channel":"status"');
const SYMBOL = needle('"symbol":"');

/** Depths Kraken accepts; the configured depth is rounded down to one of them (at least 10). */
export const KRAKEN_DEPTHS = [10, 25, 100, 500, 1000] as const;
export function krakenDepth(want: number): number {
  let d: number = KRAKEN_DEPTHS[0];
  for (const k of KRAKEN_DEPTHS) if (k <= want) d = k;
  return d;
}

const fromKraken = (c: unknown): Channel | null => (c === 'book' ? 'book' : c === 'trade' ? 'trades' : null);

/**
 * Kraken documents no fixed WebSocket message rate (it is load dependent; the answer to too many
 * is an "Exceeded msg rate" error); these are conservative.
 */
export const KRAKEN_REQUEST_LIMITS = [{ messages: 5, windowMs: 1000 }] as const;
export const KRAKEN_CONNECT_LIMITS = [{ messages: 1, windowMs: 1000 }] as const;

export const krakenDialect: VenueDialect = {
  venue: 'kraken',
  url: 'wss://ws.kraken.com/v2',
  restUrl: 'https://api.kraken.com',
  seeding: 'subscribe',
  seedingModes: ['subscribe'],
  requestLimits: KRAKEN_REQUEST_LIMITS,
  requestLimitScope: 'connection',
  pingsCountAsRequests: true,
  maxConnectionMs: 0,
  connectLimits: KRAKEN_CONNECT_LIMITS,
  maxStreamsPerConnection: 10_000,
  docs: ['https://docs.kraken.com/api/docs/websocket-v2/book', 'https://docs.kraken.com/api/docs/guides/spot-ratelimits'],

  restUrlFor: () => null,
  frameSymbol: (s) => s,
  requests(op, items, nextId, opts): OutgoingRequest[] {
    const out: OutgoingRequest[] = [];
    for (const [channel, list] of byChannel(items)) {
      for (const group of chunk(list, 500, 60_000, (it) => it.symbol.length + 3)) {
        const id = nextId();
        const params: Record<string, unknown> = { channel: channel === 'book' ? 'book' : 'trade', symbol: group.map((g) => g.symbol) };
        if (channel === 'book') params.depth = krakenDepth(opts.wsBookDepth);
        if (op === 'subscribe') params.snapshot = true;
        out.push({ op, id, text: JSON.stringify({ method: op, params, req_id: id }), items: group, answered: true });
      }
    }
    return out;
  },
  snapshotRequests: () => null,
  openRequests: () => [],
  ping: (nextId) => `{"method":"ping","req_id":${nextId()}}`,
  restPath: () => null,

  peek(buf: Buffer, out: Peek): void {
    if (startsWith(buf, HEARTBEAT)) out.kind = PeekKind.Liveness;
    else if (startsWith(buf, METHOD) || startsWith(buf, ERROR)) out.kind = PeekKind.Control;
    else if (startsWith(buf, STATUS)) out.kind = PeekKind.Other;
    else {
      const s = valueAfter(buf, SYMBOL);
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
    if (m.method === 'pong') return { type: 'pong' };
    if (m.method !== 'subscribe' && m.method !== 'unsubscribe') return { type: 'info' };
    const id = numOrNull(m.req_id);
    const result = m.result as Record<string, unknown> | undefined;
    if (m.success === true) {
      const channel = fromKraken(result?.channel);
      const symbol = result?.symbol;
      return { type: 'ack', id, items: channel && typeof symbol === 'string' ? [{ symbol, channel }] : null, duplicates: 0 };
    }
    const reason = String(m.error ?? 'unknown error');
    const symbol = m.symbol;
    // An error names the symbol but not the channel: it applies to that symbol in the request.
    return {
      type: 'error',
      id,
      items:
        typeof symbol === 'string'
          ? [
              { symbol, channel: 'book' },
              { symbol, channel: 'trades' },
            ]
          : null,
      reason,
      rateLimited: /rate/i.test(reason),
      retryAfterMs: 0,
    };
  },
};
