/**
 * The execution stage as the runtime runs it: the core plus its I/O - the SQLite journal and the
 * WebSocket venue gateway (so the worker needs its event loop).
 *
 * Group commit (`journal.commit: group`, the default): a unit of work ends with one journal
 * transaction, after which its held venue requests leave; the runtime publishes the records the
 * unit emitted after that. Units end at the end of each input batch (endBatch), after tick() and
 * after a control command, and otherwise at the end of the event-loop turn that did the work (a
 * microtask): venue messages of one turn form one unit, and so does whatever reached this core
 * from outside a batch (a source or another stage's control command in a fused group).
 */
import { type Emitter, flattenStats, type StageContext, type StageCore, withFreshness } from '@tickline/runtime';
import { type ExecutionConfig, resolveExecutionConfig } from './config.js';
import { ExecutionCore } from './core/execution-core.js';
import { type JournalPort, MemoryJournal } from './core/journal.js';
import type { VenueMessage, VenuePort } from './core/venue.js';
import { WsVenueGateway } from './gateway/ws-gateway.js';
import { SqliteJournal } from './journal/sqlite-journal.js';
import { executionReport } from './report.js';

/** A venue port for runs without a venue: every send fails (orders are rejected venue_down). */
const NO_VENUE: VenuePort = {
  connected: false,
  newOrder: () => false,
  cancel: () => false,
  cancelAll: () => false,
  openOrders: () => false,
  fills: () => false,
  hold: () => {},
  release: () => 0,
  held: 0,
};

/**
 * What the stage trades through: a venue port with its lifecycle. The WebSocket gateway to the
 * embedded exchange here; a paper venue (a local matching engine on live data) in @tickline/paper.
 */
export interface VenueLink extends VenuePort {
  connect(): void;
  close(): void;
  /** Drops every held request (a failed journal commit): nothing leaves that is not durable. */
  discardAllHeld?(): void;
  /** Sends cancel_all and resolves when the venue acknowledged it (or after timeoutMs). */
  cancelAllAndWait?(timeoutMs: number): Promise<unknown>;
  /** Counters for the stage's stats, flattened under `statsPrefix`. */
  readonly counters: object;
  readonly statsPrefix: string;
}

export interface VenueLinkContext {
  readonly ctx: StageContext;
  readonly cfg: ExecutionConfig;
  /** Every message from the venue, as it arrives (outside any input batch). */
  readonly onMessage: (m: VenueMessage) => void;
  readonly log: Record<'warn' | 'info', (msg: string, data: Record<string, unknown>) => void>;
}

/** The venue link of a stage; null = no venue (every send fails: orders rejected venue_down). */
export type VenueLinkFactory = (c: VenueLinkContext) => VenueLink | null;

/** The embedded exchange's WebSocket order entry, when `execution.venue.url` is set. */
const wsVenueLink: VenueLinkFactory = ({ ctx, cfg, onMessage, log }) =>
  cfg.venue.url === null
    ? null
    : Object.assign(
        new WsVenueGateway({
          url: cfg.venue.url,
          account: cfg.venue.account,
          token: cfg.venue.token,
          registry: ctx.registry,
          venue: cfg.venue.instruments, // 'sim' unless a lockstep backtest replays another venue
          reconnectMinMs: cfg.venue.reconnectMinMs,
          reconnectMaxMs: cfg.venue.reconnectMaxMs,
          onMessage,
          onLog: (level, msg, data) => log[level](msg, data),
        }),
        { statsPrefix: 'gateway' },
      );

export default function createExecutionStage(ctx: StageContext): StageCore {
  return createExecutionStageWith(ctx, wsVenueLink);
}

/** The execution stage trading through the venue link `openVenue` makes. */
export function createExecutionStageWith(ctx: StageContext, openVenue: VenueLinkFactory): StageCore {
  const cfg = resolveExecutionConfig(withFreshness(ctx));
  const log = {
    warn: (msg: string, data: Record<string, unknown>) =>
      ctx.notify('log', { level: 'warn', stage: 'execution', partition: ctx.partition, msg, ...data }),
    info: (msg: string, data: Record<string, unknown>) =>
      ctx.notify('log', { level: 'info', stage: 'execution', partition: ctx.partition, msg, ...data }),
  };
  const path = cfg.journal.path?.replaceAll('{partition}', String(ctx.partition)) ?? null;
  const sqlite = path === null ? null : new SqliteJournal(path, { synchronous: cfg.journal.synchronous });
  const journal: JournalPort = sqlite ?? new MemoryJournal();
  let out: Emitter | null = null;
  let core: ExecutionCore | null = null;
  // The end of a unit that no batch, tick or command ends: venue messages, and work that reached
  // this core from outside a batch. Runs once per event-loop turn.
  let armed = false;
  let closed = false;
  const turn = () => {
    armed = false;
    if (core === null || closed) return;
    if (out !== null) core.pump(out);
    commit();
    out?.flush(); // may feed risk in this worker, which may hand this core new intents
    if (core.unit.pending) arm();
  };
  const arm = () => {
    if (armed) return;
    armed = true;
    queueMicrotask(turn);
  };
  const onMessage = (m: VenueMessage) => {
    if (core === null || closed) return;
    core.deliver(m);
    arm();
  };
  // A venue in this thread (an event-time backtest's matching engine) replaces the venue link.
  const local = ctx.localVenue ?? null;
  const gateway = local !== null ? null : openVenue({ ctx, cfg, onMessage, log });
  const port = local !== null ? (local.port as VenuePort) : (gateway ?? NO_VENUE);
  core = new ExecutionCore(cfg, ctx.registry, port, journal, { log, ...(ctx.clock ? { clock: ctx.clock } : {}) });
  const c = core;
  // The local venue's host hands messages over and ends their unit itself, synchronously.
  local?.attach(
    (m) => {
      if (!closed) c.deliver(m as VenueMessage);
    },
    () => {
      if (!closed) turn();
    },
  );
  if (cfg.journal.commit === 'group') c.unit.start();
  /**
   * The journal's first failed commit (disk full, read-only, I/O error), or null. From then on
   * nothing leaves that is not durable: the failed unit's held requests are dropped, execution
   * halts for good (no halt lifted by risk lifts it), and only the halt's cancel-all goes out.
   */
  let journalFailure: string | null = null;
  const commit = () => {
    if (journalFailure !== null) {
      gateway?.discardAllHeld?.();
      return;
    }
    try {
      c.unit.commit();
    } catch (err) {
      const e = err as { code?: string; message?: string };
      journalFailure = `${e.code ?? 'error'}: ${e.message ?? String(err)}`;
      gateway?.discardAllHeld?.();
      const reason = `journal write failed (${journalFailure})`;
      ctx.notify('error', { stage: 'execution', partition: ctx.partition, message: `${reason}; trading halted`, code: e.code ?? null });
      if (out !== null) c.onMark({ type: 'halt', state: 2, reason, tsS: 0, tsNs: 0 }, out);
      gateway?.release?.(); // the cancel-all alone: canceling needs no journal
    }
  };
  const bind = (emit: Emitter) => {
    out = emit;
  };
  /** After a handler: a unit the batch's endBatch will not end (called outside a batch) ends with the turn. */
  const after = () => {
    if (c.unit.pending) arm();
  };
  gateway?.connect();
  return {
    needsEventLoop: true,
    // Venue messages arrive outside any input record: they go out through this core's own
    // emitter, which the runtime hands over at start.
    start(emit) {
      bind(emit);
    },
    onOrderIntent(o, emit) {
      bind(emit);
      c.onOrderIntent(o, emit);
      after();
    },
    onBookView(v, emit) {
      bind(emit);
      c.onBookView(v, emit);
      after();
    },
    onMark(m, emit) {
      bind(emit);
      if (journalFailure !== null && m.type === 'halt' && m.state !== 2) return;
      c.onMark(m, emit);
      after();
    },
    onFill(f, emit) {
      bind(emit);
      c.onFill(f, emit);
      after();
    },
    endBatch(emit) {
      bind(emit);
      commit();
    },
    tick(now, emit) {
      bind(emit);
      c.tick(now, emit);
      commit();
    },
    control(command) {
      if (command === 'report') return executionReport(c);
      // realized - fees + unrealized now, an exact decimal string (cheap: no lists)
      if (command === 'equity') return { equity: c.positions.equityNow() };
      if (command === 'cancel-all') {
        if (out) c.cancelAll(null, 'operator', out);
        commit();
        return { open: c.openOrders().length };
      }
      throw new Error(`execution: unknown command '${command}'; allowed: report, equity, cancel-all`);
    },
    stats: () => ({
      ...c.counters,
      tickToDecisionCount: c.tickToDecision.count,
      tickToDecisionP50Ns: c.tickToDecision.quantile(0.5),
      tickToDecisionP99Ns: c.tickToDecision.quantile(0.99),
      tickToDecisionP999Ns: c.tickToDecision.quantile(0.999),
      ...c.tickToDecision.toStats('tickToDecision'),
      ...c.unit.tickToOrder.toStats('tickToOrder'),
      openOrders: c.openOrders().length,
      lastSeq: c.lastSeq,
      journalRecords: journal.records,
      journalCommits: journal.commits,
      ...flattenStats(c.unit.counters, 'groupCommit'),
      ...(sqlite ? sqlite.commitTime.toStats('journalWrite') : {}),
      ...(gateway ? flattenStats(gateway.counters, gateway.statsPrefix) : {}),
    }),
    async close() {
      const open = c.shutdown();
      const acked =
        cfg.cancelOnShutdown && open > 0 && gateway?.connected && gateway.cancelAllAndWait
          ? gateway.cancelAllAndWait(cfg.shutdownTimeoutMs)
          : null;
      commit(); // the last unit's rows, then its requests (the cancel_all among them)
      await acked;
      closed = true;
      gateway?.close();
      try {
        journal.close();
      } catch (err) {
        // a journal that failed keeps failing; its failure was reported when it happened
        if (journalFailure === null) throw err;
      }
    },
  };
}
