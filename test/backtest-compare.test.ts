/**
 * `tickline backtest compare A B`: two real backtests of one recording (the random strategy with
 * different seeds and rates) are compared; every figure and difference is checked against the two
 * reports (money exactly), the command line dispatches `backtest compare` with its own --out and
 * --json, bad input exits 2 naming A or B, and compare.html shows both curves in chromium.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium, launchChromium } from '@tickline/dashboard/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, record } from '@tickline/cli';
import { compareDecimals, subDecimals } from '@tickline/wire';
import type { Comparison } from '../packages/cli/src/backtest/compare.js';
import type { BacktestReport } from '../packages/cli/src/backtest/report.js';
import { backtest } from '../packages/cli/src/commands/backtest.js';
import { backtestCompare } from '../packages/cli/src/commands/backtest-compare.js';
import { captured } from './capture-output.js';
import { TicklineProcess } from './tickline-process.js';

const tmp = mkdtempSync(join(tmpdir(), 'tkl-compare-test-'));
const file = join(tmp, 'sim.tkr');
const quiet = () => loadConfig({ exchange: { instruments: 8 } }, { 'log.level': 'silent' }, 'test');
const readReport = (dir: string) => JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as BacktestReport;
const found = findChromium();

describe('tickline backtest compare', () => {
  let A: BacktestReport;
  let B: BacktestReport;
  const dirA = join(tmp, 'a');
  const dirB = join(tmp, 'b');

  beforeAll(async () => {
    const rec = await captured(() => record(quiet(), { out: file, durationS: 3, summary: 'json' }));
    expect(rec.code, rec.err).toBe(0);
    for (const [out, params] of [
      [dirA, '{"ratePerSecond":8,"seed":3}'],
      [dirB, '{"ratePerSecond":14,"seed":11}'],
    ] as const) {
      const run = await captured(() => backtest(quiet(), { file, strategy: 'random', params, out, progress: 'none' }));
      expect(run.code, run.err).toBe(0);
    }
    A = readReport(dirA);
    B = readReport(dirB);
    expect(A.fills.count).toBeGreaterThan(0);
    expect(B.fills.count).toBeGreaterThan(0);
  }, 180_000);

  it('writes every difference, exact for money, as the two reports give them', async () => {
    const out = join(tmp, 'cmp');
    const r = await captured(() => backtestCompare({ a: dirA, b: join(dirB, 'report.json'), out }));
    expect(r.code, r.err).toBe(0);
    const c = JSON.parse(readFileSync(join(out, 'compare.json'), 'utf8')) as Comparison;
    const fig = (name: string) => {
      const f = c.figures.find((x) => x.figure === name);
      expect(f, name).toBeDefined();
      return f as Comparison['figures'][number];
    };
    const moneyPairs: [string, string, string][] = [
      ['net P&L', A.pnl.net, B.pnl.net],
      ['realized P&L', A.pnl.realized, B.pnl.realized],
      ['unrealized P&L', A.pnl.unrealized, B.pnl.unrealized],
      ['fees', A.pnl.fees, B.pnl.fees],
      ['max drawdown', A.risk.maxDrawdown, B.risk.maxDrawdown],
    ];
    for (const [name, a, b] of moneyPairs) {
      expect(fig(name), name).toMatchObject({ kind: 'money', a, b, diff: subDecimals(b, a) });
      // exact: a + diff = b to the last digit
      expect(compareDecimals(subDecimals(b, fig(name).diff as string), a)).toBe(0);
    }
    const counts: [string, number, number][] = [
      ['fills', A.fills.count, B.fills.count],
      ['maker fills', A.fills.maker, B.fills.maker],
      ['taker fills', A.fills.taker, B.fills.taker],
      ['round trips', A.trades.count, B.trades.count],
    ];
    for (const [name, a, b] of counts) expect(fig(name), name).toMatchObject({ a, b, diff: b - a });
    expect(fig('win rate')).toMatchObject({ a: A.trades.winRate, b: B.trades.winRate });
    expect(fig('Sharpe per interval')).toMatchObject({ a: A.risk.sharpe.perInterval, b: B.risk.sharpe.perInterval });
    // different strategy parameters: the runs differ
    expect(c.figures.some((f) => f.diff !== 0 && f.diff !== '0')).toBe(true);

    // per instrument: every instrument of either run, net P&L and fills of each, differences exact
    const names = new Set([...A.instruments, ...B.instruments].map((i) => i.instrument));
    expect(new Set(c.instruments.map((i) => i.instrument))).toEqual(names);
    for (const row of c.instruments) {
      const a = A.instruments.find((i) => i.instrument === row.instrument);
      const b = B.instruments.find((i) => i.instrument === row.instrument);
      expect(row.netPnl).toEqual({ a: a?.netPnl ?? '0', b: b?.netPnl ?? '0', diff: subDecimals(b?.netPnl ?? '0', a?.netPnl ?? '0') });
      expect(row.fills).toEqual({ a: a?.fills ?? 0, b: b?.fills ?? 0, diff: (b?.fills ?? 0) - (a?.fills ?? 0) });
    }
    expect(c.curves).toEqual({ a: A.equityCurve, b: B.equityCurve });

    // the table on stdout carries the same figures
    expect(r.out).toMatch(new RegExp(`net P&L\\s+${esc(A.pnl.net)}\\s+${esc(B.pnl.net)}`));
    expect(r.out).toMatch(new RegExp(`\\n\\s*fills\\s+${A.fills.count}\\s+${B.fills.count}\\s`));

    const html = readFileSync(join(out, 'compare.html'), 'utf8');
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    for (const [id, curve] of [
      ['curve-a', A.equityCurve],
      ['curve-b', B.equityCurve],
    ] as const) {
      const pts = new RegExp(`<polyline id="${id}"[^>]*points="([^"]+)"`).exec(html)?.[1]?.trim().split(/\s+/) ?? [];
      expect(pts.length, id).toBe(curve.length);
    }
  }, 60_000);

  it('runs from the command line: backtest compare A B --out DIR --json', async () => {
    const out = join(tmp, 'cli');
    const p = new TicklineProcess(['backtest', 'compare', dirA, dirB, '--out', out, '--json']);
    expect(await p.exited, p.stderr).toBe(0);
    const c = JSON.parse(p.stdout) as Comparison;
    expect(c.figures[0]).toMatchObject({ figure: 'net P&L', a: A.pnl.net, b: B.pnl.net });
    expect(existsSync(join(out, 'compare.html'))).toBe(true);
  }, 60_000);

  it('exits 2 naming the argument on bad input', async () => {
    const notReport = join(tmp, 'not-report.json');
    writeFileSync(notReport, '{"hello":1}');
    const garbage = join(tmp, 'garbage.json');
    writeFileSync(garbage, 'nope{');
    const empty = join(tmp, 'empty-dir');
    mkdirSync(empty, { recursive: true });
    const otherVersion = join(tmp, 'v0.json');
    writeFileSync(otherVersion, JSON.stringify({ ...A, schemaVersion: 0 }));
    const cases: [string, string, RegExp][] = [
      [join(tmp, 'missing'), dirB, /^tickline backtest compare: A: .*missing does not exist/],
      [dirA, join(tmp, 'missing'), /^tickline backtest compare: B: .*missing does not exist/],
      [dirA, notReport, /B: .*not-report\.json is not a backtest report \(missing meta, pnl/],
      [garbage, dirB, /A: .*garbage\.json is not a backtest report \(not JSON/],
      [dirA, empty, /B: .*empty-dir is a directory without a report\.json/],
      [otherVersion, dirB, /A: .*v0\.json has report schema version 0; this tickline compares version 1/],
    ];
    for (const [a, b, message] of cases) {
      const out = join(tmp, 'bad');
      const r = await captured(() => backtestCompare({ a, b, out }));
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  });

  it.skipIf(!('path' in found))(
    'compare.html shows both equity curves in chromium',
    async () => {
      const out = join(tmp, 'cmp-browser');
      expect((await captured(() => backtestCompare({ a: dirA, b: dirB, out }))).code).toBe(0);
      const browser = await launchChromium((found as { path: string }).path);
      try {
        const page = await browser.context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(e.message));
        await page.goto(`file://${join(out, 'compare.html')}`);
        for (const [id, curve] of [
          ['#curve-a', A.equityCurve],
          ['#curve-b', B.equityCurve],
        ] as const) {
          const el = page.locator(id);
          await el.waitFor({ state: 'visible' });
          const box = await el.boundingBox();
          expect(box, id).not.toBeNull();
          // drawn across the chart: the curve spans most of the width
          expect((box as { width: number }).width, id).toBeGreaterThan(300);
          const n = await el.evaluate((e) => (e as unknown as { points: { numberOfItems: number } }).points.numberOfItems);
          expect(n, id).toBe(curve.length);
        }
        // two different colours
        const strokes = await page.$$eval('#compare-curves polyline', (els) =>
          els.map((e) => (globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string } }).getComputedStyle(e).stroke),
        );
        expect(strokes.every((s) => s !== 'none' && s !== '')).toBe(true);
        expect(new Set(strokes).size).toBe(2);
        mkdirSync(join(tmp, 'shots'), { recursive: true });
        await page.screenshot({ path: join(tmp, 'shots', 'compare.png'), fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
    60_000,
  );
});

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
