/** Builds strategy instances from resolved config (user modules already imported by the worker). */

import { type InstrumentRegistry, isVenueName } from '@tickline/wire';
import { BUILTIN_STRATEGIES, type SignalsConfig } from '../config.js';
import type { Issue } from '@tickline/runtime/config-schema';
import type { StrategySlot } from '../core/signals-core.js';
import type { StrategyType } from '../core/strategy.js';

export class StrategySetupError extends Error {
  readonly code = 'TKL_SIGNALS_ERR_STRATEGY';
  constructor(readonly issues: readonly Issue[]) {
    super(`cannot set up strategies:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`);
    this.name = 'StrategySetupError';
  }
}

/**
 * One slot per configured strategy. `userTypes` maps a config `module` string to its loaded
 * StrategyType. Throws StrategySetupError listing every unknown instrument or bad parameter.
 */
export function createStrategies(
  cfg: SignalsConfig,
  registry: InstrumentRegistry,
  partition: number,
  userTypes: ReadonlyMap<string, StrategyType> = new Map(),
): StrategySlot[] {
  const issues: Issue[] = [];
  const slots: StrategySlot[] = [];
  cfg.strategies.forEach((s, i) => {
    const path = `strategies[${i}]`;
    const type = s.type === 'module' ? userTypes.get(s.module ?? '') : BUILTIN_STRATEGIES[s.type];
    if (!type) {
      issues.push({
        path: `${path}.${s.type === 'module' ? 'module' : 'type'}`,
        message: `strategy '${s.module ?? s.type}' is not loaded`,
      });
      return;
    }
    if (s.type === 'module') issues.push(...type.validate(s.params, `${path}.params`));
    let instruments: Set<number> | null = null;
    if (s.instruments) {
      instruments = new Set();
      s.instruments.forEach((name, j) => {
        const colon = name.indexOf(':');
        const venue = name.slice(0, colon);
        const spec = isVenueName(venue) ? registry.lookup(venue, name.slice(colon + 1)) : undefined;
        if (spec) instruments?.add(spec.id);
        else issues.push({ path: `${path}.instruments[${j}]`, message: `unknown instrument '${name}'` });
      });
    }
    if (issues.length > 0) return;
    const seed = (cfg.seed * 1_000_003 + i * 7919 + partition * 104_729) >>> 0;
    slots.push({ strategy: type.create(s.params, { id: s.id, seed, partition }), instruments });
  });
  if (issues.length > 0) throw new StrategySetupError(issues);
  return slots;
}
