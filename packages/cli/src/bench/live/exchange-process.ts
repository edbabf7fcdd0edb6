/** Starts the embedded exchange in a child process (see exchange-child.ts) and talks to it. */

import { fork } from 'node:child_process';
import type { ExchangeOptions, ExchangeStats } from '@tickline/exchange';
import { LOADER_IMPORT, moduleUrl } from '@tickline/runtime';

export interface ExchangeProcess {
  readonly wsUrl: string;
  readonly httpUrl: string;
  readonly pid: number;
  stats(): Promise<ExchangeStats>;
  close(): Promise<void>;
}

const CHILD = new URL(moduleUrl('./exchange-child.ts', import.meta.url));

export async function spawnExchange(options: Partial<ExchangeOptions>): Promise<ExchangeProcess> {
  const child = fork(CHILD, [JSON.stringify(options)], {
    execArgv: ['--import', LOADER_IMPORT.href],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let latest: ExchangeStats | null = null;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = await new Promise<{ wsUrl: string; httpUrl: string }>((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`the exchange process exited with code ${code} before it was ready`));
    child.once('exit', onExit);
    child.on('message', (m: { type: string; stats?: ExchangeStats; wsUrl?: string; httpUrl?: string }) => {
      if (m.type === 'ready') {
        child.off('exit', onExit);
        resolve({ wsUrl: m.wsUrl as string, httpUrl: m.httpUrl as string });
      } else if (m.type === 'stats' && m.stats !== undefined) latest = m.stats;
    });
  });
  return {
    ...ready,
    pid: child.pid ?? -1,
    /** The latest reading the exchange pushed (its `uptimeMs` says when it was taken). */
    stats: async () => {
      for (let i = 0; latest === null && i < 100; i++) await new Promise((r) => setTimeout(r, 50));
      if (latest === null) throw new Error('the exchange process sent no stats within 5 s of starting');
      return latest;
    },
    close: async () => {
      if (child.exitCode === null) child.send({ type: 'close' });
      const hard = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(hard);
    },
  };
}
