/**
 * The signals, risk and execution sections of a backtest: the strategy under test (and its
 * instruments), no signals snapshot, an in-memory journal, and the venue connection each engine
 * gives execution (`venue`: merged into `execution.venue`; `journal`: into `execution.journal`).
 */

import type { ReplayPlan } from '../commands/replay-registry.js';
import type { LoadedConfig } from '../config.js';
import type { ResolvedBacktest } from './options.js';

export function tradingConfigs(
  config: LoadedConfig['config'],
  r: ResolvedBacktest,
  plan: ReplayPlan,
  venue: Record<string, unknown>,
  journal: Record<string, unknown> = {},
) {
  const signals = { ...(config.signals as Record<string, unknown>) };
  const strategy: Record<string, unknown> = { id: r.strategy.id, type: r.strategy.type, params: r.strategy.params };
  if (r.strategy.module !== undefined) strategy.module = r.strategy.module;
  if (r.instruments !== null) strategy.instruments = r.instruments.map((s) => (s.includes(':') ? s : `${plan.venue}:${s}`));
  signals.strategies = [strategy];
  // a backtest starts from nothing: no snapshot restored or written, an in-memory journal
  signals.snapshot = { ...((signals.snapshot as object) ?? {}), path: null };
  const exec = { ...(config.execution as Record<string, unknown>) };
  exec.venue = { ...((exec.venue as object) ?? {}), ...venue };
  exec.journal = { ...((exec.journal as object) ?? {}), path: null, ...journal };
  return { signals, risk: config.risk, execution: exec };
}
