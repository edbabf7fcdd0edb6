/** The embedded exchange on a worker thread of its own (see exchange-thread.ts). */

import { Worker } from 'node:worker_threads';
import type { ExchangeOptions, ExchangeStats } from '@tickline/exchange';
import { moduleUrl, TS_WORKER_ENTRY } from '@tickline/runtime';

export interface ExchangeThread {
  readonly wsUrl: string;
  readonly httpUrl: string;
  stats(): Promise<ExchangeStats>;
  close(): Promise<void>;
}

export async function startExchangeThread(options: Partial<ExchangeOptions>): Promise<ExchangeThread> {
  const worker = new Worker(TS_WORKER_ENTRY, {
    workerData: { entry: moduleUrl('./exchange-thread.ts', import.meta.url), options },
  });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let failure: Error | null = null;
  const fail = (err: Error) => {
    failure = err;
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (m: { id: number; value: unknown }) => {
    waiting.get(m.id)?.resolve(m.value);
    waiting.delete(m.id);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`exchange thread exited (code ${code})`)));
  let nextId = 1;
  const call = (id: number, op?: 'stats' | 'close'): Promise<unknown> =>
    new Promise((resolve, reject) => {
      if (failure !== null) return reject(failure);
      waiting.set(id, { resolve, reject });
      if (op !== undefined) worker.postMessage({ id, op });
    });
  const urls = (await call(0)) as { wsUrl: string; httpUrl: string };
  return {
    ...urls,
    stats: () => call(nextId++, 'stats') as Promise<ExchangeStats>,
    async close() {
      await call(nextId++, 'close').catch(() => {});
      await worker.terminate();
    },
  };
}
