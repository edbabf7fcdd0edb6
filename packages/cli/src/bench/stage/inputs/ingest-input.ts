/**
 * The ingest stage's input: the embedded exchange itself, on a thread of its own, streaming
 * book deltas and trades for every instrument over real WebSockets at `eventsPerSecond`. After
 * every stream is subscribed (and a warm-up for the snapshots), frames are counted over a window
 * against the frames the exchange sent meanwhile (its offered rate).
 */

import { startExchangeThread } from '../exchange-host.js';
import type { StagePlan } from '../plan.js';
import type { SimUniverse } from './sim-universe.js';

export function ingestPlan(u: SimUniverse, o: { eventsPerSecond: number; windowS: number; warmupS: number }): StagePlan {
  const n = u.specs.length;
  return {
    stage: 'ingest',
    registry: u.specs,
    tape: null,
    burst: 0,
    paced: 0,
    pacedRate: 0,
    windowS: o.windowS,
    warmupS: o.warmupS,
    params: { instruments: n, eventsPerSecond: o.eventsPerSecond, windowS: o.windowS, channels: 'book, trades' },
    async open() {
      const ex = await startExchangeThread({ instruments: n, eventsPerSecond: o.eventsPerSecond, heartbeatMs: 1000 });
      return {
        config: {
          venue: 'sim',
          url: ex.wsUrl,
          restUrl: ex.httpUrl,
          symbols: u.specs.map((s) => s.symbol),
          channels: ['book', 'trades'],
          logLevel: 'warn',
        },
        exchange: () => ex.stats(),
        close: () => ex.close(),
      };
    },
    ready: (ex) => ex.subscriptions >= 2 * n,
  };
}
