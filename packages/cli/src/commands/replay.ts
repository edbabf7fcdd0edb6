/**
 * `tickline replay FILE`: feeds a tickline recording, a shared capture (`.cap` + `.rest`) or an
 * hftbacktest collector gzip file through the pipeline (ingest replays the file, every other
 * stage is the one `run` starts), paced by the recorded receive times, and prints per-stage
 * counts like `run`.
 *
 * `--verify` instead runs the normalize core and the book Verifier in this process over the
 * file and checks it against the venue's own truth: checksums (Kraken, OKX), sequence
 * continuity (Binance, OKX, Coinbase, sim) and the book's best bid/ask against the venue's
 * top-of-book stream wherever the update ids match (Binance bookTicker). Exit code 1 on any
 * mismatch or gap.
 */

import { type VerifyReport, Verifier } from '@tickline/book';
import { Normalizer } from '@tickline/normalize';
import {
  createLogger,
  MarketViewTable,
  moduleUrl,
  Pipeline,
  type PipelineOptions,
  type PipelineStats,
  STAGES,
  type StageName,
} from '@tickline/runtime';
import { type InstrumentRegistry, isVenueName, VENUE_NAMES, venueId } from '@tickline/wire';
import { openReplayInput, type ReplayFormat, type ReplayInputReport, type ReplaySpeed } from '@tickline/ingest';
import type { LoadedConfig } from '../config.js';
import { bookConfigFor, planReplay, type ReplayPlan, ReplayUsageError } from './replay-registry.js';
import { type RunSummary, summarize, summaryLines } from './run.js';

export interface ReplayOptions {
  /** The file to replay. */
  file: string;
  /** Venue of the file; required for captures and collector files, checked against a recording's header. */
  venue?: string;
  format?: ReplayFormat | 'auto';
  /** 1 (default) = recorded pace, 10 = ten times faster, 'max' = as fast as the pipeline takes it. */
  speed?: ReplaySpeed;
  /** Check the file against the venue's own truth instead of running the pipeline. */
  verify?: boolean;
  /** Print one JSON object (verify: exactly the VerifyReport). */
  json?: boolean;
  /** A venue instrument list (JSON or `.rest` line) to build the registry from. */
  instrumentList?: string;
}

/**
 * What a cluster node adds to a replay (cluster-node.ts, `tickline replay FILE --node A`): every
 * node reads the file's registry; a node running ingest replays the file keeping only its shards'
 * instruments, a node without ingest takes what its peers send until `complete()`.
 */
export interface ReplayHooks {
  /** Instrument ids whose records normalize passes on (the node's shards); absent: all. */
  keepInstruments?(registry: InstrumentRegistry): number[] | undefined;
  /** After the registry is read, before the pipeline starts (a node waits for its peers here). */
  beforePipeline?(registry: InstrumentRegistry): Promise<void>;
  /**
   * The pipeline runs; the replay begins once this resolves (a replaying cluster node waits for the
   * nodes it feeds to open their edges). A rejection ends the run before the replay, exit code 1.
   */
  started?(pipeline: Pipeline): void | Promise<void>;
  /** A node running ingest: the file is through and its rings are empty (before it stops). */
  replayed?(pipeline: Pipeline): Promise<void>;
  /** A node without ingest: true once everything its peers replayed has reached it. */
  complete?(): boolean;
  /** At stop, before the pipeline drains: what to add to the summary (a node's edge counts). */
  finalStats?(pipeline: Pipeline): Promise<unknown>;
  stopping?(): Promise<void>;
  readonly boundary?: PipelineOptions['boundary'];
}

export interface ReplaySummary extends RunSummary {
  /** A cluster node's own stats at the end (its cross-node edges' moved and lost counts). */
  node?: unknown;
  replay: {
    file: string;
    format: ReplayFormat;
    instrumentsFrom: string;
    speed: ReplaySpeed;
    frames: number;
    framesPerSec: number;
    corruptBlocks: number;
    tailBytes: number;
    badLines: number;
    resyncRequests: number;
    creditWaits: number;
    complete: boolean;
  };
}

const STAGE_MODULES = Object.fromEntries(STAGES.map((s) => [s, import.meta.resolve(`@tickline/${s}/worker`)])) as Record<StageName, string>;
/** The ingest stage module that replays a file (so replay needs nothing of the live ingest worker). */
const REPLAY_MODULE = moduleUrl('./recording/replay-worker.ts', import.meta.resolve('@tickline/ingest'));

/** Fill fraction of a ring above which the replay source gets no credit. */
const HIGH_WATER = 0.5;

export async function replay(loaded: LoadedConfig, opts: ReplayOptions, hooks: ReplayHooks = {}): Promise<number> {
  let plan: ReplayPlan;
  try {
    if (opts.venue !== undefined && !isVenueName(opts.venue))
      throw new ReplayUsageError(`--venue must be one of ${VENUE_NAMES.join(', ')}, got ${JSON.stringify(opts.venue)}`);
    plan = await planReplay(opts.file, {
      ...(opts.venue !== undefined ? { venue: opts.venue as ReplayPlan['venue'] } : {}),
      ...(opts.format !== undefined ? { format: opts.format } : {}),
      ...(opts.instrumentList !== undefined ? { instrumentList: opts.instrumentList } : {}),
    });
  } catch (err) {
    if (err instanceof ReplayUsageError) {
      process.stderr.write(`tickline: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return opts.verify === true ? verifyCommand(loaded, plan, opts) : replayPipeline(loaded, plan, opts, hooks);
}

export interface VerifyOutcome {
  report: VerifyReport;
  /** The books as the file built them (`verifier.core.book(id)`). */
  verifier: Verifier;
  /** Frames normalize refused (by reason), and what the reader skipped. */
  rejects: number;
  input: ReplayInputReport;
  clean: boolean;
}

/** Normalize core + book Verifier over the file, in this thread. */
export async function verifyFile(plan: ReplayPlan, bookConfig: unknown = {}): Promise<VerifyOutcome> {
  const input = await openReplayInput(plan.file, { format: plan.format, venue: plan.venue });
  const normalizer = new Normalizer({ registry: plan.registry });
  const verifier = new Verifier(plan.registry, bookConfigFor(bookConfig, plan));
  const venue = venueId(plan.venue);
  for await (const batch of input.batches()) {
    for (const f of batch) {
      verifier.frame();
      normalizer.handleFrame(venue, f.kind, f.context, f.bytes, f.recvS, f.recvNs, verifier);
    }
  }
  const report = verifier.report();
  const clean = report.checksums.mismatched === 0 && report.sequence.gaps === 0 && report.topOfBook.mismatched === 0;
  return { report, verifier, rejects: verifier.rejects, input: input.report, clean };
}

async function verifyCommand({ config }: LoadedConfig, plan: ReplayPlan, opts: ReplayOptions): Promise<number> {
  const out = await verifyFile(plan, config.book);
  const r = out.report;
  if (opts.json === true) process.stdout.write(`${JSON.stringify(r)}\n`);
  else
    process.stdout.write(
      `verify ${plan.file} (${plan.venue}, ${plan.format}, instruments ${plan.instrumentsFrom}): ${r.frames} frames; ` +
        `checksums ${r.checksums.verified} verified, ${r.checksums.mismatched} mismatched; ` +
        `sequence ${r.sequence.checked} checked, ${r.sequence.gaps} gaps; ` +
        `top of book ${r.topOfBook.compared} compared, ${r.topOfBook.mismatched} mismatched; resyncs ${r.resyncs}: ` +
        `${out.clean ? 'CLEAN' : 'FAILED'}\n`,
    );
  const notes = inputNotes(out.input);
  if (out.rejects > 0) notes.push(`${out.rejects} frames refused by normalize`);
  if (notes.length > 0) process.stderr.write(`tickline: note: ${notes.join('; ')}\n`);
  return out.clean ? 0 : 1;
}

function inputNotes(r: ReplayInputReport): string[] {
  const notes: string[] = [];
  if (r.badLines > 0)
    notes.push(`${r.badLines} unreadable lines skipped (first: line ${r.firstBadLines[0]?.line}: ${r.firstBadLines[0]?.reason})`);
  for (const c of r.corruptBlocks) notes.push(`corrupt block skipped at byte ${c.offset} (${c.bytes} bytes: ${c.reason})`);
  if (r.tail !== null) notes.push(`damaged tail ignored at byte ${r.tail.offset} (${r.tail.bytes} bytes: ${r.tail.reason})`);
  return notes;
}

interface ReplayStatusLike {
  done: boolean;
  error: string | null;
}

async function replayPipeline(
  { config, groups }: LoadedConfig,
  plan: ReplayPlan,
  opts: ReplayOptions,
  hooks: ReplayHooks,
): Promise<number> {
  const log = createLogger(config.log.level);
  const started = performance.now();
  const speed = opts.speed ?? 1;
  const specs = plan.registry.list();
  const marketView = new MarketViewTable(Math.max(1, ...specs.map((s) => s.id + 1)));
  // a cluster node without ingest replays nothing itself: it takes what its peers replay
  const replaying = groups.some((g) => g.stages.includes('ingest'));
  let onSignal: (sig: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<string>((resolve) => (onSignal = resolve));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const unhook = () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  if (hooks.beforePipeline) {
    try {
      await Promise.race([
        hooks.beforePipeline(plan.registry),
        signalled.then((r) => Promise.reject(new Error(`stopped (${r}) before start`))),
      ]);
    } catch (err) {
      log.error({ err: err instanceof Error ? err.message : String(err) }, 'not started');
      await hooks.stopping?.().catch(() => {});
      unhook();
      return 1;
    }
  }
  const keep = hooks.keepInstruments?.(plan.registry);
  let pipeline: Pipeline | null = null;
  pipeline = await Pipeline.start({
    config,
    groups,
    stageModules: { ...STAGE_MODULES, ingest: REPLAY_MODULE },
    stageConfigs: {
      ingest: { venue: plan.venue, symbols: [], replay: { file: plan.file, format: plan.format, speed, flowControl: true } },
      normalize: keep === undefined ? config.normalize : { ...(config.normalize as object), keepInstruments: keep },
      book: bookConfigFor(config.book, plan),
      ...replayTradingConfigs(config),
    },
    registry: specs,
    marketView,
    logger: log,
    onEvent: (e) => {
      if (e.event === 'resync') void pipeline?.command('ingest', 'resync', e.data).catch(() => {});
    },
    ...(hooks.boundary ? { boundary: hooks.boundary } : {}),
  });
  const p = pipeline;
  const notReady = await Promise.race([
    Promise.resolve()
      .then(() => hooks.started?.(p))
      .then(
        () => null,
        (err: unknown) => ({ reason: err instanceof Error ? err.message : String(err), code: 1 }),
      ),
    signalled.then((r) => ({ reason: r, code: 0 })),
  ]);
  if (notReady !== null && notReady.code !== 0) log.error({ err: notReady.reason }, 'the replay did not begin');
  const replayStarted = performance.now();
  let replayMs = 0;
  if (notReady === null)
    log.info(
      { file: plan.file, venue: plan.venue, format: plan.format, speed, instruments: keep?.length ?? specs.length },
      replaying ? 'tickline replaying; Ctrl-C to stop' : 'tickline taking the replay from its peers; Ctrl-C to stop',
    );

  // Flow control: the source emits only against byte credit = the room left below HIGH_WATER in
  // the fullest forward ring (read from shared memory), split between ingest partitions. Records
  // in flight when a grant is computed are covered by the other half of the ring (see
  // replay-source.ts), so the drop-oldest rings never overflow whatever the speed.
  const ingestThreads = groups.find((g) => g.stages.includes('ingest'))?.threads ?? 1;
  let creditBusy = false;
  const grantCredit = () => {
    if (creditBusy) return;
    let room = Number.POSITIVE_INFINITY;
    let empty = true;
    for (const r of p.ringStats()) {
      if (r.name.startsWith('execution->')) continue; // the feedback edge blocks; it never drops
      if (r.usedBytes > 0) empty = false;
      room = Math.min(room, r.capacity * HIGH_WATER - r.usedBytes);
    }
    creditBusy = true;
    p.command('ingest', 'replay-credit', { bytes: Math.max(0, Math.floor(room / ingestThreads)), empty })
      .catch(() => {})
      .finally(() => (creditBusy = false));
  };
  // a node without ingest has no source to grant credit to
  const creditTimer = replaying && notReady === null ? setInterval(grantCredit, 2) : null;

  const through = replaying ? 'end of file' : 'replay complete';
  let stopReason = notReady?.reason ?? through;
  while (notReady === null) {
    const tick = new Promise<null>((r) => setTimeout(() => r(null), 50));
    const sig = await Promise.race([signalled, tick]);
    if (sig !== null) {
      stopReason = sig;
      break;
    }
    if (!replaying) {
      if (hooks.complete?.() === true) break;
      continue;
    }
    const statuses = (await p.command('ingest', 'replay-status', {}).catch(() => [])) as ReplayStatusLike[];
    if (statuses.length > 0 && statuses.every((s) => s.done)) break;
  }
  replayMs = performance.now() - replayStarted;
  if (stopReason === through) {
    // let the last records travel: wait until every ring is empty (bounded)
    const deadline = performance.now() + 10_000;
    let quiet = 0;
    while (quiet < 3 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      quiet = p.ringStats().every((r) => r.usedBytes === 0) ? quiet + 1 : 0;
    }
    if (replaying) await hooks.replayed?.(p);
  }
  if (creditTimer !== null) clearInterval(creditTimer);
  unhook();
  const hard = setTimeout(() => {
    log.error('shutdown took longer than 5 s; exiting');
    process.exit(1);
  }, 4800);
  hard.unref();
  const node = hooks.finalStats ? await hooks.finalStats(p).catch(() => null) : undefined;
  await hooks.stopping?.().catch(() => {});
  const final = await p.stop(2500);
  clearTimeout(hard);
  const summary = replaySummary(
    final,
    plan,
    speed,
    { started, replayMs, stopReason, through },
    groups.map((g) => `${g.name}x${g.threads}`),
  );
  if (node !== undefined) summary.node = node;
  if (opts.json === true) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else {
    const lines = summaryLines(summary);
    const r = summary.replay;
    process.stdout.write(
      `tickline replayed ${r.frames} frames of ${plan.file} (${plan.venue}, ${r.format}, speed ${String(speed)}) in ` +
        `${summary.durationS}s (${stopReason}); ${r.framesPerSec} frames/s; restarts=${summary.restarts}\n${lines.join('\n')}\n`,
    );
  }
  if (notReady !== null) return notReady.code;
  return summary.replay.complete || stopReason !== through ? 0 : 1;
}

/**
 * The config's strategies, limits and execution settings for a replay, which trades nothing and
 * must not touch a live run's state: no order entry (whatever `execution.venue.url` says: orders
 * are refused venue_down), a journal in memory, and no market-view snapshot file.
 */
function replayTradingConfigs(config: LoadedConfig['config']): Record<'signals' | 'risk' | 'execution', unknown> {
  const signals = { ...(config.signals as Record<string, unknown>) };
  signals.snapshot = { ...((signals.snapshot ?? {}) as Record<string, unknown>), path: null };
  const exec = { ...(config.execution as Record<string, unknown>) };
  exec.venue = { ...((exec.venue ?? {}) as Record<string, unknown>), url: null };
  exec.journal = { ...((exec.journal ?? {}) as Record<string, unknown>), path: null };
  return { signals, risk: config.risk, execution: exec };
}

function replaySummary(
  final: PipelineStats,
  plan: ReplayPlan,
  speed: ReplaySpeed,
  t: { started: number; replayMs: number; stopReason: string; through: string },
  placement: string[],
): ReplaySummary {
  const { stopReason } = t;
  const durationS = Math.round((performance.now() - t.started) / 10) / 100;
  const base = summarize(final, { durationS, venue: plan.venue, instruments: plan.registry.size, placement });
  const core = final.stages.find((s) => s.stage === 'ingest')?.core ?? {};
  const frames = core.replayFrames ?? 0;
  return {
    ...base,
    replay: {
      file: plan.file,
      format: plan.format,
      instrumentsFrom: plan.instrumentsFrom,
      speed,
      frames,
      framesPerSec: Math.round(frames / Math.max(t.replayMs / 1000, 0.001)),
      corruptBlocks: core.replayCorruptBlocks ?? 0,
      tailBytes: core.replayTailBytes ?? 0,
      badLines: core.replayBadLines ?? 0,
      resyncRequests: core.replayResyncRequests ?? 0,
      creditWaits: core.replayCreditWaits ?? 0,
      complete: stopReason === t.through && (core.replayErrors ?? 0) === 0,
    },
  };
}
