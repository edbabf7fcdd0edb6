// Generic worker entry for TypeScript modules (benchmarks, tests): Node 20 worker threads do not
// inherit the tsx loader, so register it, then load the module named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
