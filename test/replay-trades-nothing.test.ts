/**
 * A replay runs the config's strategies, but trades nothing and leaves a live run's state alone:
 * with `execution.venue.url` naming a real venue (the embedded exchange in its own process), a
 * journal path and a market-view snapshot path configured, a replay that makes intents sends no
 * order to the venue and writes neither file.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ExchangeProcess, loadConfig, replay, spawnExchange } from '@tickline/cli';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captured } from './capture-output.js';
import { recordSim } from './sim-recording.js';

const tmp = mkdtempSync(join(tmpdir(), 'tkl-replay-guard-'));
let ex: ExchangeProcess;

beforeAll(async () => {
  ex = await spawnExchange({ instruments: 20, eventsPerSecond: 2000 });
});
afterAll(async () => {
  await ex?.close();
});

describe('replay', () => {
  it('makes intents from the recording but sends no order to a configured venue and writes no journal or snapshot', async () => {
    const file = join(tmp, 'sim.tkr');
    await recordSim(file, 20, 2);

    const journal = join(tmp, 'journal-{partition}.sqlite');
    const snapshot = join(tmp, 'signals-{partition}.snap');
    const cfg = loadConfig(
      {
        exchange: { instruments: 20 },
        freshness: { maxDataAgeMs: 0 },
        signals: {
          strategies: [{ id: 'random', type: 'random', params: { ratePerSecond: 200, seed: 3 } }],
          snapshot: { path: snapshot, intervalMs: 100 },
        },
        execution: { venue: { url: ex.wsUrl }, journal: { path: journal } },
      },
      { 'log.level': 'silent' },
      'test',
    );
    const before = (await ex.stats()).ordersReceived;
    const rep = await captured(() => replay(cfg, { file, speed: 1, json: true }));
    expect(rep.code, rep.err).toBe(0);
    const s = JSON.parse(rep.out);
    expect(s.replay.complete).toBe(true);
    // the strategy ran: intents reached execution
    expect(s.stages.signals?.emitted).toBeGreaterThan(0);
    expect(s.stages.execution?.processed).toBeGreaterThan(0);
    // ... and nothing left for the venue, nothing was written where a live run keeps its state
    expect((await ex.stats()).ordersReceived).toBe(before);
    expect(existsSync(journal.replace('{partition}', '0'))).toBe(false);
    expect(existsSync(snapshot.replace('{partition}', '0'))).toBe(false);
  }, 120_000);
});
