/** Starts the embedded exchange in a child process (see exchange-child.ts) and talks to it. */

import { fork } from 'node:child_process';
import type { ExchangeOptions, ExchangeStats } from '@tickline/exchange';

export interface ExchangeProcess {
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly pid: number;
  stats(): Promise<ExchangeStats>;
  close(): Promise<void>;
}

const CHILD = new URL('./exchange-child.ts', import.meta.url);

export async function spawnExchange(options: Partial<ExchangeOptions>): Promise<ExchangeProcess> {
  const child = fork(CHILD, [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (s: ExchangeStats) => void>();
  let next = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ wsUrl: string; httpUrl: string }>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the exchange process exited with code ${code} before it was ready`));
    child.once('exit', onExit);
    child.on('message', (m: { type: string; id?: number; stats?: ExchangeStats; wsUrl?: string; httpUrl?: string }) => {
      if (m.type === 'ready') {
        child.off('exit', onExit);
        resolve({ wsUrl: m.wsUrl as string, httpUrl: m.httpUrl as string });
      } else if (m.type === 'stats' && m.id !== undefined) {
        pending.get(m.id)?.(m.stats as ExchangeStats);
        pending.delete(m.id);
      }
    });
  });
  return {
    ...ready,
    pid: child.pid ?? -1,
    stats: () =>
      new Promise<ExchangeStats>((resolve, reject) => {
        const id = next++;
        const t = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the exchange process did not answer a stats request within 5 s'));
        }, 5000);
        pending.set(id, (s) => {
          clearTimeout(t);
          resolve(s);
        });
        child.send({ type: 'stats', id });
      }),
    close: async () => {
      if (child.exitCode === null) child.send({ type: 'close' });
      const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(hard);
    },
  };
}
