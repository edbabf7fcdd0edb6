/**
 * Tick-bar trend following (the case study): trades are aggregated into bars of a fixed number
 * of trades (not of time), enriched with the quoted spread seen while the bar formed. On each
 * completed bar a fast and a slow EMA of the closes are updated; when the fast EMA is above the
 * slow one by at least `minTrendBps`, the last bar closed up and the spread is affordable, the
 * strategy buys at the ask (IOC). Exits are execution's job (take profit, stop, trailing, time).
 */

import type { BarLike, TradeBatchLike } from '@tickline/wire';
import { bool, deepFreeze, int, joinPath, num, obj, oneOf, parseConfig, refine } from '@tickline/runtime/config-schema';
import { bps, PerInstrument, type Strategy, type StrategyEnv, type StrategyType } from '../core/strategy.js';

const PARAMS = refine(
  obj({
    ticksPerBar: int(1, 1_000_000, 50),
    fastBars: int(1, 10_000, 5),
    slowBars: int(2, 10_000, 20),
    minTrendBps: num(0, 10_000, 5),
    maxSpreadBps: num(0, 10_000, 20),
    lots: int(1, 1_000_000, 1),
    cooldownMs: int(0, 86_400_000, 5000),
    allowShort: bool(false),
    source: oneOf(['trades', 'bars'], 'trades'),
    keepBars: int(1, 100_000, 200),
  }),
  (p, path, issues, valid) => {
    if (valid('fastBars') && valid('slowBars') && p.fastBars >= p.slowBars)
      issues.push({ path: joinPath(path, 'fastBars'), message: `must be less than slowBars (${p.slowBars}), got ${p.fastBars}` });
  },
);

export const TICK_TREND_DEFAULTS = deepFreeze(parseConfig(PARAMS, {}).value);

/** A completed tick bar: [open, high, low, close, volume, trades, spreadAvg (mantissa)]. */
export type TickBar = [number, number, number, number, number, number, number];

interface State {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  count: number;
  spreadSum: number;
  spreadN: number;
  fast: number;
  slow: number;
  bars: number;
  recent: TickBar[];
  lastAt: number;
}

const fresh = (): State => ({
  open: 0,
  high: 0,
  low: 0,
  close: 0,
  volume: 0,
  count: 0,
  spreadSum: 0,
  spreadN: 0,
  fast: 0,
  slow: 0,
  bars: 0,
  recent: [],
  lastAt: Number.NEGATIVE_INFINITY,
});

export const tickTrendStrategy: StrategyType = {
  validate(params, path) {
    return parseConfig(PARAMS, params, path).issues;
  },
  create(params, info): Strategy {
    const p = parseConfig(PARAMS, params).value;
    const kFast = 2 / (p.fastBars + 1);
    const kSlow = 2 / (p.slowBars + 1);
    const state = new PerInstrument<State>(fresh);

    const closeBar = (instrument: number, s: State, bar: TickBar, env: StrategyEnv) => {
      const close = bar[3];
      s.fast = s.bars === 0 ? close : s.fast + kFast * (close - s.fast);
      s.slow = s.bars === 0 ? close : s.slow + kSlow * (close - s.slow);
      s.bars++;
      s.recent.push(bar);
      if (s.recent.length > p.keepBars) s.recent.shift();
      if (s.bars < p.slowBars || env.nowMs - s.lastAt < p.cooldownMs) return;
      const book = env.book(instrument);
      const spec = env.spec(instrument);
      if (!book || !spec || !(book.mid > 0)) return;
      const trendBps = bps(s.fast - s.slow, s.slow);
      const spreadBps = bps(book.spread, book.mid);
      if (spreadBps > p.maxSpreadBps) return;
      const up = bar[3] > bar[0];
      const down = bar[3] < bar[0];
      const inputs = {
        emaFast: s.fast,
        emaSlow: s.slow,
        trendBps,
        spreadBps,
        barClose: close,
        barTrades: bar[5],
        edgeBps: Math.abs(trendBps),
      };
      let sent = false;
      if (trendBps >= p.minTrendBps && up) {
        sent = env.intent({
          instrument,
          side: 'buy',
          tif: 'IOC',
          price: book.ask,
          size: p.lots * spec.lotSize,
          reason: `uptrend ${trendBps.toFixed(1)}bps over ${p.slowBars} tick bars`,
          inputs,
        });
      } else if (p.allowShort && trendBps <= -p.minTrendBps && down) {
        sent = env.intent({
          instrument,
          side: 'sell',
          tif: 'IOC',
          price: book.bid,
          size: p.lots * spec.lotSize,
          reason: `downtrend ${trendBps.toFixed(1)}bps over ${p.slowBars} tick bars`,
          inputs,
        });
      }
      if (sent) s.lastAt = env.nowMs;
    };

    return {
      id: info.id,
      onTrade(t: TradeBatchLike, env: StrategyEnv) {
        if (p.source !== 'trades') return;
        const s = state.get(t.instrument);
        const book = env.book(t.instrument);
        for (let i = 0; i < t.length; i++) {
          const px = t.price(i);
          if (s.count === 0) {
            s.open = s.high = s.low = px;
            s.volume = 0;
            s.spreadSum = 0;
            s.spreadN = 0;
          }
          if (px > s.high) s.high = px;
          if (px < s.low) s.low = px;
          s.close = px;
          s.volume += t.size(i);
          s.count++;
          if (book && book.spread > 0) {
            s.spreadSum += book.spread;
            s.spreadN++;
          }
          if (s.count >= p.ticksPerBar) {
            const bar: TickBar = [s.open, s.high, s.low, s.close, s.volume, s.count, s.spreadN > 0 ? s.spreadSum / s.spreadN : 0];
            s.count = 0;
            closeBar(t.instrument, s, bar, env);
          }
        }
      },
      onBar(b: BarLike, env: StrategyEnv) {
        if (p.source !== 'bars' || b.kind !== 0) return;
        const s = state.get(b.instrument);
        closeBar(b.instrument, s, [b.open, b.high, b.low, b.close, b.volume, b.tradeCount, 0], env);
      },
      snapshot() {
        return [...state.entries()].map(([id, s]) => ({ id, fast: s.fast, slow: s.slow, bars: s.bars, recent: s.recent }));
      },
      restore(saved) {
        if (!Array.isArray(saved)) return;
        for (const row of saved as { id?: unknown; fast?: unknown; slow?: unknown; bars?: unknown; recent?: unknown }[]) {
          if (typeof row?.id !== 'number' || typeof row.fast !== 'number' || typeof row.slow !== 'number' || typeof row.bars !== 'number')
            continue;
          const s = fresh();
          s.fast = row.fast;
          s.slow = row.slow;
          s.bars = row.bars;
          if (Array.isArray(row.recent)) s.recent = (row.recent as TickBar[]).slice(-p.keepBars);
          state.set(row.id, s);
        }
      },
    };
  },
};
