/**
 * What the route plugins and the live hub share: resolved options, the samplers and monitors,
 * instrument lookup, and `runCommand`, the one way this package sends a control command (bounded
 * in time, counted by outcome, failures turned into a 502 with the stage's own message).
 */

import type { InstrumentSpec } from '@tickline/wire';
import type { BarStore } from './bars.js';
import { DashboardError } from './errors.js';
import type { EventLog } from './event-log.js';
import type { HealthMonitor } from './health.js';
import type { DashboardMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import type { MarketOverview } from './overview.js';
import { type TradingMonitor, withTimeout } from './trading.js';

export interface DashboardContext {
  readonly opts: ResolvedOptions;
  readonly metrics: DashboardMetrics;
  readonly overview: MarketOverview;
  readonly bars: BarStore;
  readonly events: EventLog;
  readonly health: HealthMonitor;
  readonly trading: TradingMonitor;
  instrument(symbol: string): InstrumentSpec | undefined;
  runCommand(stage: string, command: string, args: unknown): Promise<unknown[]>;
}

export function instrumentIndex(list: readonly InstrumentSpec[]): (symbol: string) => InstrumentSpec | undefined {
  const by = new Map<string, InstrumentSpec>();
  for (const i of list) {
    by.set(`${i.venue}:${i.symbol}`, i);
    if (!by.has(i.symbol)) by.set(i.symbol, i);
  }
  return (symbol) => by.get(symbol);
}

export function commandRunner(opts: ResolvedOptions, metrics: DashboardMetrics): DashboardContext['runCommand'] {
  const log = opts.log;
  return async (stage, command, args) => {
    try {
      const out = await withTimeout(opts.pipeline.command(stage, command, args), 5000);
      metrics.command(stage, 'ok');
      return out;
    } catch (err) {
      metrics.command(stage, 'error');
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ stage, command, err: message }, 'control command failed');
      throw new DashboardError('TKL_DASH_ERR_COMMAND_FAILED', `${stage} ${command} failed: ${message}`);
    }
  };
}
