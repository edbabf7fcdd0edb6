export { buildProgram, main } from './main.js';
export { ConfigError, configSchema, loadConfig, readConfigFile } from './config.js';
export { record, type RecordOptions } from './commands/record.js';
export { replay, type ReplayOptions, type VerifyOutcome, verifyFile } from './commands/replay.js';
export { planReplay, type ReplayPlan } from './commands/replay-registry.js';
export { sim, simReplay, startReplayVenue } from './commands/sim.js';
export { run } from './commands/run.js';
export { type ExchangeProcess, spawnExchange } from './bench/live/exchange-process.js';
export { backtest, type BacktestOptions } from './commands/backtest.js';
