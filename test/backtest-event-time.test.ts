/**
 * The event-time backtest on a real venue's capture (Binance spot, an hftbacktest collector file):
 * it trades against the local venue with a probabilistic queue model and latencies drawn from
 * samples, the report's accounting agrees with the venue's fills, and the same input, strategy and
 * seed give the same report byte for byte once the wall-clock figures (speed, duration, measured
 * latencies) are taken out.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '@tickline/cli';
import { backtest } from '../packages/cli/src/commands/backtest.js';
import type { BacktestReport } from '../packages/cli/src/backtest/report.js';
import { captured } from './capture-output.js';

const ROOT = new URL('..', import.meta.url).pathname;
const FILE = join(ROOT, 'test/fixtures/captures/binance-spot-btcusdt-20240809.ns.gz');
const tmp = mkdtempSync(join(tmpdir(), 'tkl-bt-et-'));
const quiet = () => loadConfig({}, { 'log.level': 'silent' }, 'test');

/** The report without what the wall clock decides: speeds, durations, measured latencies. */
function timeless(rep: BacktestReport): string {
  const meta = { ...rep.meta } as Record<string, unknown>;
  delete meta.speed;
  delete meta.durationS;
  const stages = meta.stages as Record<string, { processed: number; core: Record<string, number> }>;
  meta.stages = Object.fromEntries(
    Object.entries(stages).map(([k, v]) => [
      k,
      {
        processed: v.processed,
        core: Object.fromEntries(Object.entries(v.core).filter(([n]) => !/latency|Ns\b|Ns\.|Time|Ms\.|busy/i.test(n))),
      },
    ]),
  );
  return JSON.stringify({ ...rep, meta });
}

describe('tickline backtest (event-time) on a real capture', () => {
  it('trades Binance spot with queue positions and latencies; the same seed gives the same report', async () => {
    const lat = join(tmp, 'entry-latency.txt');
    writeFileSync(lat, '# order entry latency samples, ms\n3.1\n4.7\n2.2\n9.8\n5.0\n');
    const run = async (out: string, books: 'traded' | 'all' = 'traded') => {
      const r = await captured(() =>
        backtest(quiet(), {
          file: FILE,
          venue: 'binance-spot',
          strategy: 'random',
          params: '{"ratePerSecond":4,"seed":7}',
          queueModel: 'prob-power2',
          feedLatency: 2,
          entryLatency: `file:${lat}`,
          responseLatency: 1.5,
          seed: 42,
          venueBooks: books,
          out,
          progress: 'none',
        }),
      );
      expect(r.code, r.err).toBe(0);
      return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;
    };
    const a = await run(join(tmp, 'a'));
    const b = await run(join(tmp, 'b'));
    expect(a.meta.complete).toBe(true);
    expect(a.meta.venue).toBe('binance-spot');
    expect(a.fills.count).toBeGreaterThan(20);
    expect(a.fills.maker).toBeGreaterThan(0);
    expect(a.fills.taker).toBeGreaterThan(0);
    expect(a.checks.filter((c) => !c.ok)).toEqual([]);
    const model = a.meta.fillModel as { queue: { model: string }; latency: { entry: { kind: string; count: number } } };
    expect(model.queue.model).toBe('prob-power2');
    expect(model.latency.entry.kind).toBe('samples');
    expect(model.latency.entry.count).toBe(5);
    const ratios = a.meta.fillRatios as Record<string, { orders: number; makerFills: number; queueWaitMs: { count: number } }>;
    const btc = ratios['binance-spot:BTCUSDT'];
    expect(btc?.orders).toBeGreaterThan(0);
    expect(btc?.queueWaitMs.count).toBeGreaterThan(0);
    const events = a.meta.events as { total: number; deltaLevels: number; trades: number };
    expect(events.total).toBeGreaterThan(150_000);
    expect(timeless(b)).toBe(timeless(a));
    const html = readFileSync(join(tmp, 'a', 'report.html'), 'utf8');
    expect(html).toContain('<h2>Fill model and speed</h2>');
    expect(html).toContain('prob-power2');
    expect(html).toContain('5 samples from');
    expect(html).toMatch(new RegExp(`<td>binance-spot:BTCUSDT</td><td>${btc?.orders}</td><td>${btc?.makerFills}</td>`));
    // the venue keeping every book from the start changes nothing but its own counter
    const c = await run(join(tmp, 'c'), 'all');
    const strip = (rep: BacktestReport) => {
      const m = rep.meta.fillModel as Record<string, unknown>;
      delete m.booksKept;
      return timeless(rep);
    };
    expect((a.meta.fillModel as { booksKept: number }).booksKept).toBe(1);
    expect(strip(c)).toBe(strip(a));
  }, 120_000);

  it('a file with a sequence gap: the gap is counted, the book is marked not live, and nothing trades while it is', async () => {
    // the capture with its 1,500th depth update left out: the next one no longer follows on
    const lines = gunzipSync(readFileSync(FILE)).toString('utf8').split('\n');
    let seen = 0;
    const dropped = lines.findIndex((l) => l.includes('"e":"depthUpdate"') && ++seen === 1500);
    expect(dropped).toBeGreaterThan(0);
    const gapAt = Number(BigInt((lines[dropped] as string).slice(0, (lines[dropped] as string).indexOf(' '))) / 1_000_000n);
    const file = join(tmp, 'gap.ns.gz');
    writeFileSync(file, gzipSync(lines.filter((_, i) => i !== dropped).join('\n')));
    const out = join(tmp, 'gap');
    const r = await captured(() =>
      backtest(quiet(), { file, venue: 'binance-spot', strategy: 'random', params: '{"ratePerSecond":4,"seed":3}', out, progress: 'none' }),
    );
    expect(r.code, r.err).toBe(0);
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;
    expect((rep.meta.gaps as Record<string, number>)['venues.binance-spot.gaps']).toBeGreaterThanOrEqual(1);
    const notLive = rep.meta.notLive as { instrument: string; from: string; to: string | null }[];
    expect(notLive.length).toBeGreaterThanOrEqual(1);
    const first = notLive[0] as { instrument: string; from: string; to: string | null };
    expect(first.instrument).toBe('BTCUSDT');
    const from = Date.parse(first.from);
    expect(Math.abs(from - gapAt)).toBeLessThan(1000);
    // trading before the gap, none while the book was not live
    expect(rep.fills.list.some((f) => f.ts < from)).toBe(true);
    for (const p of notLive) {
      const a = Date.parse(p.from);
      const b = p.to === null ? Number.POSITIVE_INFINITY : Date.parse(p.to);
      expect(rep.fills.list.filter((f) => f.ts > a && f.ts < b)).toEqual([]);
    }
    expect(rep.checks.filter((c) => !c.ok)).toEqual([]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain(`<h2 id="not-live">Books not live (${notLive.length}; nothing traded in them)</h2>`);
    expect(html).toContain(`<td>BTCUSDT</td><td>${first.from}</td>`);
  }, 120_000);
});
