// Generic worker entry (benchmarks, tests): Node 20 worker threads do not inherit the main thread's
// loader, so register it (tsx from the sources, the build's hook from dist), then load the module
// named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { registerLoader } from './loader.mjs';

await registerLoader();
await import(workerData.entry);
