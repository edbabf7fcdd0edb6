/** `tickline sim`: the embedded exchange on its own, until SIGINT/SIGTERM. */

import { type ExchangeOptions, startExchange } from '@tickline/exchange';
import { createLogger } from '@tickline/runtime';

export async function sim(options: Partial<ExchangeOptions>, level: 'info' | 'warn' | 'error' | 'debug' = 'info'): Promise<number> {
  const log = createLogger(level);
  const ex = await startExchange(options);
  log.info({ http: ex.httpUrl, ws: ex.wsUrl, instruments: ex.instruments.length }, 'embedded exchange listening');
  process.stdout.write(`tickline sim: ${ex.wsUrl} (REST ${ex.httpUrl}/v1/instruments), ${ex.instruments.length} instruments\n`);
  const signal = await new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'stopping');
  await ex.close();
  return 0;
}
