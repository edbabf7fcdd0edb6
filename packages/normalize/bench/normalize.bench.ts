/**
 * Normalize-core benchmark: frames/s of one thread through the pure core (Normalizer with a no-op
 * sink), on frames in the venue's real wire format, packed as views into one SharedArrayBuffer
 * like frames in a ring. Binance: synthetic depth diffs of 1 and 20 levels. Sim: the embedded
 * exchange's live stream (its own market process and encoders, deltas and trades over 5,500
 * instruments). Peers, measured in the same run: the JSON path (`fastPaths: false`) and
 * JSON.parse alone on the same (pre-decoded) text; for sim also the text decode alone.
 *
 *   node --import tsx packages/normalize/bench/normalize.bench.ts --venue sim --json
 *
 * Options: --venue sim|binance-spot|binance-usdm, --runs N (default 7, at least 5), --ms M per
 * run (default 300), --json (machine-readable report on stdout).
 */
import { pathToFileURL } from 'node:url';
import { type CanonicalSink, InstrumentRegistry, VENUES } from '@tickline/wire';
import { FrameText } from '../src/core/text.js';
import { Normalizer } from '../src/index.js';
import { simStream } from './sim-frames.js';

export { type SimStream, simStream } from './sim-frames.js';
export const BENCH_VENUES = ['sim', 'binance-spot', 'binance-usdm'] as const;

export interface BenchOptions {
  venue?: (typeof BENCH_VENUES)[number];
  runs?: number;
  msPerRun?: number;
}

export interface BenchFigure {
  framesPerSec: number;
  nsPerFrame: number;
}

export interface BenchResult {
  name: string;
  median: BenchFigure;
  min: BenchFigure;
  max: BenchFigure;
  /** For a case with a peer measured in the same run: median / peer median. */
  peer?: string;
  ratio?: number;
}

export interface BenchReport {
  bench: 'normalize';
  node: string;
  runs: number;
  msPerRun: number;
  venue: string;
  results: BenchResult[];
  /** The input, and each ratio to its peer in words (what `tickline bench` prints). */
  notes: string[];
}

const POOL = 4096;
/** Sim frames: enough of the stream that the 5,500 instruments' long tail shows (as live). */
const SIM_POOL = 8 * POOL;

/** Deterministic depth-diff frames for one symbol, `levels` bids and asks each (alternating sides when 1). */
function depthFrames(venue: 'binance-spot' | 'binance-usdm', levels: number): string[] {
  const out: string[] = [];
  let seq = 499869750;
  let x = 12345;
  const rnd = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
  const lv = (base: number, i: number, dir: number) => {
    const p = (base + dir * i * 0.0001 + Math.floor(rnd() * 20) * 0.0001 * dir).toFixed(8);
    const s = rnd() < 0.2 ? '0.00000000' : (Math.floor(rnd() * 50000) + rnd()).toFixed(8);
    return `["${p}","${s}"]`;
  };
  for (let k = 0; k < POOL; k++) {
    const U = seq + 1;
    seq += 1 + Math.floor(rnd() * 3);
    const bids: string[] = [];
    const asks: string[] = [];
    if (levels === 1) (k % 2 === 0 ? bids : asks).push(k % 2 === 0 ? lv(0.3513, 0, -1) : lv(0.3526, 0, 1));
    else
      for (let i = 0; i < levels; i++) {
        bids.push(lv(0.3513, i, -1));
        asks.push(lv(0.3526, i, 1));
      }
    const E = 1633998512068 + k * 100;
    const data =
      venue === 'binance-spot'
        ? `{"e":"depthUpdate","E":${E},"s":"NKNUSDT","U":${U},"u":${seq},"b":[${bids.join(',')}],"a":[${asks.join(',')}]}`
        : `{"e":"depthUpdate","E":${E},"T":${E - 5},"s":"NKNUSDT","U":${U},"u":${seq},"pu":${U - 1},"b":[${bids.join(',')}],"a":[${asks.join(',')}]}`;
    out.push(`{"stream":"nknusdt@depth@100ms","data":${data}}`);
  }
  return out;
}

/** Packs texts into one SharedArrayBuffer and returns views (what a ring consumer hands the core). */
function pack(texts: string[]): Uint8Array[] {
  const bufs = texts.map((t) => Buffer.from(t, 'utf8'));
  const total = bufs.reduce((n, b) => n + b.length, 0);
  const backing = new Uint8Array(new SharedArrayBuffer(total));
  const views: Uint8Array[] = [];
  let off = 0;
  for (const b of bufs) {
    backing.set(b, off);
    views.push(backing.subarray(off, off + b.length));
    off += b.length;
  }
  return views;
}

class CountingSink implements CanonicalSink {
  deltas = 0;
  tradeBatches = 0;
  rejects = 0;
  bookDelta(): void {
    this.deltas++;
  }
  bookSnapshot(): void {}
  trades(): void {
    this.tradeBatches++;
  }
  quotes(): void {}
  reject(): void {
    this.rejects++;
  }
}

interface Cases {
  cases: Case[];
  /** What the frames are. */
  input: string;
}

interface Case {
  name: string;
  peer?: string;
  pool: number;
  step: (i: number) => void;
  check?: () => void;
}

/** Runs `step(i)` over the pool for about `ms`; returns frames/s. */
function measure(ms: number, c: Case): number {
  let frames = 0;
  const { pool, step } = c;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(ms * 1e6));
  let elapsed = 0n;
  do {
    for (let i = 0; i < pool; i++) step(i);
    frames += pool;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < budget);
  return frames / (Number(elapsed) / 1e9);
}

function figure(fps: number): BenchFigure {
  return { framesPerSec: Math.round(fps), nsPerFrame: Math.round((1e9 / fps) * 10) / 10 };
}

/** Binance: 1-level and 20-level depth diffs, fast path and JSON path, peer JSON.parse alone. */
function binanceCases(venue: 'binance-spot' | 'binance-usdm'): Cases {
  const registry = new InstrumentRegistry();
  registry.add({ venue, symbol: 'NKNUSDT', priceScale: 4, sizeScale: 8, tickSize: 1, lotSize: 1 });
  const id = VENUES[venue];
  const cases: Case[] = [];
  for (const levels of [1, 20]) {
    const texts = depthFrames(venue, levels);
    const views = pack(texts);
    const tag = `depth${levels}`;
    for (const [suffix, fastPaths] of [
      ['', true],
      [':json-path', false],
    ] as const) {
      const n = new Normalizer({ registry, fastPaths });
      const sink = new CountingSink();
      cases.push({
        name: `${venue}:${tag}${suffix}`,
        peer: `json-parse:${tag}`,
        pool: POOL,
        step: (i) => n.handleFrame(id, 0, null, views[i] as Uint8Array, 0, 0, sink),
        check: () => {
          if (sink.rejects !== 0 || sink.deltas === 0)
            throw new Error(`${venue}:${tag}${suffix}: ${sink.rejects} rejects, ${sink.deltas} deltas`);
        },
      });
    }
    cases.push(jsonParseCase(`json-parse:${tag}`, texts, POOL));
  }
  return { cases, input: `${POOL} synthetic combined-stream depth diffs of 1 and of 20 levels a side, one symbol` };
}

/**
 * Sim: the live stream (deltas and trades) through the fast path, peer the JSON path; the JSON
 * path, peer JSON.parse alone; and the text decode alone (what a byte scanner could save).
 */
function simCases(): Cases {
  const { registry, frames } = simStream({ frames: SIM_POOL });
  const texts = frames.slice(0, SIM_POOL);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const trades = texts.filter((t) => t.startsWith('{"type":"trade"')).length;
  const views = pack(texts);
  const id = VENUES.sim;
  const cases: Case[] = [];
  for (const [name, fastPaths, peer] of [
    ['sim:stream', true, 'sim:stream:json-path'],
    ['sim:stream:json-path', false, 'json-parse:stream'],
  ] as const) {
    const n = new Normalizer({ registry, fastPaths });
    const sink = new CountingSink();
    cases.push({
      name,
      peer,
      pool: SIM_POOL,
      step: (i) => n.handleFrame(id, 0, null, views[i] as Uint8Array, 0, 0, sink),
      check: () => {
        if (sink.rejects !== 0 || sink.deltas === 0 || sink.tradeBatches === 0)
          throw new Error(`${name}: ${sink.rejects} rejects, ${sink.deltas} deltas, ${sink.tradeBatches} trade batches`);
      },
    });
  }
  cases.push(jsonParseCase('json-parse:stream', texts, SIM_POOL));
  const decoder = new FrameText();
  let chars = 0;
  cases.push({
    name: 'text-decode:stream',
    pool: SIM_POOL,
    step: (i) => {
      chars += decoder.decode(views[i] as Uint8Array).length;
    },
    check: () => {
      if (chars === 0) throw new Error('text-decode:stream decoded nothing');
    },
  });
  const input =
    `${texts.length} frames of the embedded exchange's live stream (${registry.size} instruments, default rate), ` +
    `${Math.round(bytes / texts.length)} bytes on average, ${Math.round((trades / texts.length) * 100)}% trade frames`;
  return { cases, input };
}

/** JSON.parse alone on pre-decoded text. */
function jsonParseCase(name: string, texts: string[], pool: number): Case {
  let sinkhole = 0;
  return {
    name,
    pool,
    step: (i) => {
      sinkhole += (JSON.parse(texts[i] as string) as object) === null ? 1 : 0;
    },
    check: () => {
      if (sinkhole !== 0) throw new Error(`${name}: JSON.parse returned null`);
    },
  };
}

export async function runNormalizeBench(opts: BenchOptions = {}): Promise<BenchReport> {
  const venue = opts.venue ?? 'binance-spot';
  if (!(BENCH_VENUES as readonly string[]).includes(venue))
    throw new RangeError(`options.venue must be one of ${BENCH_VENUES.join(', ')}, got ${String(venue)}`);
  const runs = opts.runs ?? 7;
  if (!Number.isInteger(runs) || runs < 5) throw new RangeError(`options.runs must be an integer of at least 5, got ${runs}`);
  const msPerRun = opts.msPerRun ?? 300;
  if (!(msPerRun > 0)) throw new RangeError(`options.msPerRun must be positive, got ${msPerRun}`);
  const { cases, input } = venue === 'sim' ? simCases() : binanceCases(venue);

  // Warm-up (JIT) then interleaved runs, so drift hits every case alike.
  for (const c of cases) measure(Math.min(200, msPerRun), c);
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < runs; r++) {
    for (const c of cases) samples.get(c.name)?.push(measure(msPerRun, c));
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const c of cases) c.check?.();

  const medians = new Map<string, number>();
  const results: BenchResult[] = cases.map((c) => {
    const s = [...(samples.get(c.name) ?? [])].sort((a, b) => a - b);
    const med =
      s.length % 2 === 1 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
    medians.set(c.name, med);
    return {
      name: c.name,
      median: figure(med),
      min: figure(s[0] as number),
      max: figure(s[s.length - 1] as number),
      ...(c.peer ? { peer: c.peer } : {}),
    };
  });
  const notes = [input];
  for (const r of results) {
    if (r.peer === undefined) continue;
    r.ratio = Math.round(((medians.get(r.name) as number) / (medians.get(r.peer) as number)) * 100) / 100;
    notes.push(`${r.name}: ${r.ratio}x the frames/s of ${r.peer} (medians, same run)`);
  }
  return { bench: 'normalize', node: process.version, runs, msPerRun, venue, results, notes };
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const opts: BenchOptions = {};
  const venue = arg('venue');
  if (venue !== undefined) opts.venue = venue as NonNullable<BenchOptions['venue']>;
  if (arg('runs') !== undefined) opts.runs = Number(arg('runs'));
  if (arg('ms') !== undefined) opts.msPerRun = Number(arg('ms'));
  runNormalizeBench(opts).then(
    (report) => {
      if (process.argv.includes('--json')) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
        return;
      }
      process.stdout.write(`normalize bench, ${report.venue}, node ${report.node}, ${report.runs} runs x ${report.msPerRun} ms\n`);
      process.stdout.write(`${report.notes[0]}\n`);
      for (const r of report.results) {
        const ratio = r.ratio === undefined ? '' : `  (${r.ratio}x ${r.peer})`;
        process.stdout.write(
          `${r.name.padEnd(32)} median ${r.median.framesPerSec.toLocaleString('en-US').padStart(11)} frames/s  ${String(r.median.nsPerFrame).padStart(7)} ns/frame  [${r.min.framesPerSec.toLocaleString('en-US')} .. ${r.max.framesPerSec.toLocaleString('en-US')}]${ratio}\n`,
        );
      }
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}
