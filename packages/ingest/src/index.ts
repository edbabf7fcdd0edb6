export * from './connection/index.js';
export * from './instruments/index.js';
export * from './replay/index.js';
export * from './recording/index.js';
