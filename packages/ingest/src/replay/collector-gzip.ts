import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { splitLines } from './lines.js';
import type { ReplayFrame, ReplayOptions } from './types.js';

export interface CollectorOptions extends ReplayOptions {
  /**
   * Request path given to inline REST snapshots as their `context` (the body does not name the
   * symbol). Default `/fapi/v1/depth` (the collector's Binance USD-M feed); `/api/v3/depth` for
   * spot, `/dapi/v1/depth` for COIN-M.
   */
  readonly restPath?: string;
  /** Venue symbol of the file; default from the file name (`btcusdt_20240101.gz` -> `BTCUSDT`). */
  readonly symbol?: string;
}

const SNAPSHOT_PREFIX = Buffer.from('{"lastUpdateId":');

/**
 * Reader for hftbacktest collector files: gzip text, one `<local_timestamp> <raw json>` line per
 * received message, the timestamp in integer nanoseconds since the epoch (19 digits; older
 * files used microseconds, 16 digits, also accepted). The collector writes the Binance REST depth
 * snapshot inline as its bare body (`{"lastUpdateId":...,"bids":...,"asks":...}`), which is
 * yielded as a RestResponse with `context` = `<restPath>?symbol=<SYMBOL>`.
 */
export async function* readCollectorGzip(path: string, opts: CollectorOptions = {}): AsyncGenerator<ReplayFrame> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
  const symbol = opts.symbol ?? (basename(path).split(/[_.]/)[0] ?? '').toUpperCase();
  const context = `${opts.restPath ?? '/fapi/v1/depth'}?symbol=${encodeURIComponent(symbol)}`;
  const gunzip = createGunzip();
  const input = createReadStream(path);
  let failure: string | null = null;
  gunzip.on('error', (err: Error) => {
    failure = err.message;
  });
  const lines = splitLines(input.pipe(gunzip));
  let last = { no: 0, offset: 0 };
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
      const rest = body.indexOf(SNAPSHOT_PREFIX) === 0;
      yield { kind: rest ? 2 : 0, context: rest ? context : null, recvS, recvNs, bytes: body };
    }
  } catch (err) {
    failure = (err as Error).message;
  }
  if (failure !== null) {
    opts.onBadLine?.({ file: path, line: last.no + 1, offset: last.offset, reason: `gzip stream ended early: ${failure}` });
  }
}
