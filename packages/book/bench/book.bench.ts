/**
 * Book benchmark: tickline's L2 book vs ccxt's OrderBook on the same synthetic stream, side by
 * side in the same process and run. Also the dense-ladder alternative (the structure measured
 * and rejected, see docs/book.md) and the full stage path (BookCore.onDelta).
 *
 *   node --import tsx packages/book/bench/book.bench.ts --json [--runs 5] [--updates 1000000]
 *        [--instruments 5500] [--depth 50] [--spacing 1] [--seed 42] [--no-ccxt] [--no-memory]
 */
import { pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { InstrumentRegistry, LevelBuffer, VENUES } from '@tickline/wire';
import { BookCore } from '../src/core/book-core.js';
import {
  BookViewRunner,
  CcxtRunner,
  CoreRunner,
  LadderRunner,
  LadderViewRunner,
  loadCcxtOrderBook,
  type Runner,
  TicklineRunner,
} from './runners.js';
import { generateStream, type SyntheticStream } from './stream.js';

export interface BookBenchOptions {
  instruments?: number;
  depth?: number;
  updates?: number;
  runs?: number;
  seed?: number;
  /** Mean ticks between levels (1 = dense). */
  spacing?: number;
  ccxt?: boolean;
  memory?: boolean;
}

export interface Figures {
  updatesPerSec: number;
}

export interface BenchResult {
  name: string;
  median: Figures;
  min: Figures;
  max: Figures;
}

export interface MemoryFigures {
  instruments: number;
  depth: number;
  /** Bytes of level arrays held by the books. */
  levelBytes: number;
  /** Heap + external growth measured around building the books (after GC when available). */
  residentBytes: number;
  bytesPerInstrument: number;
  ccxtResidentBytes?: number;
}

export interface BenchReport {
  bench: 'book';
  node: string;
  runs: number;
  params: { instruments: number; depth: number; updates: number; messages: number; seed: number; spacing: number };
  results: BenchResult[];
  /** median(tickline:book) / median(ccxt:book), measured in the same runs. */
  ratioVsCcxt?: number;
  /** Every contender ended every run with identical books. */
  verified: boolean;
  memory?: MemoryFigures;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Throws unless every runner's books equal the first runner's, for every instrument. */
export function assertSameBooks(runners: Runner[], instruments: number): void {
  const [ref, ...others] = runners;
  if (!ref) return;
  for (let id = 1; id <= instruments; id++) {
    const want = JSON.stringify(ref.read(id));
    for (const r of others) {
      const got = JSON.stringify(r.read(id));
      if (got !== want) throw new Error(`book mismatch: ${r.name} vs ${ref.name} on instrument ${id}:\n${got}\n${want}`);
    }
  }
}

function gcFn(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

/** Resident memory of `instruments` books with `depth` levels per side, through BookCore. */
export async function measureMemory(instruments: number, depth: number, ccxt: boolean): Promise<MemoryFigures> {
  const gc = gcFn();
  gc?.();
  const registry = new InstrumentRegistry();
  for (let i = 1; i <= instruments; i++)
    registry.add({ id: i, venue: 'sim', symbol: `M${i}`, priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
  const bids = new LevelBuffer(depth);
  const asks = new LevelBuffer(depth);
  for (let l = 0; l < depth; l++) {
    bids.push(1_000_000 - l, 10 + l);
    asks.push(1_000_001 + l, 10 + l);
  }
  gc?.();
  const before = used();
  const core = new BookCore({ depth, viewLevels: Math.min(10, depth) }, registry, { view() {}, resync() {}, bar() {} });
  const snap = {
    venue: VENUES.sim,
    priceScale: 2,
    sizeScale: 0,
    recvS: 0,
    recvNs: 0,
    exchS: 0,
    exchNs: 0,
    seq: 0,
    checksum: Number.NaN,
    bids,
    asks,
  };
  for (let i = 1; i <= instruments; i++) core.onSnapshot({ ...snap, instrument: i });
  gc?.();
  const residentBytes = used() - before;
  const stats = core.stats();
  if (stats.live !== instruments) throw new Error('memory bench: books not live');
  const out: MemoryFigures = {
    instruments,
    depth,
    levelBytes: stats.levelBytes,
    residentBytes,
    bytesPerInstrument: Math.round(residentBytes / instruments),
  };
  if (ccxt) {
    const OrderBook = await loadCcxtOrderBook();
    const rows = () => ({
      bids: Array.from({ length: depth }, (_, l) => [1_000_000 - l, 10 + l]),
      asks: Array.from({ length: depth }, (_, l) => [1_000_001 + l, 10 + l]),
    });
    gc?.();
    const b2 = used();
    const keep: unknown[] = [];
    for (let i = 0; i < instruments; i++) keep.push(new OrderBook(rows() as never, depth));
    gc?.();
    out.ccxtResidentBytes = used() - b2;
    if (keep.length !== instruments) throw new Error('unreachable');
  }
  return out;
}

export async function runBookBench(opts: BookBenchOptions = {}): Promise<BenchReport> {
  const instruments = opts.instruments ?? 5500;
  const depth = opts.depth ?? 50;
  const updates = opts.updates ?? 1_000_000;
  const runs = opts.runs ?? 5;
  const seed = opts.seed ?? 42;
  const spacing = opts.spacing ?? 1;
  if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`runs must be a positive integer, got ${runs}`);
  const stream: SyntheticStream = generateStream({ instruments, depth, updates, seed, tick: 5, spacing });
  const runners: Runner[] = [new TicklineRunner(), new LadderRunner(), new BookViewRunner(), new LadderViewRunner(), new CoreRunner()];
  if (opts.ccxt !== false) runners.push(new CcxtRunner(await loadCcxtOrderBook()));
  const samples = new Map<string, number[]>(runners.map((r) => [r.name, []]));
  const gc = gcFn();
  for (let run = -1; run < runs; run++) {
    // rotate the order so no contender always runs first (warm-up run -1 is not recorded)
    const order = runners.map((_, k) => runners[(k + Math.max(run, 0)) % runners.length] as Runner);
    for (const r of order) {
      r.setup(stream);
      gc?.();
      const t0 = process.hrtime.bigint();
      r.run(stream);
      const ns = Number(process.hrtime.bigint() - t0);
      if (run >= 0) samples.get(r.name)?.push(stream.count / (ns / 1e9));
    }
    assertSameBooks(runners, instruments);
    for (const r of runners) if (r instanceof CcxtRunner) r.release();
  }
  const results: BenchResult[] = runners.map((r) => {
    const xs = samples.get(r.name) ?? [];
    return {
      name: r.name,
      median: { updatesPerSec: Math.round(median(xs)) },
      min: { updatesPerSec: Math.round(Math.min(...xs)) },
      max: { updatesPerSec: Math.round(Math.max(...xs)) },
    };
  });
  const report: BenchReport = {
    bench: 'book',
    node: process.version,
    runs,
    params: { instruments, depth, updates: stream.count, messages: stream.messages, seed, spacing },
    results,
    verified: true,
  };
  const tl = results.find((r) => r.name === 'tickline:book');
  const cc = results.find((r) => r.name === 'ccxt:book');
  if (tl && cc) report.ratioVsCcxt = Math.round((tl.median.updatesPerSec / cc.median.updatesPerSec) * 100) / 100;
  if (opts.memory !== false) report.memory = await measureMemory(instruments, depth, opts.ccxt !== false);
  return report;
}

function arg(argv: string[], name: string): number | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = Number(argv[i + 1]);
  if (!Number.isFinite(v)) throw new TypeError(`${name} must be a number, got ${argv[i + 1]}`);
  return v;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const argv = process.argv.slice(2);
  const opts: BookBenchOptions = { ccxt: !argv.includes('--no-ccxt'), memory: !argv.includes('--no-memory') };
  const set = (k: 'runs' | 'updates' | 'instruments' | 'depth' | 'seed' | 'spacing', flag: string) => {
    const v = arg(argv, flag);
    if (v !== undefined) opts[k] = v;
  };
  set('runs', '--runs');
  set('updates', '--updates');
  set('instruments', '--instruments');
  set('depth', '--depth');
  set('seed', '--seed');
  set('spacing', '--spacing');
  const report = await runBookBench(opts);
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify(report)}\n`);
  else {
    for (const r of report.results) {
      console.log(
        `${r.name.padEnd(16)} median ${(r.median.updatesPerSec / 1e6).toFixed(2)} M/s  (min ${(r.min.updatesPerSec / 1e6).toFixed(2)}, max ${(r.max.updatesPerSec / 1e6).toFixed(2)})`,
      );
    }
    if (report.ratioVsCcxt !== undefined) console.log(`tickline:book / ccxt:book = ${report.ratioVsCcxt}x`);
    if (report.memory) console.log(`memory: ${JSON.stringify(report.memory)}`);
  }
}
