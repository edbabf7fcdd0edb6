/**
 * The embedded exchange (docs/exchange-protocol.md): one WebSocket at /v1/stream, JSON requests
 * `{"action","id","channels"}` answered in order by exactly one `ack` or `error` echoing the id;
 * channels `book:<S>` and `trades:<S>`; books seeded either by a snapshot on subscribe (default) or
 * by `GET /v1/book/:symbol` (Binance style, subscribe with `"snapshot": false`).
 */

import { chunk, needle, numOrNull, parseObject, startsWith, valueAfter } from './peek.js';
import { type ControlEvent, type OutgoingRequest, type Peek, PeekKind, type StreamRef, type VenueDialect } from './types.js';

const CHANNEL = needle('"channel":"');
const HEARTBEAT = needle('{"type":"heartbeat"');
/** Request frames may not exceed 64 KiB; stay well inside. */
const MAX_REQUEST_BYTES = 60_000;
const MAX_CHANNELS_PER_REQUEST = 4000;

const channelName = (it: StreamRef): string => `${it.channel === 'book' ? 'book' : 'trades'}:${it.symbol}`;

function build(
  op: 'subscribe' | 'unsubscribe' | 'snapshot',
  items: readonly StreamRef[],
  nextId: () => number,
  snapshot: boolean,
): OutgoingRequest[] {
  return chunk(items, MAX_CHANNELS_PER_REQUEST, MAX_REQUEST_BYTES, (it) => it.symbol.length + 10).map((group) => {
    const id = nextId();
    const msg: Record<string, unknown> = { action: op, id, channels: group.map(channelName) };
    if (op === 'subscribe') msg.snapshot = snapshot;
    return { op, id, text: JSON.stringify(msg), items: group, answered: true };
  });
}

export const simDialect: VenueDialect = {
  venue: 'sim',
  url: '',
  restUrl: null,
  seeding: 'subscribe',
  seedingModes: ['subscribe', 'rest'],
  // The exchange documents no subscribe rate limit (only the subscribeLimit fault); be polite.
  requestLimits: [{ messages: 100, windowMs: 1000 }],
  requestLimitScope: 'connection',
  pingsCountAsRequests: true,
  // The exchange answers WebSocket ping frames without counting them (docs/exchange-protocol.md).
  pingFramesCount: false,
  maxConnectionMs: 0,
  connectLimits: [{ messages: 20, windowMs: 1000 }],
  maxStreamsPerConnection: 20_000,
  docs: ['docs/exchange-protocol.md (Limits, WebSocket requests and responses)'],

  restUrlFor(wsUrl) {
    const u = new URL(wsUrl);
    u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
    return `${u.protocol}//${u.host}`;
  },
  frameSymbol: (s) => s,
  requests: (op, items, nextId, opts) => build(op, items, nextId, opts.snapshotOnSubscribe),
  snapshotRequests: (items, nextId) =>
    build(
      'snapshot',
      items.filter((i) => i.channel === 'book'),
      nextId,
      true,
    ),
  openRequests: () => [],
  ping: (nextId) => `{"action":"ping","id":${nextId()}}`,
  restPath: (symbol, depth) => `/v1/book/${encodeURIComponent(symbol)}?depth=${Math.min(1000, depth)}`,

  peek(buf: Buffer, out: Peek): void {
    if (startsWith(buf, HEARTBEAT)) {
      out.kind = PeekKind.Liveness;
      return;
    }
    const ch = valueAfter(buf, CHANNEL);
    if (ch === 'system') out.kind = PeekKind.Control;
    else if (ch.startsWith('book:')) {
      out.kind = PeekKind.Data;
      out.symbol = ch.slice(5);
    } else if (ch.startsWith('trades:')) {
      out.kind = PeekKind.Data;
      out.symbol = ch.slice(7);
    } else out.kind = PeekKind.Other;
  },

  control(text): ControlEvent | null {
    const m = parseObject(text);
    if (!m) return null;
    const id = numOrNull(m.id);
    switch (m.type) {
      case 'ack': {
        const sent = numOrNull(m.channels);
        const added = numOrNull(m.added);
        const dup = m.action === 'subscribe' && sent !== null && added !== null ? sent - added : 0;
        return { type: 'ack', id, items: null, duplicates: dup };
      }
      case 'error': {
        const code = String(m.code);
        return {
          type: 'error',
          id,
          items: null,
          reason: `${code}: ${String(m.message ?? '')}`,
          rateLimited: code === 'rate_limited',
          retryAfterMs: numOrNull(m.retryAfterMs) ?? 0,
        };
      }
      case 'pong':
        return { type: 'pong' };
      default:
        return { type: 'info' };
    }
  },
};
