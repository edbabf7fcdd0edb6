/**
 * The execution stage's input: approved intents as risk passes them on, against the embedded
 * exchange's order entry (a real WebSocket gateway to an exchange on its own thread) and a real
 * SQLite journal (WAL, `synchronous` as `tickline run` leaves it: full) in a fresh temporary
 * directory per run. One lot each, on the instruments in turn, a buy then a sell per instrument
 * (positions stay flat); every order is IOC, so each ends within its round trip: market orders
 * (3 in 10), limits through the book (4 in 10) and limits away from it (3 in 10; the exchange
 * cancels the remainder).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitMs } from '@tickline/wire';
import { startExchangeThread } from '../exchange-host.js';
import type { StagePlan, StageSizes } from '../plan.js';
import { TapeWriter } from '../tape.js';
import { intentRecord } from './intents.js';
import type { SimUniverse } from './sim-universe.js';

export function executionPlan(u: SimUniverse, z: StageSizes): StagePlan {
  const w = new TapeWriter();
  w.endPrime();
  const t = splitMs(Date.now(), { s: 0, ns: 0 });
  for (let i = 0; i < z.burst + z.paced; i++) {
    const k = (i >> 1) % u.specs.length;
    const spec = u.specs[k];
    const inst = u.instruments[k];
    if (spec === undefined || inst === undefined) continue;
    const side = i & 1;
    const kind = i % 10; // 0-2 market, 3-6 through the book, 7-9 away from it
    const through = side === 0 ? 2 * inst.initialPriceTicks : 1;
    const away = side === 0 ? 1 : 10 * inst.initialPriceTicks;
    const intent = intentRecord(i + 1, spec, t, {
      side,
      type: kind < 3 ? 1 : 0,
      tif: 1,
      price: kind < 3 ? 0 : (kind < 7 ? through : away) * spec.tickSize,
      size: spec.lotSize,
    });
    w.orderIntent(intent);
  }
  return {
    stage: 'execution',
    registry: u.specs,
    tape: w.finish(),
    burst: z.burst,
    paced: z.paced,
    pacedRate: z.pacedRate,
    params: { instruments: u.specs.length, journal: 'sqlite WAL synchronous=full', orders: 'IOC: 30% market, 40% through, 30% away' },
    async open() {
      const ex = await startExchangeThread({ instruments: u.specs.length, orderRateLimit: 1_000_000, heartbeatMs: 1000 });
      const dir = mkdtempSync(join(tmpdir(), 'tickline-bench-stage-'));
      return {
        config: { venue: { url: ex.wsUrl }, journal: { path: join(dir, 'journal-{partition}.sqlite') }, maxIntentAgeMs: 600_000 },
        exchange: () => ex.stats(),
        async close() {
          await ex.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
    // connected (the reconciliation that follows is done once it has answered twice)
    coreReady: (core) => (core['gateway.connects'] ?? 0) >= 1 && (core['gateway.framesIn'] ?? 0) >= 2,
    settled: (core) => core.openOrders === 0,
    extras: (before, after, seconds) => ({
      ordersPerSec: ((after.ordersSent ?? 0) - (before.ordersSent ?? 0)) / seconds,
      refused: (after.rejectedIntents ?? 0) - (before.rejectedIntents ?? 0),
    }),
  };
}
