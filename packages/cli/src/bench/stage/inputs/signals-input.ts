/**
 * The signals stage's input: the book stage's output (book-output.ts: views, trades, tick bars)
 * over the embedded exchange's instruments, run with the strategies `tickline run` starts when
 * none are configured (imbalance and tick-trend everywhere, a slow random trader on 20).
 */

import { defaultStrategies } from '../../../commands/run.js';
import type { StagePlan, StageSizes } from '../plan.js';
import { TapeWriter } from '../tape.js';
import { emitBookOutput } from './book-output.js';
import type { SimUniverse } from './sim-universe.js';

export async function signalsPlan(u: SimUniverse, z: StageSizes): Promise<StagePlan> {
  const w = new TapeWriter();
  await emitBookOutput(u, z.burst + z.paced, w);
  const strategies = defaultStrategies(
    u.specs.map((s) => s.symbol),
    'sim',
  );
  return {
    stage: 'signals',
    registry: u.specs,
    tape: w.finish(),
    burst: z.burst,
    paced: z.paced,
    pacedRate: z.pacedRate,
    params: { instruments: u.specs.length, strategies: 'imbalance, tick-trend, random (tickline run defaults)' },
    open: async () => ({ config: { strategies }, close: async () => {} }),
    extras: (before, after) => ({ intents: (after.intents ?? 0) - (before.intents ?? 0) }),
  };
}
