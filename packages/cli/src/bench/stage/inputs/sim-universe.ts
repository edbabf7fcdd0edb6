/**
 * The embedded exchange's instrument universe without starting it: the same seeded instruments
 * (`generateUniverse`) and the same registry `tickline run` builds from its `/v1/instruments`
 * (ids 1..N in universe order), so every stage input speaks of instruments a run would have.
 */

import { generateUniverse, type Instrument, instrumentInfo } from '@tickline/exchange';
import { simInstruments } from '@tickline/normalize';
import { InstrumentRegistry, type InstrumentSpec } from '@tickline/wire';

export interface SimUniverse {
  readonly instruments: readonly Instrument[];
  readonly registry: InstrumentRegistry;
  /** Registry entries by universe index (registry id = index + 1). */
  readonly specs: readonly InstrumentSpec[];
}

/** Seed of the embedded exchange's default universe. */
export const SIM_SEED = 1;

export function simUniverse(count: number, seed = SIM_SEED): SimUniverse {
  const instruments = generateUniverse(count, seed);
  const registry = new InstrumentRegistry();
  const specs = simInstruments({ instruments: instruments.map(instrumentInfo) }).map((i) => registry.add(i));
  return { instruments, registry, specs };
}
