/**
 * Read routes (GET, bearer token): stats (with queueing delay per edge and service time per stage
 * as percentiles), health, instruments, one instrument's book and bars,
 * the event log and the trading report. Book levels and tick bars are asked from the stages when
 * they expose them (`book book`, `signals bars`); otherwise the answer comes from the shared
 * market view (top of book) and the dashboard's own sampled time bars, and says so in `source`.
 */

import type { InstrumentSpec } from '@tickline/wire';
import { type Bar, fromTickBars } from '../bars.js';
import type { DashboardContext } from '../context.js';
import { badField, DashboardError } from '../errors.js';
import type { Router } from '../router.js';
import { latencySummaries } from '../latency.js';
import { readRings, readStats } from '../stats-model.js';
import { withTimeout } from '../trading.js';

/** Asks a stage for something it may not expose yet; remembers a refusal for 30 s. */
function optionalCommand(ctx: DashboardContext) {
  const unsupported = new Map<string, number>();
  return async (stage: string, command: string, args: unknown): Promise<unknown[] | null> => {
    const key = `${stage} ${command}`;
    if (Date.now() < (unsupported.get(key) ?? 0)) return null;
    try {
      return await withTimeout(ctx.opts.pipeline.command(stage, command, args), 2000);
    } catch {
      unsupported.set(key, Date.now() + 30_000);
      return null;
    }
  };
}

export function readRoutes(ctx: DashboardContext) {
  const optional = optionalCommand(ctx);
  const spec = (symbol: string | undefined): InstrumentSpec => {
    const s = symbol === undefined ? undefined : ctx.instrument(symbol);
    if (!s)
      throw new DashboardError('TKL_DASH_ERR_UNKNOWN_INSTRUMENT', `unknown instrument '${String(symbol).slice(0, 100)}'`, {
        field: 'symbol',
      });
    return s;
  };
  const viewRow = (id: number) => ctx.opts.marketView.read(id);

  return (r: Router) => {
    r.add({
      method: 'GET',
      path: '/api/cluster',
      access: 'token',
      handler: () => {
        if (!ctx.opts.cluster) throw new DashboardError('TKL_DASH_ERR_NOT_FOUND', 'this process is not a cluster node (docs/cluster.md)');
        return { json: ctx.opts.cluster.snapshot() };
      },
    });
    r.add({
      method: 'GET',
      path: '/api/stats',
      access: 'token',
      handler: async () => {
        const stats = await ctx.opts.pipeline.stats();
        const timing = readStats(stats);
        return {
          json: {
            stats,
            rings: readRings(ctx.opts.pipeline.ringStats()),
            // since each worker started, merged over partitions: {count, p50Ms, p99Ms, p999Ms, maxMs}
            latency: { queueDelay: latencySummaries(timing.queueDelay), serviceTime: latencySummaries(timing.serviceTime) },
          },
        };
      },
    });

    r.add({
      method: 'GET',
      path: '/api/health',
      access: 'token',
      handler: () => ({ json: { health: ctx.health.last, state: ctx.trading.state() } }),
    });

    r.add({
      method: 'GET',
      path: '/api/instruments',
      access: 'token',
      handler: () => ({
        json: {
          venue: ctx.opts.venue,
          instruments: ctx.opts.registry.list().map((i) => ({ ...i, market: viewRow(i.id) })),
        },
      }),
    });

    r.add({
      method: 'GET',
      path: '/api/instruments/:symbol',
      access: 'token',
      handler: (req) => {
        const s = spec(req.params.symbol);
        return { json: { ...s, market: viewRow(s.id) } };
      },
    });

    r.add({
      method: 'GET',
      path: '/api/book/:symbol',
      access: 'token',
      handler: async (req) => {
        const s = spec(req.params.symbol);
        const rawDepth = req.query.get('depth') ?? '20';
        const depth = Number(rawDepth);
        if (!Number.isInteger(depth) || depth < 1 || depth > 500) throw badField('depth', 'an integer from 1 to 500', rawDepth);
        const answers = await optional('book', 'book', { instrument: s.id, depth });
        const levels = answers?.find((a) => a !== null && typeof a === 'object' && Array.isArray((a as { bids?: unknown }).bids));
        if (levels) return { json: { symbol: s.symbol, source: 'book', ...(levels as object) } };
        const v = viewRow(s.id);
        const side = (p: number | undefined, q: number | undefined) => (p !== undefined && Number.isFinite(p) ? [[p, q ?? 0]] : []);
        return {
          json: {
            symbol: s.symbol,
            source: 'market-view',
            note: 'no book partition answered with this instrument (its book not seeded yet, or no book stage): top of book only',
            state: v?.state ?? null,
            bids: side(v?.bid, v?.bidSize),
            asks: side(v?.ask, v?.askSize),
            updatedMs: v?.updatedMs ?? null,
          },
        };
      },
    });

    r.add({
      method: 'GET',
      path: '/api/bars/:symbol',
      access: 'token',
      handler: async (req) => {
        const s = spec(req.params.symbol);
        const answers = await optional('signals', 'bars', { instrument: s.id });
        const raw = answers?.find((a) => Array.isArray(a) && a.length > 0) as number[][] | undefined;
        let bars: Bar[];
        let source: string;
        if (raw) {
          bars = fromTickBars(raw, s.priceScale, s.sizeScale);
          source = 'signals-tick-bars';
        } else {
          bars = ctx.bars.bars(s.id);
          source = 'market-view-samples';
        }
        return { json: { symbol: s.symbol, source, barSeconds: ctx.bars.seconds, bars } };
      },
    });

    r.add({
      method: 'GET',
      path: '/api/events',
      access: 'token',
      handler: (req) => {
        const raw = req.query.get('since') ?? '0';
        const since = Number(raw);
        if (!Number.isInteger(since) || since < 0) throw badField('since', 'a non-negative integer sequence number', raw);
        return { json: { lastSeq: ctx.events.lastSeq, entries: ctx.events.since(since) } };
      },
    });

    r.add({
      method: 'GET',
      path: '/api/trading',
      access: 'token',
      handler: async () => ({ json: await ctx.trading.poll((id) => viewRow(id)?.mid ?? null) }),
    });
  };
}
