/**
 * Order-book imbalance: when resting size leans heavily to one side of the top levels, price
 * tends to move that way. Buys at the ask when imbalance >= threshold, sells at the bid when
 * <= -threshold (IOC). The expected move is the microprice's distance from mid.
 */

import type { BookViewLike } from '@tickline/wire';
import { deepFreeze, int, num, obj, oneOf, parseConfig } from '@tickline/runtime/config-schema';
import { bps, PerInstrument, type Strategy, type StrategyEnv, type StrategyType } from '../core/strategy.js';

const PARAMS = obj({
  threshold: num(0.01, 1, 0.6),
  lots: int(1, 1_000_000, 1),
  cooldownMs: int(0, 86_400_000, 1000),
  maxSpreadBps: num(0, 10_000, 50),
  side: oneOf(['both', 'long', 'short'], 'both'),
});

export const IMBALANCE_DEFAULTS = deepFreeze(parseConfig(PARAMS, {}).value);

export const imbalanceStrategy: StrategyType = {
  validate(params, path) {
    return parseConfig(PARAMS, params, path).issues;
  },
  create(params, info): Strategy {
    const p = parseConfig(PARAMS, params).value;
    const lastAt = new PerInstrument<{ t: number }>(() => ({ t: -Infinity }));
    return {
      id: info.id,
      onBook(v: BookViewLike, env: StrategyEnv) {
        if (v.bids.length === 0 || v.asks.length === 0 || !(v.mid > 0)) return;
        const st = lastAt.get(v.instrument);
        if (env.nowMs - st.t < p.cooldownMs) return;
        const spreadBps = bps(v.spread, v.mid);
        if (spreadBps > p.maxSpreadBps) return;
        const imb = v.imbalance;
        const spec = env.spec(v.instrument);
        if (!spec) return;
        const edgeBps = Math.abs(bps(v.microprice - v.mid, v.mid));
        const inputs = { imbalance: imb, spreadBps, microprice: v.microprice, mid: v.mid, edgeBps };
        if (imb >= p.threshold && p.side !== 'short') {
          if (
            env.intent({
              instrument: v.instrument,
              side: 'buy',
              tif: 'IOC',
              price: v.asks.price(0),
              size: p.lots * spec.lotSize,
              reason: `imbalance ${imb.toFixed(3)} >= ${p.threshold}`,
              inputs,
              strength: imb,
            })
          )
            st.t = env.nowMs;
        } else if (imb <= -p.threshold && p.side !== 'long') {
          if (
            env.intent({
              instrument: v.instrument,
              side: 'sell',
              tif: 'IOC',
              price: v.bids.price(0),
              size: p.lots * spec.lotSize,
              reason: `imbalance ${imb.toFixed(3)} <= -${p.threshold}`,
              inputs,
              strength: -imb,
            })
          )
            st.t = env.nowMs;
        }
      },
    };
  },
};
