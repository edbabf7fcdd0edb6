import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StageContext, StageCore } from '@tickline/runtime';
import { Recorder, testRegistry, view } from '@tickline/runtime/testing';
import { canonicalName } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { validateSignalsConfig } from '../src/index.js';
import createSignalsStage from '../src/worker.js';

const registry = testRegistry();
const dir = mkdtempSync(join(tmpdir(), 'tkl-intent-log-'));

async function stage(config: Record<string, unknown>, partition = 0): Promise<{ core: StageCore; events: [string, unknown][] }> {
  const events: [string, unknown][] = [];
  const ctx: StageContext = {
    stage: 'signals',
    partition,
    partitions: 2,
    registry,
    config: { strategies: [{ id: 'obi', type: 'imbalance', params: { threshold: 0.5, cooldownMs: 0 } }], ...config },
    notify: (event, data) => events.push([event, data]),
    marketView: null,
    maxDataAgeMs: 0,
  };
  return { core: await createSignalsStage(ctx), events };
}

/** Bid-heavy, then ask-heavy books on instrument 1: two intents, a buy at the ask and a sell at the bid. */
function trade(core: StageCore, rec: Recorder): void {
  const t = 1_700_000_000_123;
  core.onBookView?.(view({ instrument: 1, bid: 10_000, ask: 10_001, bidSize: 900, askSize: 100, nowMs: t }), rec);
  core.onBookView?.(view({ instrument: 1, bid: 10_000, ask: 10_002, bidSize: 100, askSize: 900, nowMs: t + 1 }), rec);
}

describe('signals.intentLog', () => {
  it('is a file path or null; anything else is refused naming the field', () => {
    for (const bad of [5, '', '  ', true])
      expect(validateSignalsConfig({ intentLog: bad }).map((i) => `${i.path}: ${i.message}`)).toEqual([
        `intentLog: must be a file path or null, got ${JSON.stringify(bad)}`,
      ]);
    expect(validateSignalsConfig({ intentLog: null })).toEqual([]);
    expect(validateSignalsConfig({ intentLog: 'x/intents-{partition}.jsonl' })).toEqual([]);
  });

  it('writes one JSON line per intent, in order, at the tick and at close, to the partition file', async () => {
    const path = join(dir, 'a', 'intents-{partition}.jsonl');
    const file = join(dir, 'a', 'intents-1.jsonl');
    const { core } = await stage({ intentLog: path }, 1);
    const rec = new Recorder();
    trade(core, rec);
    expect(rec.intents).toHaveLength(2);
    expect(existsSync(file)).toBe(false); // nothing written from the record path
    core.tick?.(Date.now(), rec);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const spec = registry.get(1);
    const name = canonicalName(spec?.venue ?? 'sim', spec?.symbol ?? '');
    expect(lines.map(({ intentId, createdMs, reason, ...rest }) => rest)).toEqual([
      {
        instrument: name,
        strategy: 'obi',
        side: 'buy',
        type: 'limit',
        tif: 'IOC',
        price: 10_001,
        size: spec?.lotSize,
        priceScale: 2,
        sizeScale: 0,
        data: '1700000000.123000000',
      },
      {
        instrument: name,
        strategy: 'obi',
        side: 'sell',
        type: 'limit',
        tif: 'IOC',
        price: 10_000,
        size: spec?.lotSize,
        priceScale: 2,
        sizeScale: 0,
        data: '1700000000.124000000',
      },
    ]);
    expect(lines.map((l) => l.intentId)).toEqual(rec.intents.map((i) => i.intentId));
    trade(core, rec);
    await core.close?.();
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(4);
    expect(core.stats?.()).toMatchObject({ intentLogLines: 4, intentLogLost: 0 });
  });

  it('a failed write loses its lines (counted, reported once), never the run', async () => {
    // the directory is made at start: make it, then put a directory where the file would be
    const { core, events } = await stage({ intentLog: join(dir, 'b', 'intents.jsonl') });
    mkdirSync(join(dir, 'b', 'intents.jsonl'));
    const rec = new Recorder();
    trade(core, rec);
    core.tick?.(Date.now(), rec);
    trade(core, rec);
    core.tick?.(Date.now(), rec);
    expect(rec.intents).toHaveLength(4);
    expect(core.stats?.()).toMatchObject({ intentLogLines: 0, intentLogLost: 4 });
    expect(events.filter(([e]) => e === 'error').map(([, d]) => (d as { message: string }).message)).toEqual([
      expect.stringMatching(/^intent log .*intents\.jsonl: write failed: EISDIR/),
    ]);
  });

  it('off by default: no file, no counters', async () => {
    const { core } = await stage({});
    const rec = new Recorder();
    trade(core, rec);
    core.tick?.(Date.now(), rec);
    expect(rec.intents).toHaveLength(2);
    expect(Object.keys(core.stats?.() ?? {}).filter((k) => k.startsWith('intentLog'))).toEqual([]);
  });
});
