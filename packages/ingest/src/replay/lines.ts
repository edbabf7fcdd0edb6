import type { Readable } from 'node:stream';

/** One line of a byte stream, without its `\n` (and without a trailing `\r`). */
export interface Line {
  readonly bytes: Buffer;
  /** 1-based. */
  readonly no: number;
  /** Byte offset of the line's first byte. */
  readonly offset: number;
}

/**
 * Splits a byte stream into lines, keeping exact byte offsets (readline does not give them).
 * Yielded buffers are views into chunks that are never reused, so they stay valid.
 */
export async function* splitLines(stream: Readable): AsyncGenerator<Line> {
  let carry: Buffer | null = null;
  let no = 0;
  let offset = 0;
  for await (const chunk of stream) {
    let buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    if (carry !== null) {
      buf = Buffer.concat([carry, buf]);
      carry = null;
    }
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      no++;
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      yield { bytes: buf.subarray(start, end), no, offset };
      offset += nl + 1 - start;
      start = nl + 1;
    }
    if (start < buf.length) carry = buf.subarray(start);
  }
  if (carry !== null && carry.length > 0) {
    no++;
    const end = carry[carry.length - 1] === 13 ? carry.length - 1 : carry.length;
    yield { bytes: carry.subarray(0, end), no, offset };
  }
}

/**
 * Decimal epoch seconds ("1633998512.0633569") in bytes [from, to) to whole seconds and
 * nanoseconds, exactly (digits past the ninth decimal are dropped). False if not such a number.
 */
export function secondsInto(b: Buffer, from: number, to: number, out: { s: number; ns: number }): boolean {
  let s = 0;
  let i = from;
  for (; i < to; i++) {
    const c = (b[i] as number) - 48;
    if (c < 0 || c > 9) break;
    s = s * 10 + c;
  }
  if (i === from || i - from > 12) return false;
  let ns = 0;
  if (i < to) {
    if (b[i] !== 46) return false;
    let scale = 100_000_000;
    for (i++; i < to; i++) {
      const c = (b[i] as number) - 48;
      if (c < 0 || c > 9) return false;
      ns += c * scale;
      scale = scale >= 10 ? scale / 10 : 0;
    }
  }
  out.s = s;
  out.ns = ns;
  return true;
}
