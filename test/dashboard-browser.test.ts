/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) on a live
 * pipeline: the embedded exchange feeding the real ingest, normalize, book, signals and risk
 * stages; and the trading view on a real execution core's fills, showing exact decimals.
 * Screenshots go to test-artifacts/dashboard/.
 */

import { mkdirSync } from 'node:fs';
import { type DashboardHandle, startDashboard } from '@tickline/dashboard';
import {
  findChromium,
  type LaunchedBrowser,
  launchChromium,
  type Page,
  parsePrometheusText,
  recordingLogger,
  sampleValue,
} from '@tickline/dashboard/testing';
import { ExecutionCore, MemoryJournal, resolveExecutionConfig } from '@tickline/execution';
import { InstrumentRegistry, type InstrumentSpec } from '@tickline/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LivePipeline, startLivePipeline } from './dashboard-harness.js';
import { AcceptingVenue, ExecutionReportPipeline, FillDriver, NOW, startTradingDashboard } from './execution-fills.js';

const ARTIFACTS = new URL('../test-artifacts/dashboard/', import.meta.url).pathname;
const found = findChromium();
if (!('path' in found)) console.warn(`dashboard browser tests skipped: ${found.reason}`);

/** Chromium on the dashboard, signed in with its token; page errors go to `errors`. */
async function openDashboard(dash: DashboardHandle, errors: string[]): Promise<{ browser: LaunchedBrowser; page: Page }> {
  const browser = await launchChromium((found as { path: string }).path);
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${dash.url}#token=${dash.token}`);
  return { browser, page };
}

describe.skipIf(!('path' in found))('dashboard in a real browser on a live pipeline', () => {
  let live: LivePipeline;
  let dash: DashboardHandle;
  let browser: LaunchedBrowser;
  let page: Page;
  const errors: string[] = [];
  const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}${name}.png` });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    live = await startLivePipeline({ instruments: 600, eventsPerSecond: 6000 });
    dash = await startDashboard({
      host: '127.0.0.1',
      port: 0,
      pipeline: live.pipeline,
      marketView: live.marketView,
      registry: live.registry,
      events: live.events,
      log: recordingLogger().log,
      venue: 'sim',
      barSeconds: 1,
      announce: false,
    });
    ({ browser, page } = await openDashboard(dash, errors));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
    await live?.stop();
  });

  // Checks go through locators polled from here: the page's CSP forbids eval, so no string predicates.
  const poll = <T>(fn: () => Promise<T>, timeout = 10_000) => expect.poll(fn, { timeout, interval: 100 });
  const text = (sel: string) => page.textContent(sel).then((t) => t ?? '');
  const rows = {
    count: () => page.locator('#market-body .grid-row').count(),
    texts: () => page.locator('#market-body .grid-row').allTextContents(),
  };
  const visibleSymbols = async (max: number) => {
    const shown = page.locator('#market-body .grid-row:visible');
    const n = Math.min(max, await shown.count());
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push((await shown.nth(i).getAttribute('data-symbol')) ?? '');
    return out;
  };
  const tradingState = () => page.getAttribute('#trading-state', 'data-state');

  it('loads the market overview of every instrument, virtualized, and its numbers change live', async () => {
    await poll(() => rows.count(), 20_000).toBeGreaterThan(10);
    await poll(() => text('#market-count'), 20_000).toMatch(/^600 of 600 instruments · [1-9]/);
    // not a paper run: no PAPER badge (test/paper-trading.test.ts checks it shows in one)
    expect(await page.locator('#paper').isVisible()).toBe(false);
    // The token left the address bar and lives in sessionStorage.
    expect(new URL(page.url()).hash).not.toContain('token');
    const stored = await page.evaluate(() =>
      (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('tickline.token'),
    );
    expect(stored).toBe(dash.token);
    // Virtualized: a screenful of row elements for 600 instruments.
    expect(await rows.count()).toBeLessThan(80);
    const first = (await rows.texts()).join('\n');
    await poll(async () => (await rows.texts()).join('\n')).not.toBe(first);
    await page.click('#market-head [data-key="symbol"]');
    await page.waitForTimeout(100);
    const sorted = await visibleSymbols(20);
    expect(sorted.length).toBe(20);
    expect(sorted).toEqual([...sorted].sort((a, b) => a.localeCompare(b)));
    await shot('market-overview');
    await page.fill('#filter', 'AAPL');
    await poll(() => text('#market-count')).toMatch(/^1 of 600/);
    expect(await visibleSymbols(10)).toEqual(['AAPL']);
    await page.fill('#filter', '');
  });

  it('draws the instrument chart and book from live bars', async () => {
    await page.click('#market-body .grid-row[data-symbol]');
    await poll(async () => new URL(page.url()).hash).toMatch(/^#\/i\//);
    const symbol = decodeURIComponent(new URL(page.url()).hash.slice(4));
    await poll(async () => Number((await page.getAttribute('#chart', 'data-bars')) ?? 0), 20_000).toBeGreaterThanOrEqual(2);
    expect(await page.locator('#chart canvas').count()).toBeGreaterThan(0);
    expect(await text('#inst-symbol')).toBe(symbol);
    await poll(() => page.locator('#ladder tbody tr').count()).toBeGreaterThanOrEqual(2);
    await poll(() => text('#inst-quote')).toMatch(/bid \d/);
    // Candles drawn on the background compress worse than an empty chart.
    const png = await page.locator('#chart').screenshot({ path: `${ARTIFACTS}instrument-chart.png` });
    expect(png.length).toBeGreaterThan(5000);
    await shot('instrument');
  });

  it('kill switch halts trading in the risk stage, and release resumes it', async () => {
    const report = async () => (await live.pipeline.command('risk', 'report', {})) as { state: string; haltReasons: string[] }[];
    expect((await report()).every((r) => r.state === 'active')).toBe(true);
    await page.goto(`${dash.url}#/health`);
    await poll(tradingState).toBe('active');
    await page.click('#kill');
    expect(await text('#kill')).toContain('confirm');
    await page.click('#kill');
    await poll(tradingState).toBe('halted');
    const halted = await report();
    expect(halted.length).toBeGreaterThan(0);
    for (const r of halted) expect(r).toMatchObject({ state: 'halted', haltReasons: expect.arrayContaining(['kill_switch']) });
    await page.waitForTimeout(1200);
    await shot('health-halted');
    await page.goto(`${dash.url}#/events`);
    await poll(() => text('#event-log')).toMatch(/trading state HALTED \(kill_switch\)/);
    await shot('events');
    await page.click('#kill');
    await page.click('#kill');
    await poll(tradingState).toBe('active');
    expect((await report()).every((r) => r.state === 'active')).toBe(true);
    await page.goto(`${dash.url}#/trading`);
    await page.waitForTimeout(1200);
    await shot('trading');
  });

  it('shows where the time goes: service time per stage, queueing delay per edge, the bottleneck marked', async () => {
    await page.goto(`${dash.url}#/health`);
    const cells = (sel: string) => page.locator(`${sel} td`).allTextContents();
    const num = (t: string | undefined) => Number((t ?? '').replace(/,/g, ''));
    const stageRow = (s: string) => `#service-time tr[data-stage="${s}"]`;
    const edgeRow = '#queue-delay tr[data-edge="book->signals"]';
    // the window needs two polls; then every stage behind a ring or a fused call has figures
    await poll(() => text('#timing-window'), 20_000).toMatch(/last \d/);
    for (const s of ['normalize', 'book', 'signals', 'risk']) {
      await poll(async () => (await cells(stageRow(s)))[4], 20_000).toMatch(/^\d/);
      const c = await cells(stageRow(s));
      // Stage, Records/s, Busy, p50, p99, p99.9 (window), p99 since start, max
      const [p50, p99, p999] = c.slice(3, 6).map(num) as [number, number, number];
      expect(p50, s).toBeGreaterThan(0);
      expect(p50 <= p99 && p99 <= p999, `${s}: ${c.join(' | ')}`).toBe(true);
      expect(c[1], s).toMatch(/[1-9]/);
      expect(c[2], s).toMatch(/^\d+\.\d%$/);
      expect(num(c[7])).toBeGreaterThanOrEqual(num(c[6]));
    }
    expect(await cells(stageRow('ingest'))).toContain('–'); // a source: nothing to time
    await poll(async () => (await cells(edgeRow))[4], 20_000).toMatch(/^\d/);
    const e = await cells(edgeRow);
    // Edge, Records/s, Occupancy, p50, p99, p99.9 (window), since start "p50 / p99 / p99.9"
    expect(num(e[3])).toBeGreaterThan(0);
    expect(num(e[3]) <= num(e[4]) && num(e[4]) <= num(e[5]), e.join(' | ')).toBe(true);
    expect(e[1]).toMatch(/[1-9]/);
    const total = (e[6] ?? '').split(' / ').map(num);
    expect(total).toHaveLength(3);
    expect(total[0] as number).toBeGreaterThan(0);
    // the one ring edge is the bottleneck edge; the bottleneck stage is the busiest one shown
    expect(await page.getAttribute(edgeRow, 'class')).toBe('bottleneck');
    const marked = page.locator('#service-time tr.bottleneck');
    await poll(() => marked.count()).toBe(1);
    const rows = await page.locator('#service-time tbody tr').all();
    const busy: [string, number][] = [];
    for (const r of rows) {
      const c = await r.locator('td').allTextContents();
      if (/%$/.test(c[2] ?? '')) busy.push([(await r.getAttribute('data-stage')) ?? '', num((c[2] as string).slice(0, -1))]);
    }
    const top = Math.max(...busy.map(([, b]) => b));
    const name = await marked.getAttribute('data-stage');
    expect(busy.find(([s]) => s === name)?.[1]).toBe(top);
    expect(await text('#health-cards')).toContain(`Bottleneck stage${name}`);
    // the table lists the stages the pipeline reports
    const api = (await (await fetch(`${dash.url}api/health`, { headers: { authorization: `Bearer ${dash.token}` } })).json()) as {
      health: { timing: { stages: { stage: string }[] } };
    };
    expect(busy.length).toBeGreaterThanOrEqual(4);
    expect(rows.length).toBe(api.health.timing.stages.length);
    await shot('health-timing');
  });

  it('exposes live pipeline figures on /metrics in valid Prometheus text', async () => {
    const m = parsePrometheusText(await (await fetch(`${dash.url}metrics`)).text());
    expect(sampleValue(m, 'tickline_stage_records_total', { stage: 'book', outcome: 'processed' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'tickline_book_instruments', { state: 'live' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'tickline_feed_connections_up', { venue: 'sim' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'tickline_risk_halts_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(m, 'tickline_dashboard_commands_total', { stage: 'risk', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    // where the time goes, from the running workers: the ring edge and the stages on either side of it
    expect(sampleValue(m, 'tickline_queue_delay_seconds_count', { edge: 'book->signals' })).toBeGreaterThan(0);
    for (const stage of ['normalize', 'book', 'signals', 'risk'])
      expect(sampleValue(m, 'tickline_service_time_seconds_count', { stage }), stage).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

describe.skipIf(!('path' in found))('dashboard trading view in a real browser: exact decimals', () => {
  let dash: DashboardHandle;
  let browser: LaunchedBrowser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const registry = new InstrumentRegistry();
    registry.add({ venue: 'sim', symbol: 'ETH-USD', priceScale: 2, sizeScale: 4, tickSize: 5, lotSize: 10 });
    registry.add({ venue: 'sim', symbol: 'BTC-USD', priceScale: 2, sizeScale: 8, tickSize: 1, lotSize: 1000 });
    const [eth, btc] = registry.list() as [InstrumentSpec, InstrumentSpec];
    const core = new ExecutionCore(resolveExecutionConfig({}), registry, new AcceptingVenue(), new MemoryJournal(), { clock: () => NOW });
    const d = new FillDriver(core);
    // 0.003 + 0.010 ETH: a sum of doubles would show 0.013000000000000001
    d.fill(d.order(eth, 1, 0, 30), eth, 300_005, 30, '0.00000007');
    d.fill(d.order(eth, 2, 0, 100), eth, 300_005, 100, '0.00000007');
    // a short of 0.00007 BTC: a double would show -7.000000000000001e-05
    d.fill(d.order(btc, 3, 1, 7000), btc, 6_000_001, 7000, '0.00000042');
    const pipeline = new ExecutionReportPipeline();
    pipeline.cores = [core];
    dash = await startTradingDashboard(registry, pipeline);
    ({ browser, page } = await openDashboard(dash, errors));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await dash?.close();
  });

  it('shows quantities, prices, P&L and fees exactly as the fills add up', async () => {
    await page.goto(`${dash.url}#/trading`);
    const rows = () => page.locator('#positions tbody tr').allTextContents();
    await expect.poll(rows, { timeout: 10_000, interval: 100 }).toHaveLength(2);
    const cells = async (symbol: string) => {
      const row = page.locator('#positions tbody tr', { hasText: symbol });
      return row.locator('td').allTextContents();
    };
    // Instrument, Qty, Avg, Mark, Unrealized, Realized
    expect(await cells('ETH-USD')).toEqual(['ETH-USD', '0.013', '3000.05', '3000.05', '+0', '+0']);
    expect(await cells('BTC-USD')).toEqual(['BTC-USD', '-0.00007', '60000.01', '60000.01', '+0', '+0']);
    const cards = (await page.locator('#trading-cards').textContent()) ?? '';
    // equity = -(fees 0.00000007 + 0.00000007 + 0.00000042)
    expect(cards).toContain('-0.00000056');
    expect(cards).not.toMatch(/e-|0000000000\d/);
    await page.screenshot({ path: `${ARTIFACTS}trading-exact.png` });
    expect(errors).toEqual([]);
  });
});
