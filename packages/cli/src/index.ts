export { buildProgram, main } from './main.js';
export { ConfigError, configSchema, loadConfig, readConfigFile } from './config.js';
export { record, type RecordOptions } from './commands/record.js';
export { replay, type ReplayOptions } from './commands/replay.js';
export { run } from './commands/run.js';
export { backtest, type BacktestOptions } from './commands/backtest.js';
