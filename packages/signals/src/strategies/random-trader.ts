/**
 * The random trader ("embrace randomness"): at random times (exponential gaps at
 * `ratePerSecond` per instrument) it picks a side, a size, and an order kind - market,
 * marketable limit (crosses the spread, IOC) or passive limit (GTC, `0..maxOffsetTicks` behind
 * the touch, so it rests and may fill later, be repriced or cancelled). Seeded: the same seed and
 * the same market produce the same orders. For soak tests of the order path, not for profit.
 */

import type { BookViewLike } from '@tickline/wire';
import { deepFreeze, int, joinPath, num, obj, parseConfig, refine } from '@tickline/runtime/config-schema';
import { Prng } from '../core/prng.js';
import { PerInstrument, type Strategy, type StrategyEnv, type StrategyType } from '../core/strategy.js';

const PARAMS = refine(
  obj({
    seed: int(0, 2 ** 32 - 1, 0),
    ratePerSecond: num(0.0001, 10_000, 1),
    minLots: int(1, 1_000_000, 1),
    maxLots: int(1, 1_000_000, 5),
    marketShare: num(0, 1, 0.15),
    passiveShare: num(0, 1, 0.45),
    maxOffsetTicks: int(0, 1000, 3),
  }),
  (p, path, issues, valid) => {
    if (valid('minLots') && valid('maxLots') && p.minLots > p.maxLots)
      issues.push({ path: joinPath(path, 'minLots'), message: `must be at most maxLots (${p.maxLots}), got ${p.minLots}` });
    if (valid('marketShare') && valid('passiveShare') && p.marketShare + p.passiveShare > 1)
      issues.push({
        path: joinPath(path, 'passiveShare'),
        message: `must be at most 1 - marketShare (${p.marketShare}), got ${p.passiveShare}`,
      });
  },
);

export const RANDOM_DEFAULTS = deepFreeze(parseConfig(PARAMS, {}).value);

export const randomTraderStrategy: StrategyType = {
  validate(params, path) {
    return parseConfig(PARAMS, params, path).issues;
  },
  create(params, info): Strategy {
    const p = parseConfig(PARAMS, params).value;
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
