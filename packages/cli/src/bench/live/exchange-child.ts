/**
 * Child-process entry of the embedded exchange for benchmarks: the load generator runs in its
 * own process, as a venue would, so the pipeline's process (its RSS, its threads) is measured
 * alone. Options arrive as JSON in argv[2]; the parent talks over the IPC channel:
 *   -> { type: 'ready', wsUrl, httpUrl }      once listening
 *   -> { type: 'stats', stats }               every 250 ms (the exchange's own uptime in it)
 *   <- { type: 'close' }                      closes and exits (so does losing the parent)
 * Stats are pushed, not asked for: a saturated exchange answers late, and a reading stamped with
 * its own clock is still right when it arrives late.
 */

import { startExchange } from '@tickline/exchange';

const options = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const ex = await startExchange({ ...options, host: '127.0.0.1', port: 0 });
const send = (m: unknown) => process.send?.(m);
const close = async () => {
  await ex.close();
  process.exit(0);
};
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'close') void close();
});
setInterval(() => send({ type: 'stats', stats: ex.stats() }), 250).unref();
process.on('disconnect', () => void close());
send({ type: 'ready', wsUrl: ex.wsUrl, httpUrl: ex.httpUrl });
send({ type: 'stats', stats: ex.stats() });
