/**
 * OKX v5 public WebSocket (`/ws/v5/public`), as documented: `{"id","op":"subscribe","args":[{channel,
 * instId}]}` answered per arg `{"id","event":"subscribe","arg":{...},"connId"}`; an unknown
 * instrument or channel `{"event":"error","code":"60018","msg":"Wrong URL or channel:...","connId"}`.
 * `books` (400 levels) starts with a snapshot `{"action":"snapshot","data":[{asks,bids,ts,checksum,
 * seqId?,prevSeqId:-1}]}` of the file's book at this point; recorded updates follow as recorded.
 * Keep-alive: the text `ping` is answered `pong`. Limits: 480 subscribe/unsubscribe requests per
 * connection per hour (error 60014), 3 connection attempts per second.
 */

import { BookChecksum, type L2Book, VENUE_RULES } from '@tickline/book';
import type { RecordedFrame } from '@tickline/ingest';
import { okxInstTypes } from '@tickline/normalize';
import type { EmulatorConnection, SubChannel, Subscription } from '../connection.js';
import { levels, trimmed } from '../format.js';
import { json, lotText, parseObject, tickText } from './shared.js';
import type { EmulatedVenue, RestAnswer, VenueHost } from './types.js';

const CHANNELS: Readonly<Record<string, SubChannel>> = { books: 'book', trades: 'trades', tickers: 'quotes' };
const SNAPSHOT_DEPTH = 400;

export class OkxVenue implements EmulatedVenue {
  readonly venue = 'okx' as const;
  readonly wsPath = '/ws/v5/public';
  readonly connectLimit = { messages: 3, windowMs: 1000 };
  readonly messageLimit = null;
  readonly pingIntervalMs = 0;
  readonly #checksum = new BookChecksum();

  acceptsPath(p: string): boolean {
    return p === this.wsPath;
  }

  open(conn: EmulatorConnection): void {
    conn.state.set('connId', (0x10000000 + conn.id).toString(16));
  }

  request(conn: EmulatorConnection, text: string, host: VenueHost): void {
    const connId = conn.state.get('connId') as string;
    if (text === 'ping') {
      if (!host.ignorePings()) conn.send('pong');
      return;
    }
    const m = parseObject(text);
    const err = (code: string, msg: string, id?: unknown) =>
      conn.send(JSON.stringify({ ...(typeof id === 'string' ? { id } : {}), event: 'error', code, msg, connId }));
    if (m === null) return err('60012', `Invalid request: ${text.slice(0, 60)}`);
    const id = m.id;
    if (m.op !== 'subscribe' && m.op !== 'unsubscribe') return err('60012', `Invalid request: ${text.slice(0, 60)}`, id);
    if (!Array.isArray(m.args) || m.args.length === 0) return err('60012', 'Invalid request: args must be a non-empty array', id);
    if (!host.within(conn, 'subscribe_requests_per_hour', { messages: 480, windowMs: 3_600_000 }) || host.subscribeFault(conn) > 0)
      return err('60014', 'Requests too frequent.', id);
    for (const a of m.args) {
      const arg = a as { channel?: unknown; instId?: unknown };
      const channel = typeof arg.channel === 'string' ? CHANNELS[arg.channel] : undefined;
      const spec = typeof arg.instId === 'string' ? host.spec(arg.instId) : undefined;
      if (channel === undefined || spec === undefined) {
        err('60018', `Wrong URL or channel:${String(arg.channel)},instId:${String(arg.instId)} doesn't exist`, id);
        continue;
      }
      const ack = JSON.stringify({
        ...(typeof id === 'string' ? { id } : {}),
        event: m.op,
        arg: { channel: arg.channel, instId: spec.symbol },
        connId,
      });
      if (m.op === 'unsubscribe') {
        host.unsubscribe(conn, channel, spec.id);
        conn.send(ack);
        continue;
      }
      const sub = host.subscribe(conn, { channel, spec, name: arg.channel as string, snapshot: channel === 'book' });
      conn.send(ack);
      if (sub !== null) host.seed(conn, sub);
    }
  }

  rest(path: string, query: URLSearchParams, host: VenueHost): RestAnswer | null {
    if (path !== '/api/v5/public/instruments') return null;
    const type = query.get('instType');
    if (type === null || !['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(type))
      return json(200, { code: '51000', msg: 'Parameter instType error', data: [] });
    const data = host.registry
      .list()
      .filter((s) => s.venue === 'okx' && okxInstTypes([s.symbol])[0] === type)
      .map((s) => ({ instId: s.symbol, instType: type, tickSz: tickText(s), lotSz: lotText(s), state: 'live' }));
    return json(200, { code: '0', msg: '', data });
  }

  forward(_conn: EmulatorConnection, _sub: Subscription, frame: RecordedFrame): Buffer {
    return Buffer.from(frame.bytes.buffer, frame.bytes.byteOffset, frame.bytes.byteLength);
  }

  snapshot(_conn: EmulatorConnection, sub: Subscription, book: L2Book, host: VenueHost): string {
    // OKX writes numbers in shortest form; "0" is the deprecated field, then the order count
    // (unknown to a replay of an L2 feed: written as 1 per level).
    const side = (s: 'bids' | 'asks') =>
      levels(book, s, SNAPSHOT_DEPTH).map(([p, q]) => [trimmed(p, book.priceScale), trimmed(q, book.sizeScale), '0', '1']);
    const data: Record<string, unknown> = {
      asks: side('asks'),
      bids: side('bids'),
      ts: String(Date.now()),
      checksum: this.#checksum.okx(book, VENUE_RULES.okx),
    };
    const seq = host.model.lastSeq(sub.instrument);
    if (Number.isFinite(seq)) Object.assign(data, { prevSeqId: -1, seqId: seq });
    return JSON.stringify({ arg: { channel: sub.name, instId: sub.symbol }, action: 'snapshot', data: [data] });
  }

  heartbeat(): string[] {
    return [];
  }
}
