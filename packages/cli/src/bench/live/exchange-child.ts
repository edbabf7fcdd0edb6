/**
 * Child-process entry of the embedded exchange for benchmarks: the load generator runs in its
 * own process, as a venue would, so the pipeline's process (its RSS, its threads) is measured
 * alone. Options arrive as JSON in argv[2]; the parent talks over the IPC channel:
 *   -> { type: 'ready', wsUrl, httpUrl }      once listening
 *   <- { type: 'stats', id }  -> { type: 'stats', id, stats }
 *   <- { type: 'close' }      closes and exits (so does losing the parent)
 */

import { startExchange } from '@tickline/exchange';

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const ex = await startExchange({ ...options, host: '127.0.0.1', port: 0 });
const send = (m: unknown) => process.send?.(m);
const close = async () => {
  await ex.close();
  process.exit(0);
};
process.on('message', (m: { type?: string; id?: number }) => {
  if (m?.type === 'stats') send({ type: 'stats', id: m.id, stats: ex.stats() });
  else if (m?.type === 'close') void close();
});
process.on('disconnect', () => void close());
send({ type: 'ready', wsUrl: ex.wsUrl, httpUrl: ex.httpUrl });
