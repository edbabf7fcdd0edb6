/**
 * The random trader ("embrace randomness"): at random times (exponential gaps at
 * `ratePerSecond` per instrument) it picks a side, a size, and an order kind - market,
 * marketable limit (crosses the spread, IOC) or passive limit (GTC, `0..maxOffsetTicks` behind
 * the touch, so it rests and may fill later, be repriced or cancelled). Seeded: the same seed and
 * the same market produce the same orders. For soak tests of the order path, not for profit.
 */

import type { BookViewLike } from '@tickline/wire';
import { check, int, num, obj } from '@tickline/runtime/config-rules';
import { Prng } from '../core/prng.js';
import { PerInstrument, type Strategy, type StrategyEnv, type StrategyType } from '../core/strategy.js';

export const RANDOM_DEFAULTS = Object.freeze({
  seed: 0,
  ratePerSecond: 1,
  minLots: 1,
  maxLots: 5,
  marketShare: 0.15,
  passiveShare: 0.45,
  maxOffsetTicks: 3,
});

const PARAMS = obj({
  seed: int(0, 2 ** 32 - 1),
  ratePerSecond: num(0.0001, 10_000),
  minLots: int(1, 1_000_000),
  maxLots: int(1, 1_000_000),
  marketShare: num(0, 1),
  passiveShare: num(0, 1),
  maxOffsetTicks: int(0, 1000),
});

export const randomTraderStrategy: StrategyType = {
  validate(params, path) {
    const issues: ReturnType<StrategyType['validate']> = [];
    check(params ?? {}, PARAMS, path, issues);
    const p = { ...RANDOM_DEFAULTS, ...(params as object) } as typeof RANDOM_DEFAULTS;
    if (p.minLots > p.maxLots) issues.push({ path: `${path}.minLots`, message: `must be <= maxLots (${p.maxLots}), got ${p.minLots}` });
    if (p.marketShare + p.passiveShare > 1)
      issues.push({
        path: `${path}.passiveShare`,
        message: `marketShare + passiveShare must be <= 1, got ${p.marketShare + p.passiveShare}`,
      });
    return issues;
  },
  create(params, info): Strategy {
    const p = { ...RANDOM_DEFAULTS, ...params } as typeof RANDOM_DEFAULTS;
    const rng = new Prng(p.seed || info.seed);
    const nextAt = new PerInstrument<{ t: number }>(() => ({ t: Number.NaN }));
    const gapMs = () => (-Math.log(1 - rng.next()) / p.ratePerSecond) * 1000;
    return {
      id: info.id,
      onBook(v: BookViewLike, env: StrategyEnv) {
        const s = nextAt.get(v.instrument);
        if (Number.isNaN(s.t)) s.t = env.nowMs + gapMs();
        if (env.nowMs < s.t || v.bids.length === 0 || v.asks.length === 0) return;
        s.t = env.nowMs + gapMs();
        const spec = env.spec(v.instrument);
        if (!spec) return;
        const buy = rng.next() < 0.5;
        const lots = rng.int(p.minLots, p.maxLots);
        const kind = rng.next();
        const size = lots * spec.lotSize;
        const side = buy ? 'buy' : 'sell';
        const inputs = { roll: kind, lots, bid: v.bids.price(0), ask: v.asks.price(0) };
        if (kind < p.marketShare) {
          env.intent({ instrument: v.instrument, side, type: 'market', size, reason: 'random market', inputs });
        } else if (kind < p.marketShare + p.passiveShare) {
          const off = rng.int(0, p.maxOffsetTicks) * spec.tickSize;
          const price = buy ? v.bids.price(0) - off : v.asks.price(0) + off;
          if (price > 0) env.intent({ instrument: v.instrument, side, tif: 'GTC', price, size, reason: 'random passive', inputs });
        } else {
          env.intent({
            instrument: v.instrument,
            side,
            tif: 'IOC',
            price: buy ? v.asks.price(0) : v.bids.price(0),
            size,
            reason: 'random marketable',
            inputs,
          });
        }
      },
      snapshot() {
        return { rng: rng.state };
      },
      restore(saved) {
        const st = (saved as { rng?: unknown } | null)?.rng;
        if (typeof st === 'number') rng.state = st;
      },
    };
  },
};
