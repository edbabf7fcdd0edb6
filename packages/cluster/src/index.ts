export * from './cluster-config.js';
export * from './shard.js';
export * from './subjects.js';
