/** URL of a worker entry that loads a TypeScript module given as `workerData.entry`. */
export const TS_WORKER_ENTRY: URL = new URL('./ts-worker.mjs', import.meta.url);
