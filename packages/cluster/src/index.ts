export * from './cluster-config.js';
export * from './cluster-view.js';
export * from './errors.js';
export * from './presence.js';
export * from './shard.js';
export * from './subjects.js';
export * from './node-edges.js';
