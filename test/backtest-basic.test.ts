/**
 * `tickline backtest`: a few seconds of the embedded exchange are recorded, then replayed through
 * the whole pipeline with the random strategy against the replay-driven exchange. The report's
 * fills, fees and P&L must agree with each other and with the exchange's own account; the HTML
 * page carries the equity curve; bad input exits 2 naming the field.
 *
 * The verb is called as a function (main.ts registers it).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, record } from '@tickline/cli';
import { backtest } from '../packages/cli/src/commands/backtest.js';
import type { BacktestReport } from '../packages/cli/src/backtest/report.js';
import { addDecimals, compareDecimals, mulDecimals, subDecimals, sumDecimals } from '@tickline/wire';
import { captured } from './capture-output.js';

const tmp = mkdtempSync(join(tmpdir(), 'tkl-backtest-test-'));
const file = join(tmp, 'sim.tkr');
const ROOT = new URL('..', import.meta.url).pathname;

const quiet = () => loadConfig({ exchange: { instruments: 12 } }, { 'log.level': 'silent' }, 'test');
const MAKER = 1;
const TAKER = 3;

describe('tickline backtest', () => {
  beforeAll(async () => {
    const rec = await captured(() => record(quiet(), { out: file, durationS: 3, summary: 'json' }));
    expect(rec.code, rec.err).toBe(0);
  }, 60_000);

  it.each(['event-time', 'lockstep'])(
    '%s: replays a recording with the random strategy; report, fees and P&L agree with the venue',
    async (engine) => {
      const out = join(tmp, `out-${engine}`);
      const run = await captured(() =>
        backtest(quiet(), {
          file,
          engine,
          strategy: 'random',
          params: '{"ratePerSecond":8,"seed":3}',
          out,
          makerFeeBps: MAKER,
          takerFeeBps: TAKER,
          progress: 'log',
        }),
      );
      expect(run.code, run.err).toBe(0);
      expect(run.err).toMatch(/tickline backtest: replayed 100\.0%/);
      const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;
      expect(rep.meta.complete).toBe(true);
      expect(rep.meta.frames).toBe(rep.meta.framesInFile);
      expect(rep.meta.frames as number).toBeGreaterThan(500);
      if (engine === 'lockstep') expect((rep.meta.market as { snapshots: number }).snapshots).toBeGreaterThan(0);
      else expect((rep.meta.events as { snapshotLevels: number }).snapshotLevels).toBeGreaterThan(0);
      expect(rep.fills.count).toBeGreaterThan(0);
      expect(rep.trades.count).toBeGreaterThan(0);

      // every fill: fee = notional x bps / 10,000 at its liquidity's configured rate (the exchange's
      // 8-decimal rounding, so within 10^-8)
      for (const f of rep.fills.list) {
        const bps = f.liquidity === 'maker' ? MAKER : TAKER;
        expect(compareDecimals(f.notional, mulDecimals(f.price, f.size))).toBe(0);
        expect(Math.abs(Number(f.fee) - (Number(f.notional) * bps) / 10_000)).toBeLessThan(1e-8 + 1e-9 * Number(f.notional));
      }
      expect(rep.fills.maker + rep.fills.taker).toBe(rep.fills.count);
      expect(rep.fills.taker).toBeGreaterThan(0);

      // money is exact decimal strings, and every identity below holds exactly
      const exact = /^-?\d+(\.\d*[1-9])?$/;
      for (const v of [rep.pnl.net, rep.pnl.realized, rep.pnl.unrealized, rep.pnl.fees, rep.risk.maxDrawdown]) expect(v).toMatch(exact);
      // execution's fees are the exchange's fees
      expect(rep.pnl.fees).toBe(sumDecimals(rep.fills.list.map((f) => f.fee)));

      // net P&L = realized - fees + unrealized, and the per-instrument rows add up to it
      expect(rep.pnl.net).toBe(addDecimals(subDecimals(rep.pnl.realized, rep.pnl.fees), rep.pnl.unrealized));
      expect(sumDecimals(rep.instruments.map((i) => i.netPnl))).toBe(rep.pnl.net);
      expect(sumDecimals(rep.instruments.map((i) => i.fees))).toBe(rep.pnl.fees);
      expect(rep.instruments.reduce((a, i) => a + i.fills, 0)).toBe(rep.fills.count);

      // the round trips listed (net of their fees) add up to the win/loss statistics
      if (rep.trades.count <= rep.trades.list.length) expect(sumDecimals(rep.trades.list.map((t) => t.pnl))).toBe(rep.pnl.closedTrades);

      // average cost against the exchange's cash: realized - fees = cash + cost basis (long) or - cost basis (short)
      for (const i of rep.instruments) {
        const held = i.position.startsWith('-') ? subDecimals('0', i.costBasis) : i.costBasis;
        expect(subDecimals(i.realizedPnl, i.fees), i.instrument).toBe(addDecimals(i.exchangeCash, held));
      }
      expect(rep.checks.filter((c) => !c.ok)).toEqual([]);

      // equity curve on the sampling grid, ending at the final equity
      expect(rep.equityCurve.length).toBeGreaterThan(10);
      expect((rep.equityCurve.at(-1) as [number, string])[1]).toBe(rep.pnl.net);
      expect(compareDecimals(rep.risk.maxDrawdown, '0')).toBeGreaterThanOrEqual(0);
      expect(rep.risk.sharpe.intervals).toBe(rep.equityCurve.length - 2);

      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(html).toContain('<svg id="equity-curve"');
      const pts = /<polyline[^>]*points="([^"]+)"/.exec(html)?.[1]?.trim().split(/\s+/) ?? [];
      expect(pts.length).toBe(rep.equityCurve.length);
      expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/);

      if (engine === 'event-time') {
        // the venue keeping every book from the start (not only those of instruments it was sent
        // orders for) gives the same fills and P&L
        const all = join(tmp, 'out-all-books');
        const again = await captured(() =>
          backtest(quiet(), {
            file,
            engine,
            strategy: 'random',
            params: '{"ratePerSecond":8,"seed":3}',
            out: all,
            makerFeeBps: MAKER,
            takerFeeBps: TAKER,
            progress: 'none',
            venueBooks: 'all',
          }),
        );
        expect(again.code, again.err).toBe(0);
        const rep2 = JSON.parse(readFileSync(join(all, 'report.json'), 'utf8')) as BacktestReport;
        expect(rep2.fills.list).toEqual(rep.fills.list);
        expect(rep2.pnl).toEqual(rep.pnl);
        expect((rep.meta.fillModel as { booksKept: number }).booksKept).toBeGreaterThan(1);
      }
    },
    120_000,
  );

  it('exits 2 naming the field on bad input', async () => {
    const cases: [Parameters<typeof backtest>[1], RegExp][] = [
      [{ file: join(tmp, 'nope.tkr'), strategy: 'random' }, /FILE .*does not exist/],
      [{ file, strategy: 'martingale' }, /--strategy must be one of .*random.* or a module path/],
      [{ file, strategy: './missing-strategy.js' }, /--strategy: module .* does not exist/],
      [{ file, strategy: 'random', params: '{"ratePerSecond":' }, /--params must be a JSON object/],
      [{ file, strategy: 'random', params: '{"bogus":1}' }, /--params: .*bogus/],
      [{ file, strategy: 'random', stepMs: 'fast' }, /--step-ms must be a number from 1 to 60000/],
      [{ file, strategy: 'random', progress: 'loud' }, /--progress must be one of auto, bar, log, none/],
      [{ file, strategy: 'random', engine: 'warp' }, /--engine must be one of event-time, lockstep/],
      [{ file, strategy: 'random', queueModel: 'lifo' }, /backtest\.queue\.model.*risk-averse/],
      [{ file, strategy: 'random', entryLatency: -3 }, /--entry-latency must be a number from 0 to 60000/],
      [{ file, strategy: 'random', feedLatency: 'file:/nonexistent/lat.txt' }, /--feed-latency: samples file .* does not exist/],
      [{ file, strategy: 'random', instruments: 'ZZZZ' }, /--instruments: not in the recording: ZZZZ/],
      [{ file: join(ROOT, 'test/fixtures/captures/binance-spot-depth-2021-10-12.cap'), strategy: 'random' }, /--venue is required/],
    ];
    for (const [opts, message] of cases) {
      const r = await captured(() => backtest(quiet(), { out: join(tmp, 'bad'), ...opts }));
      expect(r.code, `${JSON.stringify(opts)}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(existsSync(join(tmp, 'bad'))).toBe(false);
  }, 60_000);
});
