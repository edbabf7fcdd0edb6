export { pathAndQuery, readCapture } from './capture-file.js';
export { type CollectorOptions, readCollectorGzip } from './collector-gzip.js';
export { type Line, secondsInto, splitLines } from './lines.js';
export type { BadLine, ReplayFrame, ReplayOptions } from './types.js';
