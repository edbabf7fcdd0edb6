/**
 * The execution stage as the runtime runs it: the core plus its I/O - the SQLite journal and the
 * WebSocket venue gateway (so the worker needs its event loop). Venue messages are handed to the
 * core as they arrive, with the emitter of the core's latest call, then flushed.
 */

import { type Emitter, flattenStats, type StageContext, type StageCore, withFreshness } from '@tickline/runtime';
import { resolveExecutionConfig } from './config.js';
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
};

export default function createExecutionStage(ctx: StageContext): StageCore {
  const cfg = resolveExecutionConfig(withFreshness(ctx));
  const log = {
    warn: (msg: string, data: Record<string, unknown>) =>
      ctx.notify('log', { level: 'warn', stage: 'execution', partition: ctx.partition, msg, ...data }),
    info: (msg: string, data: Record<string, unknown>) =>
      ctx.notify('log', { level: 'info', stage: 'execution', partition: ctx.partition, msg, ...data }),
  };
  const path = cfg.journal.path?.replaceAll('{partition}', String(ctx.partition)) ?? null;
  const journal: JournalPort = path === null ? new MemoryJournal() : new SqliteJournal(path, { synchronous: cfg.journal.synchronous });
  let out: Emitter | null = null;
  let core: ExecutionCore | null = null;
  const onMessage = (m: VenueMessage) => {
    if (core === null) return;
    core.deliver(m);
    if (out !== null) {
      core.pump(out);
      out.flush();
    }
  };
  const venue = 'sim'; // the embedded exchange's venue name in the registry
  const gateway =
    cfg.venue.url === null
      ? null
      : new WsVenueGateway({
          url: cfg.venue.url,
          account: cfg.venue.account,
          token: cfg.venue.token,
          registry: ctx.registry,
          venue,
          reconnectMinMs: cfg.venue.reconnectMinMs,
          reconnectMaxMs: cfg.venue.reconnectMaxMs,
          onMessage,
          onLog: (level, msg, data) => log[level](msg, data),
        });
  core = new ExecutionCore(cfg, ctx.registry, gateway ?? NO_VENUE, journal, { log });
  const c = core;
  const bind = (emit: Emitter) => {
    out = emit;
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
    },
    onBookView(v, emit) {
      bind(emit);
      c.onBookView(v, emit);
    },
    onMark(m, emit) {
      bind(emit);
      c.onMark(m, emit);
    },
    onFill(f, emit) {
      bind(emit);
      c.onFill(f, emit);
    },
    tick(now, emit) {
      bind(emit);
      c.tick(now, emit);
    },
    control(command) {
      if (command === 'report') return executionReport(c);
      if (command === 'cancel-all') {
        if (out) c.cancelAll(null, 'operator', out);
        return { open: c.openOrders().length };
      }
      throw new Error(`execution: unknown command '${command}'; allowed: report, cancel-all`);
    },
    stats: () => ({
      ...c.counters,
      tickToDecisionCount: c.tickToDecision.count,
      tickToDecisionP50Ns: c.tickToDecision.quantile(0.5),
      tickToDecisionP99Ns: c.tickToDecision.quantile(0.99),
      tickToDecisionP999Ns: c.tickToDecision.quantile(0.999),
      ...c.tickToDecision.toStats('tickToDecision'),
      openOrders: c.openOrders().length,
      lastSeq: c.lastSeq,
      ...(gateway ? flattenStats(gateway.counters, 'gateway') : {}),
    }),
    async close() {
      if (c.shutdown() > 0 && gateway?.connected) await gateway.cancelAllAndWait(cfg.shutdownTimeoutMs);
      gateway?.close();
      journal.close();
    },
  };
}
