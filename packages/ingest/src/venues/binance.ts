/**
 * Binance market streams (spot, USD-M futures, COIN-M futures) on the combined-stream endpoint
 * (`/stream`, frames wrapped as `{"stream":"<name>","data":...}` so the stream names the symbol).
 * Live subscribe: `{"method":"SUBSCRIBE","params":[...],"id":N}` -> `{"result":null,"id":N}`;
 * errors `{"code":N,"msg":"..."[,"id":N]}`. Books are seeded by REST depth snapshots.
 * Stream names are lower case: `btcusdt@depth@100ms`, `btcusdt@aggTrade`.
 */

import type { VenueName } from '@tickline/wire';
import { chunk, needle, numOrNull, parseObject, startsWith } from './peek.js';
import { type ControlEvent, type OutgoingRequest, type Peek, PeekKind, type StreamRef, type VenueDialect } from './types.js';

const STREAM = needle('{"stream":"');
const AT = 0x40; // '@'
const QUOTE = 0x22;
/** No per-request maximum is documented; keep requests small and frames short. */
const MAX_STREAMS_PER_REQUEST = 200;

const streamName = (it: StreamRef): string => `${it.symbol.toLowerCase()}@${it.channel === 'book' ? 'depth@100ms' : 'aggTrade'}`;

interface BinanceFlavour {
  venue: VenueName;
  url: string;
  restUrl: string;
  depthPath: string;
  /** Allowed `limit` values of the depth endpoint (ascending), or null for any up to maxDepth. */
  depthLimits: readonly number[] | null;
  maxDepth: number;
  messagesPerSecond: number;
  docs: string[];
}

function binance(f: BinanceFlavour): VenueDialect {
  return {
    venue: f.venue,
    url: f.url,
    restUrl: f.restUrl,
    seeding: 'rest',
    seedingModes: ['rest'],
    requestLimits: [{ messages: f.messagesPerSecond, windowMs: 1000 }],
    requestLimitScope: 'connection',
    // "ping frames, pong frames and JSON control messages" all count
    pingsCountAsRequests: true,
    // "A single connection is only valid for 24 hours; expect to be disconnected at the 24 hour mark."
    maxConnectionMs: 24 * 3_600_000,
    connectLimits: [{ messages: 300, windowMs: 300_000 }],
    maxStreamsPerConnection: 1024,
    docs: f.docs,

    restUrlFor: () => f.restUrl,
    frameSymbol: (s) => s.toLowerCase(),
    requests(op, items, nextId): OutgoingRequest[] {
      return chunk(items, MAX_STREAMS_PER_REQUEST, 60_000, (it) => it.symbol.length + 16).map((group) => {
        const id = nextId();
        const text = JSON.stringify({ method: op === 'subscribe' ? 'SUBSCRIBE' : 'UNSUBSCRIBE', params: group.map(streamName), id });
        return { op, id, text, items: group, answered: true };
      });
    },
    snapshotRequests: () => null,
    openRequests: () => [],
    // Binance counts ping and pong frames as incoming messages too; WS pings are answered.
    ping: () => null,
    restPath(symbol, depth) {
      let limit = Math.min(depth, f.maxDepth);
      if (f.depthLimits) limit = f.depthLimits.find((l) => l >= limit) ?? f.depthLimits[f.depthLimits.length - 1] ?? limit;
      return `${f.depthPath}?symbol=${encodeURIComponent(symbol)}&limit=${limit}`;
    },

    peek(buf: Buffer, out: Peek): void {
      if (!startsWith(buf, STREAM)) {
        out.kind = PeekKind.Control;
        return;
      }
      const start = STREAM.length;
      let end = buf.indexOf(AT, start);
      if (end < 0) end = buf.indexOf(QUOTE, start);
      if (end < 0) {
        out.kind = PeekKind.Other;
        return;
      }
      out.kind = PeekKind.Data;
      out.symbol = buf.toString('latin1', start, end);
    },

    control(text): ControlEvent | null {
      const m = parseObject(text);
      if (!m) return null;
      const id = numOrNull(m.id);
      if ('result' in m && id !== null) return { type: 'ack', id, items: null, duplicates: 0 };
      const err = (m.error !== null && typeof m.error === 'object' ? m.error : m) as Record<string, unknown>;
      if ('code' in err || 'msg' in err) {
        const code = String(err.code);
        const msg = String(err.msg ?? '');
        // -1003: too many requests. WS-API errors may carry data.retryAfter (epoch ms).
        const data = err.data as Record<string, unknown> | undefined;
        const retryAt = numOrNull(data?.retryAfter);
        return {
          type: 'error',
          id,
          items: null,
          reason: `${code}: ${msg}`,
          rateLimited: code === '-1003' || /too many/i.test(msg),
          retryAfterMs: retryAt !== null ? Math.max(0, retryAt - Date.now()) : 0,
        };
      }
      return { type: 'info' };
    },
  };
}

const FUTURES_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;

export const binanceSpotDialect = binance({
  venue: 'binance-spot',
  url: 'wss://stream.binance.com:9443/stream',
  restUrl: 'https://api.binance.com',
  depthPath: '/api/v3/depth',
  depthLimits: null,
  maxDepth: 5000,
  messagesPerSecond: 5,
  docs: ['https://developers.binance.com/docs/binance-spot-api-docs/web-socket-streams'],
});

export const binanceUsdmDialect = binance({
  venue: 'binance-usdm',
  url: 'wss://fstream.binance.com/stream',
  restUrl: 'https://fapi.binance.com',
  depthPath: '/fapi/v1/depth',
  depthLimits: FUTURES_DEPTH_LIMITS,
  maxDepth: 1000,
  messagesPerSecond: 10,
  docs: ['https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams'],
});

export const binanceCoinmDialect = binance({
  venue: 'binance-coinm',
  url: 'wss://dstream.binance.com/stream',
  restUrl: 'https://dapi.binance.com',
  depthPath: '/dapi/v1/depth',
  depthLimits: FUTURES_DEPTH_LIMITS,
  maxDepth: 1000,
  messagesPerSecond: 10,
  docs: ['https://developers.binance.com/docs/derivatives/coin-margined-futures/websocket-market-streams'],
});
