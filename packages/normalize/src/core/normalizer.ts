import { type CanonicalSink, type InstrumentRegistry, type VenueName, venueName } from '@tickline/wire';
import { type NormalizeCounts, ParseContext } from './context.js';
import { FrameKind, type FrameKindCode } from './frame.js';
import type { VenueParser } from './parser.js';
import { Reason, type ReasonCode } from './reasons.js';
import { FrameText } from './text.js';
import { BinanceParser } from './venues/binance.js';
import { CoinbaseParser } from './venues/coinbase.js';
import { CoinbaseLegacyParser } from './venues/coinbase-legacy.js';
import { KrakenParser } from './venues/kraken.js';
import { KrakenV1Parser } from './venues/kraken-v1.js';
import { OkxParser } from './venues/okx.js';
import { SimParser } from './venues/sim.js';

export interface NormalizerOptions {
  readonly registry: InstrumentRegistry;
  /** Frames longer than this are refused unread (`frame_too_large`). Default 4 MiB. */
  readonly maxFrameBytes?: number;
  /**
   * Use venue fast paths (hand-written scanners for the hottest messages) before JSON.parse.
   * Default true; false forces the JSON path (for equivalence tests and benchmark peers).
   */
  readonly fastPaths?: boolean;
}

export const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 * 1024;

export interface NormalizeStats extends NormalizeCounts {
  /** Rejects by reason code (every code present, zero when unused). */
  rejected: Record<ReasonCode, number>;
}

const PARSERS: Record<VenueName, (ctx: ParseContext) => VenueParser> = {
  sim: (ctx) => new SimParser(ctx),
  'binance-spot': (ctx) => new BinanceParser(ctx, 'spot'),
  'binance-usdm': (ctx) => new BinanceParser(ctx, 'usdm'),
  'binance-coinm': (ctx) => new BinanceParser(ctx, 'coinm'),
  coinbase: (ctx) => new CoinbaseParser(ctx),
  'coinbase-legacy': (ctx) => new CoinbaseLegacyParser(ctx),
  kraken: (ctx) => new KrakenParser(ctx),
  'kraken-v1': (ctx) => new KrakenV1Parser(ctx),
  okx: (ctx) => new OkxParser(ctx),
};

/**
 * The normalize stage core: raw venue frames in, canonical drafts out through a CanonicalSink.
 * Pure and synchronous (no I/O, no logger); never throws on frame content: every refusal is a
 * `sink.reject(reason, detail)` and a counter. Venue parsers are created on first use.
 */
export class Normalizer {
  readonly #ctx: ParseContext;
  readonly #maxFrameBytes: number;
  readonly #parsers: (VenueParser | undefined)[] = [];
  readonly #names: (VenueName | undefined)[] = [];
  readonly #text = new FrameText();
  readonly #fast: boolean;

  constructor(opts: NormalizerOptions) {
    if (typeof opts !== 'object' || opts === null) throw new TypeError('options must be an object');
    const reg = opts.registry as unknown;
    if (typeof reg !== 'object' || reg === null || typeof (reg as InstrumentRegistry).lookup !== 'function') {
      throw new TypeError('options.registry must be an InstrumentRegistry');
    }
    const max = opts.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max <= 0) throw new RangeError(`options.maxFrameBytes must be a positive integer, got ${max}`);
    if (opts.fastPaths !== undefined && typeof opts.fastPaths !== 'boolean') throw new TypeError('options.fastPaths must be a boolean');
    this.#fast = opts.fastPaths ?? true;
    this.#ctx = new ParseContext(opts.registry);
    this.#maxFrameBytes = max;
  }

  /**
   * Normalizes one frame. `kind`: 0 WsText, 1 WsBinary, 2 RestResponse (then `context` is the
   * request path and query). `bytes` may be a view on a SharedArrayBuffer; it is not kept.
   */
  handleFrame(
    venue: number,
    kind: number,
    context: string | null,
    bytes: Uint8Array,
    recvS: number,
    recvNs: number,
    sink: CanonicalSink,
    connId = 0,
  ): void {
    const ctx = this.#ctx;
    ctx.sink = sink;
    ctx.connId = connId;
    ctx.venue = venue;
    ctx.recvS = recvS;
    ctx.recvNs = recvNs;
    ctx.counts.frames++;
    ctx.counts.bytes += bytes.byteLength;
    const parser = this.#parser(venue);
    if (parser === undefined) {
      ctx.venueLabel = `venue#${venue}`;
      ctx.reject(Reason.UnknownVenue, `venue id ${venue} has no parser`);
      return;
    }
    const name = this.#names[venue] as VenueName;
    ctx.venueName = name;
    ctx.venueLabel = name;
    if (kind !== FrameKind.WsText && kind !== FrameKind.WsBinary && kind !== FrameKind.RestResponse) {
      ctx.reject(Reason.UnknownFrameKind, `frame kind ${kind} is not 0 (WsText), 1 (WsBinary) or 2 (RestResponse)`);
      return;
    }
    if (bytes.byteLength > this.#maxFrameBytes) {
      ctx.reject(Reason.FrameTooLarge, `frame of ${bytes.byteLength} bytes exceeds maxFrameBytes ${this.#maxFrameBytes}`);
      return;
    }
    if (kind === FrameKind.WsText && this.#fast && parser.fast?.(bytes)) return;
    const text = this.#text.decode(bytes);
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      if (text === 'pong' || text === 'ping') ctx.control();
      else ctx.reject(Reason.MalformedJson, `${kindName(kind)} frame of ${bytes.byteLength} bytes is not valid JSON`);
      return;
    }
    parser.onMessage(msg, kind as FrameKindCode, context);
  }

  /** Counters since construction (a fresh object; the core keeps counting). */
  stats(): NormalizeStats {
    const c = this.#ctx;
    return { ...c.counts, rejected: { ...c.rejected } };
  }

  #parser(venue: number): VenueParser | undefined {
    const p = this.#parsers[venue];
    if (p !== undefined) return p;
    const name = Number.isInteger(venue) ? venueName(venue) : undefined;
    if (name === undefined) return undefined;
    const made = PARSERS[name](this.#ctx);
    this.#parsers[venue] = made;
    this.#names[venue] = name;
    return made;
  }
}

function kindName(kind: number): string {
  return kind === FrameKind.WsText ? 'text' : kind === FrameKind.WsBinary ? 'binary' : 'REST';
}
