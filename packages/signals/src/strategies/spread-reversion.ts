/**
 * Spread mean reversion: the spread is tracked as an EWMA; when it blows out beyond
 * `entryMultiple` x its mean, the strategy quotes one tick inside the touch on the side the
 * microprice leans to (GTC), expecting the spread to close back towards its mean. The expected
 * edge is half the excess spread.
 */

import type { BookViewLike } from '@tickline/wire';
import { deepFreeze, int, num, obj, parseConfig } from '@tickline/runtime/config-schema';
import { bps, PerInstrument, type Strategy, type StrategyEnv, type StrategyType } from '../core/strategy.js';

const PARAMS = obj({
  alpha: num(0.0001, 1, 0.05),
  entryMultiple: num(1, 100, 2),
  minSamples: int(1, 1_000_000, 50),
  lots: int(1, 1_000_000, 1),
  cooldownMs: int(0, 86_400_000, 2000),
});

export const SPREAD_REVERSION_DEFAULTS = deepFreeze(parseConfig(PARAMS, {}).value);

interface State {
  mean: number;
  n: number;
  lastAt: number;
}

export const spreadReversionStrategy: StrategyType = {
  validate(params, path) {
    return parseConfig(PARAMS, params, path).issues;
  },
  create(params, info): Strategy {
    const p = parseConfig(PARAMS, params).value;
    const state = new PerInstrument<State>(() => ({ mean: 0, n: 0, lastAt: -Infinity }));
    return {
      id: info.id,
      onBook(v: BookViewLike, env: StrategyEnv) {
        if (v.bids.length === 0 || v.asks.length === 0 || !(v.spread > 0)) return;
        const s = state.get(v.instrument);
        const spread = v.spread;
        const mean = s.n === 0 ? spread : s.mean;
        s.mean = mean + p.alpha * (spread - mean);
        s.n++;
        if (s.n < p.minSamples || env.nowMs - s.lastAt < p.cooldownMs) return;
        if (spread < p.entryMultiple * mean) return;
        const spec = env.spec(v.instrument);
        if (!spec) return;
        const bid = v.bids.price(0);
        const ask = v.asks.price(0);
        const tick = spec.tickSize;
        if (bid + tick >= ask) return;
        const buy = v.microprice >= v.mid;
        const price = buy ? bid + tick : ask - tick;
        const edgeBps = bps((spread - mean) / 2, v.mid);
        const inputs = { spread, spreadMean: mean, multiple: spread / mean, microprice: v.microprice, edgeBps };
        const reason = `spread ${(spread / mean).toFixed(2)}x mean, quoting inside ${buy ? 'bid' : 'ask'}`;
        if (
          env.intent({
            instrument: v.instrument,
            side: buy ? 'buy' : 'sell',
            tif: 'GTC',
            price,
            size: p.lots * spec.lotSize,
            reason,
            inputs,
          })
        )
          s.lastAt = env.nowMs;
      },
      snapshot() {
        return [...state.entries()].map(([id, s]) => [id, s.mean, s.n]);
      },
      restore(saved) {
        if (!Array.isArray(saved)) return;
        for (const row of saved) {
          if (Array.isArray(row) && row.length === 3 && row.every((x) => typeof x === 'number'))
            state.set(row[0] as number, { mean: row[1] as number, n: row[2] as number, lastAt: -Infinity });
        }
      },
    };
  },
};
