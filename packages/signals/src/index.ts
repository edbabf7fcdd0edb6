export {
  BUILTIN_STRATEGIES,
  resolveSignalsConfig,
  SIGNALS_DEFAULTS,
  type SignalsConfig,
  SignalsConfigError,
  STRATEGY_TYPES,
  type StrategyConfig,
  validateSignalsConfig,
} from './config.js';
export { Prng } from './core/prng.js';
export { SignalsCore, type SignalsCoreOptions, type SignalsSnapshot, type StrategySlot } from './core/signals-core.js';
export type { StrategyError, StrategyErrorEvent } from './core/strategy-errors.js';
export {
  type BookSummary,
  bps,
  type IntentRequest,
  PerInstrument,
  type SideName,
  type Strategy,
  type StrategyEnv,
  type StrategyFactory,
  type StrategyInfo,
  type StrategyType,
} from './core/strategy.js';
export { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
export { IMBALANCE_DEFAULTS, imbalanceStrategy } from './strategies/imbalance.js';
export { createStrategies, StrategySetupError } from './strategies/index.js';
export { RANDOM_DEFAULTS, randomTraderStrategy } from './strategies/random-trader.js';
export { SPREAD_REVERSION_DEFAULTS, spreadReversionStrategy } from './strategies/spread-reversion.js';
export { TICK_TREND_DEFAULTS, type TickBar, tickTrendStrategy } from './strategies/tick-trend.js';
export { loadStrategyModule } from './strategy-loader.js';
