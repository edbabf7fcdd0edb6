import type { ExecutionReport } from './matching.js';
import { fillView, orderView } from './accounts.js';
import { formatUnits } from './decimal.js';
import type { Instrument } from './instruments.js';
import type { SimBook } from './sim-book.js';
import type { OrderSide, OrderType, TimeInForce } from './accounts.js';
import { isRecord } from '@tickline/runtime/config-schema';
import type { ErrorCode } from './errors.js';

/** Request ids are echoed back verbatim. */
export type RequestId = string | number | null;

export type Request =
  | { action: 'subscribe'; id: RequestId; channels: string[]; snapshot: boolean }
  | { action: 'unsubscribe'; id: RequestId; channels: string[] }
  | { action: 'snapshot'; id: RequestId; channels: string[] }
  | { action: 'ping'; id: RequestId }
  | {
      action: 'new_order';
      id: RequestId;
      clientOrderId: string;
      instrument: string;
      side: OrderSide;
      type: OrderType;
      timeInForce: TimeInForce;
      price: string | undefined;
      size: string;
    }
  | { action: 'cancel_order'; id: RequestId; orderId: string | undefined; clientOrderId: string | undefined }
  | { action: 'cancel_all'; id: RequestId; instrument: string | undefined }
  | { action: 'open_orders'; id: RequestId; instrument: string | undefined }
  | { action: 'fills'; id: RequestId; sinceSeq: number; limit: number }
  | { action: 'account'; id: RequestId };

export type Action = Request['action'];
export const ACTIONS: readonly Action[] = [
  'subscribe',
  'unsubscribe',
  'snapshot',
  'ping',
  'new_order',
  'cancel_order',
  'cancel_all',
  'open_orders',
  'fills',
  'account',
];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  field?: string;
  id: RequestId;
  action?: string;
}

const CLIENT_ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const MAX_CHANNELS_PER_REQUEST = 20_000;

function bad(id: RequestId, action: string, field: string, message: string): ProtocolError {
  return { code: 'bad_request', message, field, id, action };
}

function optString(o: Record<string, unknown>, key: string): string | undefined | null {
  const v = o[key];
  if (v === undefined) return undefined;
  return typeof v === 'string' && v.length > 0 && v.length <= 64 ? v : null;
}

/** Parses and validates one client text frame. Never throws. */
export function parseRequest(text: string): Request | ProtocolError {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { code: 'bad_json', message: 'frame is not valid JSON', id: null };
  }
  if (!isRecord(raw)) return { code: 'bad_request', message: 'frame must be a JSON object', id: null };
  const rawId = raw.id;
  let id: RequestId = null;
  if (typeof rawId === 'number' && Number.isFinite(rawId)) id = rawId;
  else if (typeof rawId === 'string' && rawId.length <= 64) id = rawId;
  else if (rawId !== undefined && rawId !== null) {
    return {
      code: 'bad_request',
      message: 'id must be a number or a string of at most 64 characters',
      field: 'id',
      id: null,
    };
  }
  const action = raw.action;
  if (typeof action !== 'string') return { code: 'bad_request', message: 'action is missing', field: 'action', id };
  if (!(ACTIONS as readonly string[]).includes(action)) {
    return {
      code: 'unknown_action',
      message: `unknown action '${action.slice(0, 40)}' (allowed: ${ACTIONS.join(', ')})`,
      field: 'action',
      id,
      action,
    };
  }
  switch (action) {
    case 'subscribe':
    case 'unsubscribe':
    case 'snapshot': {
      const ch = raw.channels;
      if (!Array.isArray(ch) || ch.length === 0 || ch.length > MAX_CHANNELS_PER_REQUEST || !ch.every((c) => typeof c === 'string')) {
        return bad(id, action, 'channels', `channels must be a non-empty array of at most ${MAX_CHANNELS_PER_REQUEST} strings`);
      }
      if (action === 'subscribe') {
        const snap = raw.snapshot;
        if (snap !== undefined && typeof snap !== 'boolean') return bad(id, action, 'snapshot', 'snapshot must be true or false');
        return { action, id, channels: ch as string[], snapshot: snap !== false };
      }
      return { action, id, channels: ch as string[] } as Request;
    }
    case 'ping':
    case 'account':
      return { action, id } as Request;
    case 'new_order': {
      const coid = raw.clientOrderId;
      if (typeof coid !== 'string' || !CLIENT_ID_RE.test(coid)) {
        return bad(id, action, 'clientOrderId', 'clientOrderId must be 1-64 characters of A-Z a-z 0-9 _ . : -');
      }
      if (typeof raw.instrument !== 'string' || raw.instrument.length === 0 || raw.instrument.length > 32) {
        return bad(id, action, 'instrument', 'instrument must be a symbol string');
      }
      if (raw.side !== 'buy' && raw.side !== 'sell') return bad(id, action, 'side', "side must be 'buy' or 'sell'");
      const type = raw.type ?? 'limit';
      if (type !== 'limit' && type !== 'market') return bad(id, action, 'type', "type must be 'limit' or 'market'");
      const tif = raw.timeInForce ?? (type === 'market' ? 'IOC' : 'GTC');
      if (tif !== 'GTC' && tif !== 'IOC') return bad(id, action, 'timeInForce', "timeInForce must be 'GTC' or 'IOC'");
      if (raw.price !== undefined && typeof raw.price !== 'string') {
        return bad(id, action, 'price', 'price must be a decimal string such as "189.25"');
      }
      if (typeof raw.size !== 'string') return bad(id, action, 'size', 'size must be a decimal string such as "10"');
      return {
        action,
        id,
        clientOrderId: coid,
        instrument: raw.instrument,
        side: raw.side,
        type,
        timeInForce: tif,
        price: raw.price as string | undefined,
        size: raw.size,
      };
    }
    case 'cancel_order': {
      const orderId = optString(raw, 'orderId');
      const clientOrderId = optString(raw, 'clientOrderId');
      if (orderId === null) return bad(id, action, 'orderId', 'orderId must be a string');
      if (clientOrderId === null) return bad(id, action, 'clientOrderId', 'clientOrderId must be a string');
      if ((orderId === undefined) === (clientOrderId === undefined)) {
        return bad(id, action, 'orderId', 'give exactly one of orderId and clientOrderId');
      }
      return { action, id, orderId, clientOrderId };
    }
    case 'cancel_all':
    case 'open_orders': {
      const instrument = optString(raw, 'instrument');
      if (instrument === null) return bad(id, action, 'instrument', 'instrument must be a symbol string');
      return { action, id, instrument } as Request;
    }
    case 'fills': {
      const since = raw.sinceSeq ?? 0;
      const limit = raw.limit ?? 1000;
      if (typeof since !== 'number' || !Number.isInteger(since) || since < 0) {
        return bad(id, action, 'sinceSeq', 'sinceSeq must be an integer >= 0');
      }
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 10_000) {
        return bad(id, action, 'limit', 'limit must be an integer from 1 to 10000');
      }
      return { action, id, sinceSeq: since, limit };
    }
  }
  return { code: 'unknown_action', message: `unknown action '${action}'`, id };
}

/* ---------- server frames ---------- */

function levels(inst: Instrument, prices: readonly number[], sizes: readonly number[], depth: number): string {
  const n = Math.min(depth, prices.length);
  let s = '[';
  const pp = inst.pricePrecision;
  const sp = inst.sizePrecision;
  for (let i = 0; i < n; i++) {
    if (i > 0) s += ',';
    s += `["${formatUnits((prices[i] as number) * inst.tickUnits, pp)}","${formatUnits((sizes[i] as number) * inst.lotUnits, sp)}"]`;
  }
  return `${s}]`;
}

function pendingLevels(inst: Instrument, pending: ReadonlyMap<number, number>): string {
  let s = '[';
  let first = true;
  for (const [price, lots] of pending) {
    if (!first) s += ',';
    first = false;
    s += `["${formatUnits(price * inst.tickUnits, inst.pricePrecision)}","${formatUnits(lots * inst.lotUnits, inst.sizePrecision)}"]`;
  }
  return `${s}]`;
}

/** Full snapshot frame (WebSocket). */
export function encodeSnapshot(inst: Instrument, book: SimBook, ts: number, depth = Number.MAX_SAFE_INTEGER): string {
  return `{"type":"snapshot","channel":"book:${inst.symbol}","seq":${book.seq},"ts":${ts},"bids":${levels(inst, book.bids.prices, book.bids.sizes, depth)},"asks":${levels(inst, book.asks.prices, book.asks.sizes, depth)}}`;
}

/** REST snapshot body. */
export function encodeRestBook(inst: Instrument, book: SimBook, ts: number, depth: number): string {
  return `{"instrument":"${inst.symbol}","seq":${book.seq},"ts":${ts},"bids":${levels(inst, book.bids.prices, book.bids.sizes, depth)},"asks":${levels(inst, book.asks.prices, book.asks.sizes, depth)}}`;
}

/** Delta frame for the book's pending changes; the caller has already advanced book.seq. */
export function encodeDelta(inst: Instrument, book: SimBook, ts: number): string {
  return `{"type":"delta","channel":"book:${inst.symbol}","seq":${book.seq},"prevSeq":${book.seq - 1},"ts":${ts},"bids":${pendingLevels(inst, book.bids.pending)},"asks":${pendingLevels(inst, book.asks.pending)}}`;
}

export function encodeTrades(inst: Instrument, book: SimBook, ts: number): string {
  let s = `{"type":"trade","channel":"trades:${inst.symbol}","ts":${ts},"trades":[`;
  const trades = book.pendingTrades;
  for (let i = 0; i < trades.length; i++) {
    const t = trades[i];
    if (t === undefined) continue;
    if (i > 0) s += ',';
    s += `{"id":${t.id},"price":"${formatUnits(t.priceTicks * inst.tickUnits, inst.pricePrecision)}","size":"${formatUnits(t.lots * inst.lotUnits, inst.sizePrecision)}","side":"${t.aggressor}"}`;
  }
  return `${s}]}`;
}

export function encodeHeartbeat(ts: number): string {
  return `{"type":"heartbeat","channel":"system","ts":${ts}}`;
}

export function encodeAck(id: RequestId, action: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'ack', channel: 'system', id, action, ...extra });
}

export function encodeError(e: ProtocolError & { retryAfterMs?: number | undefined }): string {
  const frame: Record<string, unknown> = {
    type: 'error',
    channel: 'system',
    id: e.id,
    code: e.code,
    message: e.message,
  };
  if (e.action !== undefined) frame.action = e.action;
  if (e.field !== undefined) frame.field = e.field;
  if (e.retryAfterMs !== undefined) frame.retryAfterMs = e.retryAfterMs;
  return JSON.stringify(frame);
}

export function encodeExecution(r: ExecutionReport): string {
  const frame: Record<string, unknown> = {
    type: 'execution',
    channel: 'orders',
    account: r.account,
    seq: r.seq,
    event: r.event,
    ts: r.ts,
    order: orderView(r.order),
  };
  if (r.fill !== undefined) frame.fill = { ...fillView(r.fill), seq: r.seq };
  if (r.reason !== undefined) frame.reason = r.reason;
  return JSON.stringify(frame);
}

/** Text frames the malformed-frame fault sends, cycling. Each is broken in a different way. */
export const MALFORMED_FRAMES: readonly string[] = [
  '{"type":"delta","channel":"book:',
  'not json at all',
  '{"type":"delta","channel":"book:???","seq":"x","bids":7}',
  '',
  '[1,2,3]',
];
