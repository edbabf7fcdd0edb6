// Worker-thread entry (loaded through the runtime's TS_WORKER_ENTRY): runs the embedded exchange
// on its own thread, so a stage benchmarked against it (ingest, execution) does not share its
// thread with the exchange's market generation and encoding.
import { parentPort, workerData } from 'node:worker_threads';
import { type ExchangeOptions, startExchange } from '@tickline/exchange';

const port = parentPort;
if (port === null) throw new Error('exchange-thread.ts must run in a worker thread');
const ex = await startExchange((workerData as { options: Partial<ExchangeOptions> }).options);
port.on('message', async (m: { id: number; op: 'stats' | 'close' }) => {
  if (m.op === 'stats') port.postMessage({ id: m.id, value: ex.stats() });
  else {
    await ex.close();
    port.postMessage({ id: m.id, value: null });
    port.close();
  }
});
port.postMessage({ id: 0, value: { wsUrl: ex.wsUrl, httpUrl: ex.httpUrl } });
