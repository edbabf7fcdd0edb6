/**
 * One reader over every replayable file: tickline recordings, the shared captures' line format
 * (`x.cap`, with `x.rest` beside it merged in by receive time) and hftbacktest collector gzip
 * files. Frames come in batches (a recording block, or up to 512 capture lines) so a replay loop
 * pays the async-iteration cost per batch, not per frame.
 */

import { open } from 'node:fs/promises';
import type { VenueName } from '@tickline/wire';
import { readCapture } from '../replay/capture-file.js';
import { type CollectorOptions, readCollectorGzip } from '../replay/collector-gzip.js';
import type { BadLine, ReplayFrame } from '../replay/types.js';
import { RecordingError } from './errors.js';
import { FILE_MAGIC, type RecordedFrame, type RecordingHeader } from './format.js';
import { type DamagedSpan, RecordingReader } from './reader.js';

export const REPLAY_FORMATS = ['tickline', 'capture', 'collector'] as const;
export type ReplayFormat = (typeof REPLAY_FORMATS)[number];

export interface ReplayInputOptions {
  /** Default 'auto': by the file's first bytes (recording magic, gzip magic, else capture lines). */
  readonly format?: ReplayFormat | 'auto';
  /** Venue of the file: collector files name their inline snapshots' REST request after it. */
  readonly venue?: VenueName;
  /** Collector files: symbol and REST path of the inline snapshots (default: from the messages and the venue). */
  readonly collector?: CollectorOptions;
  /** Capture lines per batch (default 512). */
  readonly batch?: number;
}

/** What a reader skipped or ignored, for every format (counted, never thrown). */
export interface ReplayInputReport {
  readonly file: string;
  readonly format: ReplayFormat;
  frames: number;
  /** Capture / collector lines that could not be read. */
  badLines: number;
  readonly firstBadLines: BadLine[];
  /** Recordings: damaged blocks skipped in the middle, and the ignored damaged tail. */
  readonly corruptBlocks: DamagedSpan[];
  tail: DamagedSpan | null;
}

export interface ReplayInput {
  readonly path: string;
  readonly format: ReplayFormat;
  /** The recording's header; null for captures and collector files. */
  readonly header: RecordingHeader | null;
  readonly report: ReplayInputReport;
  /** Frames in file order, in batches. One pass. */
  batches(): AsyncGenerator<readonly RecordedFrame[]>;
  close(): Promise<void>;
}

const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/** The format of a file by its first bytes. Throws ERR_REPLAY_UNKNOWN_FORMAT for anything else. */
export async function detectFormat(path: string): Promise<ReplayFormat> {
  const fh = await open(path, 'r');
  const head = Buffer.alloc(FILE_MAGIC.length);
  try {
    await fh.read(head, 0, head.length, 0);
  } finally {
    await fh.close();
  }
  if (head.equals(FILE_MAGIC)) return 'tickline';
  if (head.subarray(0, 2).equals(GZIP_MAGIC)) return 'collector';
  // capture lines start with a receive time (digit) or a URL
  const c = head[0] ?? 0;
  if ((c >= 0x30 && c <= 0x39) || /^(wss?|https?):/.test(head.toString('latin1'))) return 'capture';
  throw new RecordingError(
    'ERR_REPLAY_UNKNOWN_FORMAT',
    `${path}: cannot tell its format; accepted formats: tickline (a tickline recording), capture (.cap/.rest capture lines), ` +
      'collector (an hftbacktest collector gzip file); --format forces one',
  );
}

export async function openReplayInput(path: string, opts: ReplayInputOptions = {}): Promise<ReplayInput> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
  const format = opts.format === undefined || opts.format === 'auto' ? await detectFormat(path) : opts.format;
  if (!REPLAY_FORMATS.includes(format)) throw new TypeError(`options.format must be "auto" or one of ${REPLAY_FORMATS.join(', ')}`);
  const report: ReplayInputReport = { file: path, format, frames: 0, badLines: 0, firstBadLines: [], corruptBlocks: [], tail: null };
  if (format === 'tickline') {
    const reader = await RecordingReader.open(path);
    const shared: ReplayInputReport = { ...report, corruptBlocks: reader.report.corruptBlocks };
    return {
      path,
      format,
      header: reader.header,
      report: shared,
      async *batches() {
        try {
          for await (const block of reader.blocks()) {
            shared.frames += block.length;
            yield block;
          }
        } finally {
          shared.tail = reader.report.tail;
        }
      },
      close: () => reader.close(),
    };
  }
  const onBadLine = (b: BadLine) => {
    report.badLines++;
    if (report.firstBadLines.length < 20) report.firstBadLines.push(b);
  };
  const size = opts.batch ?? 512;
  let source: AsyncGenerator<ReplayFrame> | null = null;
  return {
    path,
    format,
    header: null,
    report,
    async *batches() {
      source =
        format === 'capture'
          ? readCapture(path, { onBadLine })
          : readCollectorGzip(path, { ...(opts.venue !== undefined ? { venue: opts.venue } : {}), ...opts.collector, onBadLine });
      let batch: RecordedFrame[] = [];
      let seq = 0;
      for await (const f of source) {
        batch.push({ recvS: f.recvS, recvNs: f.recvNs, connId: 0, frameSeq: seq++, kind: f.kind, context: f.context, bytes: f.bytes });
        if (batch.length >= size) {
          report.frames += batch.length;
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) {
        report.frames += batch.length;
        yield batch;
      }
    },
    close: async () => {
      await source?.return(undefined);
    },
  };
}
