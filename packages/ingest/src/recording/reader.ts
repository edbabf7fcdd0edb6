/**
 * Reads a tickline recording (format.ts) block by block. Damage never throws once the header is
 * read: a block whose header or payload fails its length/CRC/decompression checks is skipped,
 * the reader scans forward for the next block that validates, and the skipped span is reported
 * with its byte offset. A damaged span with no valid block after it is the tail (a torn last
 * write): it is reported separately and ignored.
 */

import { type FileHandle, open } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { decompressBlock } from './codec.js';
import { RecordingError } from './errors.js';
import {
  BLOCK_HEADER_BYTES,
  BLOCK_MAGIC,
  checkFileHeaderFixed,
  decodeHeaderJson,
  decodeRecords,
  FILE_HEADER_FIXED_BYTES,
  type RecordedFrame,
  type RecordingHeader,
  readBlockHeader,
} from './format.js';

export interface DamagedSpan {
  /** Byte offset in the file where the damage starts (the bad block's first byte). */
  readonly offset: number;
  readonly bytes: number;
  readonly reason: string;
}

export interface RecordingReport {
  readonly file: string;
  fileBytes: number;
  headerBytes: number;
  /** Valid blocks read and frames yielded so far. */
  blocks: number;
  frames: number;
  /** Damaged spans between valid blocks (skipped). */
  readonly corruptBlocks: DamagedSpan[];
  /** Damage at the end of the file with no valid block after it (ignored), or null. */
  tail: DamagedSpan | null;
}

const SCAN_CHUNK = 1024 * 1024;

type BlockResult = { frames: RecordedFrame[]; end: number } | string;

export class RecordingReader {
  readonly path: string;
  readonly header: RecordingHeader;
  readonly report: RecordingReport;
  readonly #fh: FileHandle;
  readonly #size: number;
  #started = false;
  #closed = false;

  private constructor(path: string, fh: FileHandle, header: RecordingHeader, headerBytes: number, size: number) {
    this.path = path;
    this.#fh = fh;
    this.header = header;
    this.#size = size;
    this.report = { file: path, fileBytes: size, headerBytes, blocks: 0, frames: 0, corruptBlocks: [], tail: null };
  }

  /** Opens a recording and reads its header. Throws a RecordingError when the header is unusable. */
  static async open(path: string): Promise<RecordingReader> {
    if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
    const fh = await open(path, 'r');
    try {
      const size = (await fh.stat()).size;
      const fixed = await readAt(fh, 0, FILE_HEADER_FIXED_BYTES);
      const { jsonBytes, jsonCrc } = checkFileHeaderFixed(fixed, path);
      const json = await readAt(fh, FILE_HEADER_FIXED_BYTES, jsonBytes);
      if (json.length < jsonBytes) throw new RecordingError('ERR_RECORDING_BAD_HEADER', `${path}: header truncated`);
      const header = decodeHeaderJson(json, jsonCrc, path);
      return new RecordingReader(path, fh, header, FILE_HEADER_FIXED_BYTES + jsonBytes, size);
    } catch (err) {
      await fh.close().catch(() => {});
      throw err;
    }
  }

  /** Every valid block's frames, in file order. One pass per reader; closes the file at the end. */
  async *blocks(): AsyncGenerator<RecordedFrame[]> {
    if (this.#started) throw new RecordingError('ERR_RECORDING_INVALID_ARGUMENT', 'a RecordingReader can be iterated once');
    this.#started = true;
    const r = this.report;
    let pos = r.headerBytes;
    try {
      while (pos < this.#size && !this.#closed) {
        let got = await this.#tryBlock(pos);
        if (typeof got === 'string') {
          const reason = got;
          const next = await this.#findNextBlock(pos + 1);
          if (next === null) {
            r.tail = { offset: pos, bytes: this.#size - pos, reason };
            break;
          }
          r.corruptBlocks.push({ offset: pos, bytes: next.at - pos, reason });
          pos = next.at;
          got = next.block;
        }
        r.blocks++;
        r.frames += got.frames.length;
        pos = got.end;
        yield got.frames;
      }
    } finally {
      await this.close();
    }
  }

  /** Every frame, in file order (see blocks()). */
  async *frames(): AsyncGenerator<RecordedFrame> {
    for await (const block of this.blocks()) yield* block;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close().catch(() => {});
  }

  async #tryBlock(at: number): Promise<BlockResult> {
    const head = await readAt(this.#fh, at, BLOCK_HEADER_BYTES);
    const h = readBlockHeader(head, 0);
    if (typeof h === 'string') return h;
    const end = at + BLOCK_HEADER_BYTES + h.payloadBytes;
    if (end > this.#size) return `block runs past the end of the file (${end - this.#size} bytes missing)`;
    const payload = await readAt(this.#fh, at + BLOCK_HEADER_BYTES, h.payloadBytes);
    if (crc32(payload) !== h.payloadCrc) return 'block payload CRC mismatch';
    const raw = decompressBlock(h.codec, payload, h.rawBytes);
    if (typeof raw === 'string') return raw;
    const frames = decodeRecords(raw, h.records);
    if (typeof frames === 'string') return frames;
    return { frames, end };
  }

  /** The first position at or after `from` where a whole valid block starts, or null. */
  async #findNextBlock(from: number): Promise<{ at: number; block: { frames: RecordedFrame[]; end: number } } | null> {
    let pos = from;
    while (pos < this.#size) {
      const chunk = await readAt(this.#fh, pos, Math.min(SCAN_CHUNK, this.#size - pos));
      let i = chunk.indexOf(BLOCK_MAGIC);
      while (i >= 0) {
        const got = await this.#tryBlock(pos + i);
        if (typeof got !== 'string') return { at: pos + i, block: got };
        i = chunk.indexOf(BLOCK_MAGIC, i + 1);
      }
      if (chunk.length < BLOCK_MAGIC.length) break;
      // overlap so a magic split across chunks is still found
      pos += chunk.length - (BLOCK_MAGIC.length - 1);
      if (chunk.length < SCAN_CHUNK) break;
    }
    return null;
  }
}

/** Opens a recording (header checked) for iteration: `for await (const f of (await openRecording(p)).frames())`. */
export function openRecording(path: string): Promise<RecordingReader> {
  return RecordingReader.open(path);
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === length ? buf : buf.subarray(0, got);
}
