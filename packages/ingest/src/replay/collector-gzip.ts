import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { VenueName } from '@tickline/wire';
import { dialectFor } from '../venues/index.js';
import { type Line, splitLines } from './lines.js';
import type { ReplayFrame, ReplayOptions } from './types.js';

export interface CollectorOptions extends ReplayOptions {
  /**
   * Venue of the file: the inline REST snapshots get the request path that venue's ingest would
   * have used (`/api/v3/depth?symbol=X&limit=1000` on binance-spot, `/fapi/v1/depth` on USD-M,
   * `/dapi/v1/depth` on COIN-M).
   */
  readonly venue?: VenueName;
  /** Overrides the venue's REST path (`/api/v3/depth`); without venue or path: `/fapi/v1/depth`. */
  readonly restPath?: string;
  /** Overrides the symbol the inline snapshots belong to (default: from the stream's messages). */
  readonly symbol?: string;
}

const SNAPSHOT_PREFIX = Buffer.from('{"lastUpdateId":');
const SYMBOL_KEY = Buffer.from('"s":"');
const STREAM_KEY = Buffer.from('{"stream":"');
/** Lines held back while an inline snapshot waits for a message naming its symbol. */
const MAX_HELD = 100_000;

/**
 * Reader for hftbacktest collector files: gzip text, one `<local_timestamp> <raw json>` line per
 * received message, the timestamp in integer nanoseconds since the epoch (19 digits; older
 * files used microseconds, 16 digits, also accepted). The collector writes the Binance REST depth
 * snapshot inline as its bare body (`{"lastUpdateId":...,"bids":...,"asks":...}`), which names no
 * symbol: it is yielded as a RestResponse whose `context` is the venue's depth request for the
 * symbol of the next message that names one (`"s":"BTCUSD_PERP"`, or the combined stream's
 * name), whatever the file is called. At the end of the file a snapshot still waiting takes the
 * last symbol seen; one with no symbol anywhere is reported as a bad line.
 */
export async function* readCollectorGzip(path: string, opts: CollectorOptions = {}): AsyncGenerator<ReplayFrame> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
  const contextFor = restContext(opts);
  const gunzip = createGunzip();
  const input = createReadStream(path);
  let failure: string | null = null;
  gunzip.on('error', (err: Error) => {
    failure = err.message;
  });
  const lines = splitLines(input.pipe(gunzip));
  let last = { no: 0, offset: 0 };
  let lastSymbol: string | null = opts.symbol ?? null;
  // Frames held back behind an inline snapshot whose symbol is not known yet (in file order).
  const held: { frame: ReplayFrame & { context: string | null }; line: Line | null }[] = [];
  const release = function* (symbol: string | null): Generator<ReplayFrame> {
    for (const h of held) {
      if (h.frame.kind === 2 && h.frame.context === null) {
        if (symbol === null) {
          const l = h.line as Line;
          opts.onBadLine?.({
            file: path,
            line: l.no,
            offset: l.offset,
            reason: 'inline depth snapshot: no message in the file names its symbol',
          });
          continue;
        }
        yield { ...h.frame, context: contextFor(symbol) };
      } else yield h.frame;
    }
    held.length = 0;
  };
  try {
    for await (const line of lines) {
      last = line;
      const b = line.bytes;
      if (b.length === 0) continue;
      const sp = b.indexOf(32);
      const digits = sp;
      let ok = sp > 0 && (digits === 19 || digits === 16);
      for (let i = 0; ok && i < sp; i++) ok = (b[i] as number) >= 48 && (b[i] as number) <= 57;
      if (!ok || sp + 1 >= b.length) {
        opts.onBadLine?.({ file: path, line: line.no, offset: line.offset, reason: 'expected "<timestamp_ns> <json>"' });
        continue;
      }
      // Split the integer timestamp without going through a double (19 digits exceed 2^53).
      const fracDigits = digits === 19 ? 9 : 6;
      const recvS = Number(b.toString('latin1', 0, sp - fracDigits));
      const recvNs = Number(b.toString('latin1', sp - fracDigits, sp)) * (digits === 19 ? 1 : 1000);
      const body = b.subarray(sp + 1);
      if (body.indexOf(SNAPSHOT_PREFIX) === 0) {
        const frame = { kind: 2 as const, context: opts.symbol !== undefined ? contextFor(opts.symbol) : null, recvS, recvNs, bytes: body };
        if (frame.context !== null && held.length === 0) yield frame;
        else held.push({ frame, line });
        continue;
      }
      const frame = { kind: 0 as const, context: null, recvS, recvNs, bytes: body };
      const symbol = symbolOf(body);
      if (symbol !== null) lastSymbol = symbol;
      if (held.length === 0) yield frame;
      else {
        held.push({ frame, line: null });
        if (symbol !== null || held.length > MAX_HELD) yield* release(symbol ?? lastSymbol);
      }
    }
  } catch (err) {
    failure = (err as Error).message;
  }
  yield* release(lastSymbol);
  if (failure !== null) {
    opts.onBadLine?.({ file: path, line: last.no + 1, offset: last.offset, reason: `gzip stream ended early: ${failure}` });
  }
}

/** The symbol a message names: `"s":"X"` in its data, else the combined stream's name before '@'. */
function symbolOf(body: Buffer): string | null {
  const at = body.indexOf(SYMBOL_KEY);
  if (at >= 0) {
    const start = at + SYMBOL_KEY.length;
    const end = body.indexOf(0x22, start);
    if (end > start) return body.toString('latin1', start, end);
  }
  if (body.indexOf(STREAM_KEY) === 0) {
    const start = STREAM_KEY.length;
    const end = body.indexOf(0x40, start);
    if (end > start) return body.toString('latin1', start, end).toUpperCase();
  }
  return null;
}

/** The REST request context of an inline snapshot of `symbol`. */
function restContext(opts: CollectorOptions): (symbol: string) => string {
  if (opts.restPath !== undefined) return (s) => `${opts.restPath}?symbol=${encodeURIComponent(s)}`;
  const dialect = opts.venue !== undefined ? dialectFor(opts.venue) : null;
  const probe = dialect?.restPath('X', 1000);
  if (dialect && probe) return (s) => dialect.restPath(s, 1000) as string;
  return (s) => `/fapi/v1/depth?symbol=${encodeURIComponent(s)}`;
}
