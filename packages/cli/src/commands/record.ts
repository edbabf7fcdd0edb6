/**
 * `tickline record`: connects to a venue with the live ingest source (the embedded exchange,
 * started in-process, when the venue is `sim` and no URL is configured) and appends every raw
 * frame, with its receive time, to a tickline recording (docs/recording.md). No pipeline: the
 * source drives a small Emitter that copies frames into the writer. SIGINT/SIGTERM or
 * `--duration` close the file cleanly; a crash loses at most the open block.
 */

import { type ExchangeHandle, startExchange } from '@tickline/exchange';
import { type Channel, createIngestSource, redactUrl } from '@tickline/ingest';
import { simInstruments } from '@tickline/normalize';
import { createLogger, type Mark, type RawFrameLike, SourceEmitter } from '@tickline/runtime';
import { InstrumentRegistry, type InstrumentSpec } from '@tickline/wire';
import { type Codec, RecordingError, RecordingWriter } from '@tickline/ingest';
import type { LoadedConfig } from '../config.js';
import { LiveVenueError, prepareLiveVenue } from './live-venue.js';

export interface RecordOptions {
  /** Output file; an existing file is refused unless `overwrite`. */
  out: string;
  /** Venue codes to record (`--instruments A,B`); default: config `venue.symbols`, else every instrument the venue lists (sim). */
  instruments?: readonly string[];
  /** Stop by itself after this many seconds. */
  durationS?: number;
  overwrite?: boolean;
  /** Block codec (default brotli) and level (zlib 0-9, brotli 0-11), and sealing thresholds. */
  codec?: Codec;
  level?: number;
  flushMs?: number;
  blockKiB?: number;
  summary?: 'json' | 'text';
}

export interface RecordSummary {
  file: string;
  venue: string;
  instruments: number;
  durationS: number;
  frames: number;
  framesPerSec: number;
  refused: number;
  blocks: number;
  rawBytes: number;
  fileBytes: number;
  marks: { feedDown: number; feedUp: number; stale: number };
  stopReason: string;
}

/** Copies raw frames into the writer; counts marks (the format holds frames only). */
class RecordEmitter extends SourceEmitter {
  readonly marks = { feedDown: 0, feedUp: 0, stale: 0 };
  failure: Error | null = null;
  readonly #writer: RecordingWriter;
  readonly #onFail: (err: Error) => void;
  constructor(writer: RecordingWriter, onFail: (err: Error) => void) {
    super();
    this.#writer = writer;
    this.#onFail = onFail;
  }
  rawFrame(f: RawFrameLike): void {
    if (this.failure !== null) return;
    try {
      this.#writer.append(f);
    } catch (err) {
      this.failure = err as Error;
      this.#onFail(this.failure);
    }
  }
  mark(m: Mark): void {
    if (m.type === 'feed') m.up ? this.marks.feedUp++ : this.marks.feedDown++;
    else if (m.type === 'stale') this.marks.stale++;
  }
  flush(): void {} // the writer seals blocks by size and age
}

async function fetchJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url} answered HTTP ${res.status}`);
  return res.json();
}

export async function record({ config }: LoadedConfig, opts: RecordOptions): Promise<number> {
  const log = createLogger(config.log.level);
  const venue = config.venue.name;
  let exchange: ExchangeHandle | null = null;
  let url = config.venue.url;
  let restUrl = config.venue.restUrl;
  const started = performance.now();
  try {
    if (venue === 'sim' && url === undefined) {
      exchange = await startExchange({ ...(config.exchange as object), host: '127.0.0.1', port: 0 });
      url = exchange.wsUrl;
      restUrl = exchange.httpUrl;
      log.info({ url, instruments: exchange.instruments.length }, 'embedded exchange started');
    }
    // The instrument list goes into the header, so a replay needs no inference: sim's own, or a
    // live venue's (fetched or cached as `run` does; the symbols checked against it).
    let registry = InstrumentRegistry.from([]);
    let listed: InstrumentSpec[] | null = null;
    let symbols = [...(opts.instruments ?? [])];
    if (symbols.length === 0) symbols = [...config.venue.symbols];
    if (venue === 'sim') {
      if (restUrl === undefined) throw new RecordingError('ERR_RECORDING_INVALID_ARGUMENT', 'venue.restUrl is required for sim');
      for (const input of simInstruments(await fetchJson(`${restUrl}/v1/instruments`))) registry.add({ ...input, venue: 'sim' });
      listed = registry.list();
      if (symbols.length === 0) symbols = listed.map((s) => s.symbol);
    } else {
      try {
        const live = await prepareLiveVenue({ ...config, venue: { ...config.venue, symbols } }, log);
        ({ registry, url, restUrl } = live);
        const wanted = new Set(symbols);
        listed = registry.list().filter((s) => wanted.has(s.symbol));
      } catch (err) {
        if (!(err instanceof LiveVenueError)) throw err;
        process.stderr.write(`tickline: ${err.message.replace('--symbols (venue.symbols)', '--instruments (venue.symbols)')}\n`);
        return err.exitCode;
      }
    }

    // The source first: it checks every code against the registry before any file is created.
    const source = createIngestSource({
      venue,
      ...(url !== undefined ? { url } : {}),
      ...(restUrl !== undefined ? { restUrl } : {}),
      registry,
      instruments: symbols,
      channels: config.venue.channels as Channel[],
      // A recorder keeps every frame, late rather than lost: no shedding unless configured.
      config: { maxBacklogMs: 0, ...(config.ingest ?? {}) } as never,
      log: (level, msg, data) => log[level](data ?? {}, msg),
    });
    const writer = await RecordingWriter.open(opts.out, {
      venue,
      instruments: listed,
      symbols,
      meta: {
        tool: 'tickline record',
        url: url === undefined ? null : redactUrl(url),
        restUrl: restUrl === undefined ? null : redactUrl(restUrl),
        channels: config.venue.channels,
        embeddedExchange: exchange !== null,
      },
      ...(opts.codec !== undefined ? { codec: opts.codec } : {}),
      ...(opts.level !== undefined ? { level: opts.level } : {}),
      ...(opts.flushMs !== undefined ? { flushIntervalMs: opts.flushMs } : {}),
      ...(opts.blockKiB !== undefined ? { blockBytes: opts.blockKiB * 1024 } : {}),
      ...(opts.overwrite === true ? { overwrite: true } : {}),
    });
    let fail: (reason: string) => void = () => {};
    const failed = new Promise<string>((resolve) => (fail = resolve));
    const emitter = new RecordEmitter(writer, (err) => {
      log.error({ err: err.message }, 'recording failed; stopping');
      fail('write-error');
    });
    let onSignal: (sig: NodeJS.Signals | 'duration') => void = () => {};
    const stop = new Promise<string>((resolve) => (onSignal = resolve));
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    const timer = opts.durationS !== undefined ? setTimeout(() => onSignal('duration'), opts.durationS * 1000) : null;
    await Promise.race([source.start(emitter), stop, failed]);
    log.info({ venue, instruments: symbols.length, out: opts.out }, 'tickline recording; Ctrl-C to stop');
    // Compression runs on libuv's pool; a backlog means the codec cannot keep up with the feed.
    let warned = 0;
    const watch = setInterval(() => {
      const pending = writer.stats().pendingBlocks;
      if (pending > 16 && pending > warned) {
        warned = pending * 2;
        log.warn({ pendingBlocks: pending }, 'compression is falling behind the feed; try --codec deflate --level 1');
      }
    }, 1000);
    watch.unref();
    const reason = await Promise.race([stop, failed]);
    clearInterval(watch);
    if (timer !== null) clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    const hard = setTimeout(() => {
      log.error('closing the recording took longer than 5 s; exiting');
      process.exit(1);
    }, 4800);
    hard.unref();
    await source.stop();
    const w = await writer.close();
    clearTimeout(hard);
    const durationS = Math.round((performance.now() - started) / 10) / 100;
    const summary: RecordSummary = {
      file: opts.out,
      venue,
      instruments: symbols.length,
      durationS,
      frames: w.frames,
      framesPerSec: Math.round(w.frames / Math.max(durationS, 0.001)),
      refused: w.refused,
      blocks: w.blocksWritten,
      rawBytes: w.rawBytes,
      fileBytes: w.fileBytes,
      marks: emitter.marks,
      stopReason: reason,
    };
    if (opts.summary === 'json') process.stdout.write(`${JSON.stringify(summary)}\n`);
    else
      process.stdout.write(
        `tickline recorded ${summary.frames} frames of ${venue} (${summary.instruments} instruments) in ${durationS}s (${reason}) ` +
          `to ${opts.out}: ${summary.blocks} blocks, ${summary.fileBytes} bytes (raw ${summary.rawBytes}); ` +
          `feed down/up ${summary.marks.feedDown}/${summary.marks.feedUp}, refused ${summary.refused}\n`,
      );
    return emitter.failure === null ? 0 : 1;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const usage = code === 'ERR_INGEST_UNKNOWN_INSTRUMENT' || code === 'ERR_INGEST_INVALID_CONFIG' || err instanceof RecordingError;
    // the writer's option checks (codec, level, block size) name the bad option
    if (usage || ((err instanceof RangeError || err instanceof TypeError) && /^options\./.test(err.message))) {
      process.stderr.write(`tickline: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  } finally {
    await exchange?.close();
  }
}
