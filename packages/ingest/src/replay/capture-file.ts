import { createReadStream, existsSync } from 'node:fs';
import { type Line, secondsInto, splitLines } from './lines.js';
import type { ReplayFrame, ReplayOptions } from './types.js';

/**
 * Reader for the line format of the shared real captures (cryptofeed's sample data):
 *
 *     <url> <-> <unix_s>            connection opened        (skipped)
 *     <url> <- <unix_s>: <json>     frame sent by the client (skipped)
 *     <unix_s>: <json>              frame received           -> kind 0
 *     <url> -> <unix_s>: <json>     REST response            -> kind 2, context = path + query
 *
 * Given `x.cap`, REST responses come from `x.rest` beside it (if present), merged by receive
 * time so a REST snapshot is delivered where it was taken (on equal times the WebSocket frame
 * goes first). A `.rest` file can also be read on its own. Empty lines are skipped silently;
 * any other unreadable line goes to `onBadLine` with its line number and byte offset.
 */
export async function* readCapture(path: string, opts: ReplayOptions = {}): AsyncGenerator<ReplayFrame> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
  const files = [path];
  if (path.endsWith('.cap')) {
    const rest = `${path.slice(0, -4)}.rest`;
    if (existsSync(rest)) files.push(rest);
  }
  const sources = files.map((f) => frames(f, opts));
  const heads: (ReplayFrame | undefined)[] = [];
  for (const s of sources) heads.push((await s.next()).value ?? undefined);
  for (;;) {
    let pick = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h === undefined) continue;
      const best = pick < 0 ? undefined : heads[pick];
      if (best === undefined || h.recvS < best.recvS || (h.recvS === best.recvS && h.recvNs < best.recvNs)) pick = i;
    }
    if (pick < 0) return;
    const out = heads[pick] as ReplayFrame;
    heads[pick] = (await (sources[pick] as AsyncGenerator<ReplayFrame>).next()).value ?? undefined;
    yield out;
  }
}

const ARROW_OPEN = Buffer.from(' <-> ');
const ARROW_SENT = Buffer.from(' <- ');
const ARROW_REST = Buffer.from(' -> ');

async function* frames(file: string, opts: ReplayOptions): AsyncGenerator<ReplayFrame> {
  const t = { s: 0, ns: 0 };
  const bad = (line: Line, reason: string) => opts.onBadLine?.({ file, line: line.no, offset: line.offset, reason });
  for await (const line of splitLines(createReadStream(file))) {
    const b = line.bytes;
    if (b.length === 0) continue;
    const first = b[0] as number;
    if (first >= 48 && first <= 57) {
      // <unix_s>: <json>
      const colon = b.indexOf(': ');
      if (colon < 0 || !secondsInto(b, 0, colon, t)) {
        bad(line, 'expected "<unix_seconds>: <json>"');
        continue;
      }
      yield { kind: 0, context: null, recvS: t.s, recvNs: t.ns, bytes: b.subarray(colon + 2) };
      continue;
    }
    const sp = b.indexOf(32);
    if (sp > 0 && b.indexOf(ARROW_OPEN, sp) === sp) {
      if (!secondsInto(b, sp + ARROW_OPEN.length, b.length, t)) bad(line, 'bad time on a connection-open line');
      continue;
    }
    if (sp > 0 && b.indexOf(ARROW_SENT, sp) === sp) continue; // client -> venue frame
    if (sp > 0 && b.indexOf(ARROW_REST, sp) === sp) {
      const tStart = sp + ARROW_REST.length;
      const colon = b.indexOf(': ', tStart);
      if (colon < 0 || !secondsInto(b, tStart, colon, t)) {
        bad(line, 'expected "<url> -> <unix_seconds>: <json>"');
        continue;
      }
      yield { kind: 2, context: pathAndQuery(b.toString('utf8', 0, sp)), recvS: t.s, recvNs: t.ns, bytes: b.subarray(colon + 2) };
      continue;
    }
    bad(line, 'not a capture line (open, sent, received or REST)');
  }
}

/** "https://api.binance.com/api/v3/depth?symbol=X" -> "/api/v3/depth?symbol=X". */
export function pathAndQuery(url: string): string {
  const scheme = url.indexOf('://');
  if (scheme < 0) return url;
  const slash = url.indexOf('/', scheme + 3);
  return slash < 0 ? '/' : url.slice(slash);
}
