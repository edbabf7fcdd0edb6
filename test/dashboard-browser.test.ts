/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core) on a live
 * pipeline: the embedded exchange feeding the real ingest, normalize, book, signals and risk
 * stages. Screenshots go to test-artifacts/dashboard/.
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LivePipeline, startLivePipeline } from './dashboard-harness.js';

const ARTIFACTS = new URL('../test-artifacts/dashboard/', import.meta.url).pathname;
const found = findChromium();
if (!('path' in found)) console.warn(`dashboard browser tests skipped: ${found.reason}`);

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
    browser = await launchChromium((found as { path: string }).path);
    page = await browser.context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${dash.url}#token=${dash.token}`);
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

  it('exposes live pipeline figures on /metrics in valid Prometheus text', async () => {
    const m = parsePrometheusText(await (await fetch(`${dash.url}metrics`)).text());
    expect(sampleValue(m, 'tickline_stage_records_total', { stage: 'book', outcome: 'processed' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'tickline_book_instruments', { state: 'live' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'tickline_feed_connections_up', { venue: 'sim' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'tickline_risk_halts_total')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(m, 'tickline_dashboard_commands_total', { stage: 'risk', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(errors).toEqual([]);
  });
});
