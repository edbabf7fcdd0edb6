/**
 * Paper trading on a live venue: `tickline run --venue binance-spot` against the venue emulator
 * serving a real Binance capture (BTCUSDT depth diffs and trades), with a strategy trading
 * BTCUSDT and no API key: paper mode by default. Orders are placed and filled by the local
 * matching engine on the venue's live data; nothing reaches an order entry (an order-entry URL
 * configured on purpose gets no connection, the emulator sees only market-data connections and
 * subscriptions). The dashboard shows the PAPER badge in chromium. An API key without --paper,
 * and --paper on the embedded exchange, exit 2 before anything connects.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium, launchChromium } from '@tickline/dashboard/testing';
import { describe, expect, it } from 'vitest';
import { startReplayVenue } from '@tickline/cli';
import { TicklineProcess } from './tickline-process.js';

const CAPTURE = new URL('fixtures/captures/binance-spot-btcusdt-20240809.ns.gz', import.meta.url).pathname;
const TOKEN = 'paper-trading-test-token-0123456789';
const found = findChromium();

/** A TCP server that counts every connection: where an order entry would have to connect. */
async function orderEntryTrap(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    n++;
    sockets.add(s);
    s.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `ws://127.0.0.1:${port}/v1/stream`,
    connections: () => n,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function configFile(dir: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'tickline.json');
  writeFileSync(
    file,
    JSON.stringify({
      stateDir: join(dir, 'state'),
      http: { port: 0, token: TOKEN },
      log: { level: 'info' },
      signals: {
        strategies: [{ id: 'random', type: 'random', instruments: ['binance-spot:BTCUSDT'], params: { ratePerSecond: 5, seed: 3 } }],
      },
      ...extra,
    }),
  );
  return file;
}

/** `run` on the emulator's binance-spot, BTCUSDT: paper by default (no API key). */
const runArgs = (cfg: string, e: { wsUrl: string; restUrl: string }): string[] => [
  'run',
  '-c',
  cfg,
  '--venue',
  'binance-spot',
  '--venue-url',
  e.wsUrl,
  '--rest-url',
  e.restUrl,
  '--symbols',
  'BTCUSDT',
];

describe('tickline run --paper on a live venue (emulator serving a real capture)', () => {
  it('places orders and gets fills from the local engine; no order reaches any order entry; the dashboard says PAPER', async () => {
    const { emulator } = await startReplayVenue({ venue: 'binance-spot', file: CAPTURE, speed: 2, host: '127.0.0.1', port: 0 });
    const trap = await orderEntryTrap();
    const dir = mkdtempSync(join(tmpdir(), 'tkl-paper-'));
    // an order-entry URL configured on purpose: paper mode must not use it
    const cfg = configFile(dir, { execution: { venue: { url: trap.url } } });
    const run = new TicklineProcess([...runArgs(cfg, emulator), '--duration', '20', '--summary', 'json']);
    try {
      expect((await run.waitFor(/"msg":"PAPER trading[^"]*"/))[0]).toContain('none is sent to the venue');
      const dash = (await run.waitFor(/tickline dashboard: (http:\/\/\S+)/))[1] as string;
      if ('path' in found) {
        const browser = await launchChromium(found.path);
        try {
          const page = await browser.context.newPage();
          await page.goto(dash);
          const badge = page.locator('#paper');
          await badge.waitFor({ state: 'visible', timeout: 30_000 });
          expect(await badge.textContent()).toBe('PAPER');
          const box = await badge.boundingBox();
          // in the header bar, big enough to be seen
          expect(box?.y ?? 999).toBeLessThan(60);
          expect((box?.width ?? 0) * (box?.height ?? 0)).toBeGreaterThan(200);
          expect(await page.title()).toBe('tickline · PAPER');
        } finally {
          await browser.close();
        }
      }
      expect(await run.exited, run.stderr.slice(-3000)).toBe(0);
      const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) as string) as {
        paper?: boolean;
        trading: { orders: number; fills: number; fees: string };
        stages: { execution: { core: Record<string, number> } };
      };
      expect(summary.paper).toBe(true);
      // orders placed, filled by the local matching engine (its own counters saw them arrive)
      expect(summary.trading.orders).toBeGreaterThan(5);
      expect(summary.trading.fills).toBeGreaterThan(0);
      const core = summary.stages.execution.core;
      // (orders sent in the last moments before shutdown may not have arrived yet)
      expect(core['paper.arrivals']).toBeGreaterThan(summary.trading.orders / 2);
      expect(core['paper.delivered']).toBeGreaterThan(summary.trading.fills);
      expect(core.venueDown ?? 0).toBe(0);
      expect(Number(summary.trading.fees)).toBeGreaterThan(0); // Binance spot's taker fee, charged locally
      // nothing left for an order entry: the trap saw no connection, the venue only market data
      expect(trap.connections()).toBe(0);
      const s = emulator.stats();
      // ingest's connection and the paper venue's own market-data connection
      expect(s.connectionsTotal).toBe(2);
      expect(s.limitViolations).toEqual({});
    } finally {
      if (run.child.exitCode === null) await run.stop();
      await trap.close();
      await emulator.close();
    }
  }, 180_000);

  it('an API key without --paper, or --paper on the embedded exchange: exit 2 before anything connects', async () => {
    const { emulator } = await startReplayVenue({ venue: 'binance-spot', file: CAPTURE, speed: 1, host: '127.0.0.1', port: 0 });
    try {
      const dir = mkdtempSync(join(tmpdir(), 'tkl-paper-'));
      const cfg = configFile(dir, { venue: { apiKey: 'K3Y-SHOULD-NOT-SHOW' } });
      const keyed = new TicklineProcess(runArgs(cfg, emulator));
      expect(await keyed.exited).toBe(2);
      expect(keyed.stderr).toContain('venue.apiKey is set for binance-spot, but tickline has no live order entry');
      expect(keyed.stderr).toContain('Run with --paper');
      expect(`${keyed.stdout}${keyed.stderr}`).not.toContain('K3Y-SHOULD-NOT-SHOW');
      expect(emulator.stats().connectionsTotal).toBe(0);
      const sim = new TicklineProcess(['run', '-c', configFile(dir), '--paper', '--duration', '1']);
      expect(await sim.exited).toBe(2);
      expect(sim.stderr).toContain('--paper applies to live venues: the sim venue is the embedded exchange');
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
