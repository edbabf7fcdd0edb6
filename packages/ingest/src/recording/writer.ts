/**
 * RecordingWriter: appends raw frames to a tickline recording (format.ts). Frames are copied into
 * the open block as they arrive (append is synchronous and never waits on I/O); the block is
 * sealed when it holds `blockBytes` or when `flushIntervalMs` has passed, compressed on libuv's
 * thread pool and written with one write call, blocks strictly in order. A crash therefore loses
 * at most the open block (plus blocks still being compressed); a torn last write is detected by
 * the reader (length/CRC) and ignored.
 */

import { type FileHandle, open } from 'node:fs/promises';
import { type InstrumentSpec, isVenueName, type VenueName } from '@tickline/wire';
import { compressBlock, defaultLevel } from './codec.js';
import { RecordingError } from './errors.js';
import {
  BLOCK_HEADER_BYTES,
  type Codec,
  CODECS,
  codecId,
  encodeFileHeader,
  FORMAT_VERSION,
  MAX_BLOCK_RAW_BYTES,
  MAX_CONTEXT_BYTES,
  type RecordedFrame,
  type RecordingHeader,
  recordBytes,
  writeBlockHeader,
  writeRecord,
} from './format.js';

export interface RecordingWriterOptions {
  readonly venue: VenueName;
  /** The venue's instrument list, when known (stored in the header; replay builds its registry from it). */
  readonly instruments?: readonly InstrumentSpec[] | null;
  /** Venue codes subscribed. */
  readonly symbols?: readonly string[];
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Default 'brotli' (quality 5: the smallest files at >100k frames/s on one core; see docs/recording.md). */
  readonly codec?: Codec;
  /** zlib 0-9 (default 6) or brotli 0-11 (default 5). */
  readonly level?: number;
  /** Raw bytes that seal a block. Default 1 MiB. */
  readonly blockBytes?: number;
  /** Age of the oldest unsealed frame that seals a block. Default 1000 ms; 0 = only by size. */
  readonly flushIntervalMs?: number;
  /** 'block': fdatasync after every block (power-loss safe, slower); 'close' (default): on close only. */
  readonly sync?: 'block' | 'close';
  /** Replace an existing file. Default false: opening refuses to clobber one. */
  readonly overwrite?: boolean;
}

export interface RecordingWriterStats {
  /** Frames appended (all of them end up in sealed blocks by close()). */
  frames: number;
  /** Frames refused (context over 64 KiB, frame over the block limit): counted, never thrown. */
  refused: number;
  blocksWritten: number;
  /** Raw record bytes appended / compressed bytes written (file header included). */
  rawBytes: number;
  fileBytes: number;
  /** Blocks sealed but not yet on disk. */
  pendingBlocks: number;
}

const DEFAULT_BLOCK_BYTES = 1024 * 1024;
export const DEFAULT_CODEC: Codec = 'brotli';

function checkOptions(o: RecordingWriterOptions): void {
  if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
  if (!isVenueName(o.venue)) throw new TypeError(`options.venue must be a venue name, got ${JSON.stringify(o.venue)}`);
  if (o.codec !== undefined && !CODECS.includes(o.codec)) throw new TypeError(`options.codec must be one of ${CODECS.join(', ')}`);
  const maxLevel = (o.codec ?? DEFAULT_CODEC) === 'brotli' ? 11 : 9;
  if (o.level !== undefined && (!Number.isInteger(o.level) || o.level < 0 || o.level > maxLevel))
    throw new RangeError(`options.level must be an integer from 0 to ${maxLevel}`);
  if (o.blockBytes !== undefined && (!Number.isInteger(o.blockBytes) || o.blockBytes < 256 || o.blockBytes > 64 * 1024 * 1024))
    throw new RangeError('options.blockBytes must be an integer from 256 to 67108864');
  if (o.flushIntervalMs !== undefined && (!Number.isFinite(o.flushIntervalMs) || o.flushIntervalMs < 0))
    throw new RangeError('options.flushIntervalMs must be a number >= 0');
  if (o.sync !== undefined && o.sync !== 'block' && o.sync !== 'close') throw new TypeError('options.sync must be "block" or "close"');
}

export class RecordingWriter {
  readonly path: string;
  readonly header: RecordingHeader;
  readonly #fh: FileHandle;
  readonly #codec: Codec;
  readonly #level: number;
  readonly #blockBytes: number;
  readonly #sync: boolean;
  readonly #timer: NodeJS.Timeout | null;
  readonly #flushMs: number;
  #buf: Buffer;
  #used = 0;
  #count = 0;
  #openedAt = 0;
  /** Writes, in block order; compression of later blocks overlaps earlier writes. */
  #chain: Promise<void> = Promise.resolve();
  #error: RecordingError | null = null;
  #closed = false;
  readonly #stats: RecordingWriterStats = { frames: 0, refused: 0, blocksWritten: 0, rawBytes: 0, fileBytes: 0, pendingBlocks: 0 };

  private constructor(path: string, fh: FileHandle, header: RecordingHeader, o: RecordingWriterOptions) {
    this.path = path;
    this.#fh = fh;
    this.header = header;
    this.#codec = o.codec ?? DEFAULT_CODEC;
    this.#level = o.level ?? defaultLevel(this.#codec);
    this.#blockBytes = o.blockBytes ?? DEFAULT_BLOCK_BYTES;
    this.#sync = o.sync === 'block';
    this.#buf = Buffer.allocUnsafe(this.#blockBytes);
    this.#flushMs = o.flushIntervalMs ?? 1000;
    this.#timer = null;
    if (this.#flushMs > 0) {
      this.#timer = setInterval(() => this.#onTimer(), Math.max(10, Math.min(this.#flushMs, 250)));
      this.#timer.unref();
    }
  }

  /** Creates the file (refusing to replace one unless `overwrite`) and writes its header. */
  static async open(path: string, options: RecordingWriterOptions): Promise<RecordingWriter> {
    if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
    checkOptions(options);
    const header: RecordingHeader = {
      format: 'tickline-recording',
      version: FORMAT_VERSION,
      venue: options.venue,
      createdMs: Date.now(),
      instruments: options.instruments ?? null,
      symbols: [...(options.symbols ?? [])],
      codec: options.codec ?? DEFAULT_CODEC,
      meta: { ...(options.meta ?? {}) },
    };
    let fh: FileHandle;
    try {
      fh = await open(path, options.overwrite === true ? 'w' : 'wx');
    } catch (err) {
      throw new RecordingError('ERR_RECORDING_WRITE', `cannot create ${path}: ${(err as Error).message}`, { cause: err });
    }
    const w = new RecordingWriter(path, fh, header, options);
    const head = encodeFileHeader(header);
    try {
      await fh.write(head);
    } catch (err) {
      await fh.close().catch(() => {});
      throw new RecordingError('ERR_RECORDING_WRITE', `cannot write ${path}: ${(err as Error).message}`, { cause: err });
    }
    w.#stats.fileBytes = head.length;
    return w;
  }

  /**
   * Copies one frame into the open block (the frame's bytes may be reused after the call).
   * Throws ERR_RECORDING_CLOSED after close() and ERR_RECORDING_WRITE once a write has failed.
   */
  append(f: RecordedFrame): void {
    if (this.#closed) throw new RecordingError('ERR_RECORDING_CLOSED', 'append() after close()');
    if (this.#error !== null) throw this.#error;
    const ctx = f.context === null ? null : Buffer.from(f.context, 'utf8');
    const n = recordBytes(ctx === null ? 0 : ctx.length, f.bytes.length);
    if ((ctx !== null && ctx.length > MAX_CONTEXT_BYTES) || n > MAX_BLOCK_RAW_BYTES) {
      this.#stats.refused++;
      return;
    }
    if (this.#used + n > this.#buf.length) {
      if (this.#count > 0) this.#seal();
      if (n > this.#buf.length) this.#buf = Buffer.allocUnsafe(n);
    }
    if (this.#count === 0) this.#openedAt = performance.now();
    this.#used = writeRecord(this.#buf, this.#used, f, ctx);
    this.#count++;
    this.#stats.frames++;
    this.#stats.rawBytes += n;
    if (this.#used >= this.#blockBytes) this.#seal();
  }

  /** Seals the open block and resolves once every sealed block is written. */
  async flush(): Promise<void> {
    if (this.#count > 0) this.#seal();
    await this.#chain;
    if (this.#error !== null) throw this.#error;
  }

  /** Flushes, syncs and closes the file. Idempotent; resolves with the final stats. */
  async close(): Promise<RecordingWriterStats> {
    if (this.#closed) {
      await this.#chain;
      return this.stats();
    }
    if (this.#timer !== null) clearInterval(this.#timer);
    if (this.#count > 0 && this.#error === null) this.#seal();
    this.#closed = true;
    await this.#chain;
    try {
      if (this.#error === null) await this.#fh.datasync();
    } catch (err) {
      this.#fail(err);
    }
    await this.#fh.close().catch(() => {});
    if (this.#error !== null) throw this.#error;
    return this.stats();
  }

  stats(): RecordingWriterStats {
    return { ...this.#stats };
  }

  #onTimer(): void {
    if (this.#count > 0 && performance.now() - this.#openedAt >= this.#flushMs) this.#seal();
  }

  #seal(): void {
    const raw = Buffer.from(this.#buf.subarray(0, this.#used));
    const records = this.#count;
    this.#used = 0;
    this.#count = 0;
    if (this.#buf.length > this.#blockBytes) this.#buf = Buffer.allocUnsafe(this.#blockBytes);
    this.#stats.pendingBlocks++;
    const compressed = compressBlock(this.#codec, raw, this.#level);
    compressed.catch(() => {}); // handled in the chain, in order
    const id = codecId(this.#codec);
    this.#chain = this.#chain.then(async () => {
      try {
        if (this.#error !== null) return;
        const payload = await compressed;
        const head = Buffer.allocUnsafe(BLOCK_HEADER_BYTES);
        writeBlockHeader(head, payload, raw.length, records, id);
        // One write per block: a crash tears at most this block, which the reader ignores.
        const { bytesWritten } = await this.#fh.writev([head, payload]);
        if (bytesWritten !== head.length + payload.length) throw new Error(`short write (${bytesWritten} bytes; disk full?)`);
        if (this.#sync) await this.#fh.datasync();
        this.#stats.fileBytes += head.length + payload.length;
        this.#stats.blocksWritten++;
      } catch (err) {
        this.#fail(err);
      } finally {
        this.#stats.pendingBlocks--;
      }
    });
  }

  #fail(err: unknown): void {
    if (this.#error === null)
      this.#error = new RecordingError('ERR_RECORDING_WRITE', `writing ${this.path} failed: ${(err as Error).message}`, { cause: err });
  }
}
