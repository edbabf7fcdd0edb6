export { buildProgram, main } from './main.js';
export { ConfigError, configSchema, loadConfig, readConfigFile } from './config.js';
