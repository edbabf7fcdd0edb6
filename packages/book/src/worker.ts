/**
 * The book stage as the runtime runs it: canonical deltas and snapshots in, conflatable book
 * views and bars out; snapshot requests go to the supervisor over the control plane, which asks
 * ingest to re-seed. Trades and quotes pass on to signals after feeding the bars.
 */

import { type Emitter, flattenStats, type MarketViewTable, type StageContext, type StageCore } from '@tickline/runtime';
import { type BookViewLike, epochMs, type LevelsLike, splitMs } from '@tickline/wire';
import { resolveBookConfig } from './config.js';
import { BookCore } from './core/book-core.js';

export default function createBookStage(ctx: StageContext): StageCore {
  let out: Emitter | null = null;
  const mv = ctx.marketView;
  const clock = ctx.clock ?? epochMs;
  const core = new BookCore(resolveBookConfig(ctx.config ?? {}), ctx.registry, {
    view: (v) => {
      if (mv !== null) publishView(mv, v);
      out?.bookView(v);
    },
    bar: (b) => out?.bar(b),
    resync: (instrument, venue, reason) => ctx.notify('resync', { instrument, venue, reason }),
  });
  const t = { s: 0, ns: 0 };
  return {
    onBookSnapshot(s, emit) {
      out = emit;
      core.onSnapshot(s);
    },
    onBookDelta(d, emit) {
      out = emit;
      core.onDelta(d);
    },
    onTrades(tr, emit) {
      out = emit;
      core.onTrades(tr);
      if (mv !== null && tr.length > 0) {
        let volume = 0;
        for (let i = 0; i < tr.length; i++) volume += tr.size(i);
        const ps = 10 ** tr.priceScale;
        mv.writeTrades(tr.instrument, tr.price(tr.length - 1) / ps, volume / 10 ** tr.sizeScale, tr.length, clock());
      }
      emit.trades(tr);
    },
    onQuotes(q, emit) {
      out = emit;
      core.onQuotes(q);
      emit.quotes(q);
    },
    onDrop(count, reason, edge, emit) {
      out = emit;
      core.onDrop(count, reason);
      emit.mark({ type: 'drop', count, reason, edge });
    },
    onMark(m, emit) {
      out = emit;
      if (m.type === 'feed' && !m.up) core.onFeedDown(m.venue);
      // Records lost before this stage (a ring upstream dropped frames, or the venue's own
      // connection sequence skipped): any book of this partition may have missed a delta.
      if (m.type === 'drop') core.onDrop(m.count, m.reason);
      // One instrument's data was lost upstream (ingest shed it under load); it is re-seeding.
      if (m.type === 'resync') core.onShed(m.instrument);
      emit.mark(m);
    },
    endBatch(emit) {
      out = emit;
      core.flushViews();
    },
    tick(_nowMs, emit) {
      out = emit;
      splitMs(clock(), t);
      core.flush(t.s, t.ns);
    },
    control(command, args) {
      if (command !== 'book') throw new TypeError(`book takes the command book, got ${command}`);
      const a = (args ?? {}) as { instrument?: unknown; depth?: unknown };
      if (typeof a.instrument !== 'number') throw new TypeError('book: args.instrument must be an instrument id');
      const depth = typeof a.depth === 'number' && a.depth > 0 ? Math.min(a.depth, 500) : 20;
      const b = core.book(a.instrument);
      if (b === undefined) return null; // another partition owns it
      const ps = 10 ** b.priceScale;
      const ss = 10 ** b.sizeScale;
      const side = (l: LevelsLike) => Array.from({ length: Math.min(depth, l.length) }, (_, i) => [l.price(i) / ps, l.size(i) / ss]);
      const seq = core.sync(a.instrument)?.lastSeq;
      return {
        instrument: a.instrument,
        state: core.state(a.instrument) ?? null,
        seq: seq === undefined || Number.isNaN(seq) ? null : seq,
        bids: side(b.bids),
        asks: side(b.asks),
      };
    },
    stats: () => flattenStats(core.stats()),
  };
}

/** Writes the top of book and derived figures of a view into the shared market-view row. */
function publishView(mv: MarketViewTable, v: BookViewLike): void {
  const ps = 10 ** v.priceScale;
  const ss = 10 ** v.sizeScale;
  const hasBid = v.bids.length > 0;
  const hasAsk = v.asks.length > 0;
  mv.writeBook(
    v.instrument,
    v.state,
    hasBid ? v.bids.price(0) / ps : Number.NaN,
    hasBid ? v.bids.size(0) / ss : Number.NaN,
    hasAsk ? v.asks.price(0) / ps : Number.NaN,
    hasAsk ? v.asks.size(0) / ss : Number.NaN,
    v.mid,
    v.spread,
    v.imbalance,
    epochMs(),
  );
}
