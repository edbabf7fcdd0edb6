export * from './config/pipeline-config.js';
export * from './config/schema.js';
export * from './emitter.js';
export * from './logger.js';
export * from './stage.js';
export * from './supervisor.js';
export type * from './worker-host.js';
