/**
 * The dashboard's HTTP surface without a browser: access rules (token, Host, Origin, JSON),
 * control commands reaching the stages, 400s that name the field and are counted, secrets kept
 * out of logs, and a /metrics exposition that a strict Prometheus parser accepts.
 */

import { request } from 'node:http';
import { BarStore, type DashboardHandle, type HealthView, type LatencySummary, startDashboard } from '@tickline/dashboard';
import { FakePipeline, parsePrometheusText, recordingLogger, sampleValue } from '@tickline/dashboard/testing';
import { LatencyHistogram, MarketViewTable, snapshotOf } from '@tickline/runtime';
import { InstrumentRegistry } from '@tickline/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const registry = new InstrumentRegistry();
for (const symbol of ['AAPL', 'MSFT', 'BTC-USD'])
  registry.add({ venue: 'sim', symbol, priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
const view = new MarketViewTable(registry.size + 1);
view.writeBook(1, 1, 100, 5, 100.02, 7, 100.01, 0.02, 0.1, Date.now());
view.writeTrades(1, 100.01, 3, 1, Date.now());

const fake = new FakePipeline();
const { log, lines } = recordingLogger();
let dash: DashboardHandle;
let base: string;

beforeAll(async () => {
  dash = await startDashboard({
    host: '127.0.0.1',
    port: 0,
    pipeline: fake,
    marketView: view,
    registry,
    events: fake.events,
    log,
    venue: 'sim',
    statsMs: 100,
    announce: false,
  });
  base = dash.url.replace(/\/$/, '');
});
afterAll(() => dash.close());

const auth = () => ({ authorization: `Bearer ${dash.token}` });
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth(), ...headers },
    body: JSON.stringify(body),
  });

describe('dashboard access rules', () => {
  it('binds loopback and generates a long random token', () => {
    expect(dash.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(dash.token.length).toBeGreaterThanOrEqual(32);
  });

  it('requires the bearer token for API reads and writes', async () => {
    expect((await fetch(`${base}/api/stats`)).status).toBe(401);
    expect((await fetch(`${base}/api/stats`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const ok = await fetch(`${base}/api/instruments`, { headers: auth() });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { instruments: { symbol: string; market: { bid: number } | null }[] };
    expect(body.instruments.map((i) => i.symbol)).toEqual(['AAPL', 'MSFT', 'BTC-USD']);
    expect(body.instruments[0]?.market?.bid).toBe(100);
    const denied = await post('/api/kill-switch', { on: true }, { authorization: '' });
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('TKL_DASH_ERR_UNAUTHORIZED');
  });

  it('refuses cross-origin browser writes, non-JSON bodies and rebound Host names', async () => {
    // the trading panel polls `risk report` on its own: count only the commands a request could cause
    const sent = () => fake.commands.filter((c) => c.command !== 'report').length;
    const before = sent();
    expect((await post('/api/kill-switch', { on: true }, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await post('/api/kill-switch', { on: true }, { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const form = await fetch(`${base}/api/kill-switch`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'on=true',
    });
    expect(form.status).toBe(415);
    // fetch() may not set Host: a DNS-rebinding page reaches us with its own name in it.
    const rebound = await new Promise<number>((resolve, reject) => {
      const u = new URL(base);
      request(
        { host: u.hostname, port: u.port, path: '/api/instruments', headers: { ...auth(), host: 'attacker.example:8080' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      )
        .on('error', reject)
        .end();
    });
    expect(rebound).toBe(421);
    expect(sent()).toBe(before);
  });

  it('answers bad requests with 400 naming the field and the allowed values, and counts them', async () => {
    const cases: [string, unknown, string][] = [
      ['/api/kill-switch', { on: 'yes' }, 'on'],
      ['/api/kill-switch', { on: true, extra: 1 }, 'extra'],
      ['/api/trading-state', { state: 'paused' }, 'state'],
      ['/api/subscriptions', { action: 'subscribe', symbols: ['AAPL', 'NOPE'] }, 'symbols[1]'],
      ['/api/subscriptions', { action: 'follow', symbols: ['AAPL'] }, 'action'],
      ['/api/strategies', { name: 'a b', enabled: true }, 'name'],
    ];
    for (const [path, body, field] of cases) {
      const res = await post(path, body);
      expect(res.status, path).toBe(400);
      const e = ((await res.json()) as { error: { code: string; field: string; allowed: string; message: string } }).error;
      expect(e.code).toBe('TKL_DASH_ERR_BAD_FIELD');
      expect(e.field).toBe(field);
      expect(e.message).toContain(field);
      expect(e.allowed.length).toBeGreaterThan(0);
    }
    const bad = await fetch(`${base}/api/kill-switch`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/json' },
      body: '{nope',
    });
    expect(bad.status).toBe(400);
    const metrics = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(sampleValue(metrics, 'tickline_dashboard_rejected_requests_total', { reason: 'bad_field' })).toBe(cases.length);
    expect(sampleValue(metrics, 'tickline_dashboard_rejected_requests_total', { reason: 'bad_json' })).toBe(1);
  });
});

describe('dashboard control', () => {
  it('sends kill switch, trading state and subscriptions to the stages', async () => {
    fake.commands.length = 0;
    const k = await post('/api/kill-switch', { on: true, reason: 'test' });
    expect(k.status).toBe(200);
    expect(((await k.json()) as { state: string }).state).toBe('halted');
    expect((await post('/api/trading-state', { state: 'REDUCING' })).status).toBe(200);
    expect((await post('/api/subscriptions', { action: 'unsubscribe', symbols: ['sim:MSFT', 'AAPL'] })).status).toBe(200);
    expect(fake.commands.filter((c) => c.command !== 'report')).toEqual([
      { stage: 'risk', command: 'kill-switch', args: { on: true, reason: 'test' } },
      { stage: 'risk', command: 'trading-state', args: { state: 'reducing' } },
      { stage: 'ingest', command: 'unsubscribe', args: { symbols: ['MSFT', 'AAPL'] } },
    ]);
  });

  it("turns a stage's refusal into a 502 carrying the stage's message", async () => {
    const res = await post('/api/strategies', { name: 'imbalance', enabled: false });
    expect(res.status).toBe(502);
    const e = ((await res.json()) as { error: { code: string; message: string } }).error;
    expect(e.code).toBe('TKL_DASH_ERR_COMMAND_FAILED');
    expect(e.message).toContain("unknown command 'strategy'");
  });

  it('serves top of book from the market view when the book stage exposes no depth', async () => {
    const res = await fetch(`${base}/api/book/AAPL`, { headers: auth() });
    const b = (await res.json()) as { source: string; bids: number[][]; asks: number[][] };
    expect(b).toMatchObject({ source: 'market-view', bids: [[100, 5]], asks: [[100.02, 7]] });
    expect((await fetch(`${base}/api/book/NOPE`, { headers: auth() })).status).toBe(404);
  });

  it('logs operator actions but never the token', async () => {
    fake.emit({ event: 'log', data: { level: 'warn', msg: 'x', token: dash.token }, stage: 'risk', partition: 0 });
    const ev = (await (await fetch(`${base}/api/events?since=0`, { headers: auth() })).json()) as {
      entries: { text: string; data: unknown }[];
    };
    expect(ev.entries.some((e) => e.text.includes('kill switch ON'))).toBe(true);
    expect(JSON.stringify(ev.entries)).not.toContain(dash.token);
    expect(lines.some((l) => l.includes('operator action'))).toBe(true);
    expect(lines.join('\n')).not.toContain(dash.token);
  });
});

describe('dashboard metrics', () => {
  it('exposes tickline_ metrics in valid Prometheus text, fed from stage stats', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const text = await (await fetch(`${base}/metrics`)).text();
    const m = parsePrometheusText(text);
    for (const name of m.keys()) expect(name.startsWith('tickline_'), name).toBe(true);
    for (const f of m.values()) if (f.type === 'counter') expect(f.name.endsWith('_total'), f.name).toBe(true);
    expect(sampleValue(m, 'tickline_stage_records_total', { stage: 'risk', outcome: 'processed' })).toBeGreaterThan(0);
    expect(sampleValue(m, 'tickline_ring_occupancy_ratio', { edge: 'book->signals' })).toBe(0.25);
    expect(sampleValue(m, 'tickline_ring_dropped_records_total', { edge: 'book->signals', reason: 'drop-oldest' })).toBe(1);
    expect(sampleValue(m, 'tickline_risk_rejects_total', { reason: 'halted' })).toBe(2);
    expect(sampleValue(m, 'tickline_feed_connections_up', { venue: 'sim' })).toBe(1);
    expect(sampleValue(m, 'tickline_feed_heartbeat_timeouts_total', { venue: 'sim' })).toBe(2);
    expect(sampleValue(m, 'tickline_feed_heartbeat_silence_ms_total', { venue: 'sim' })).toBe(2610);
    expect(sampleValue(m, 'tickline_process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(m.has('tickline_nodejs_eventloop_lag_seconds')).toBe(true);
    // No label names an instrument.
    for (const f of m.values()) for (const s of f.samples) expect(Object.values(s.labels)).not.toContain('AAPL');
  });

  it('keeps counters monotonic across a worker restart and merges latency histograms', async () => {
    let phase = 0;
    const stage = (processed: number, buckets: Record<string, number>) => ({
      workers: [
        { group: 'g', partition: 0, busyRatio: 0, stages: [{ stage: 'signals', processed, emitted: 0, dropped: {}, core: buckets }] },
      ],
      restarts: phase,
    });
    const hist = (n: number) => ({
      'latencyNs.tickToDecision.count': n,
      'latencyNs.tickToDecision.sum': n * 20_000,
      'latencyNs.tickToDecision.b179': n,
    });
    const saved = fake.statsValue;
    fake.statsValue = () => (phase === 0 ? stage(1000, hist(10)) : stage(50, hist(4)));
    await new Promise((r) => setTimeout(r, 300));
    const a = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    phase = 1; // the partition restarted: its counters begin again from zero
    await new Promise((r) => setTimeout(r, 300));
    const b = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    fake.statsValue = saved;
    const pa = sampleValue(a, 'tickline_stage_records_total', { stage: 'signals', outcome: 'processed' }) as number;
    const pb = sampleValue(b, 'tickline_stage_records_total', { stage: 'signals', outcome: 'processed' }) as number;
    expect(pb).toBe(pa + 50);
    expect(sampleValue(b, 'tickline_tick_to_decision_seconds_count', { stage: 'signals' })).toBe(14);
    expect(sampleValue(b, 'tickline_tick_to_decision_seconds_bucket', { stage: 'signals', le: '0.000025' })).toBe(14);
    expect(sampleValue(b, 'tickline_tick_to_decision_seconds_bucket', { stage: 'signals', le: '0.00001' })).toBe(0);
    expect(sampleValue(b, 'tickline_worker_restarts_total')).toBe(1);
  });
});

describe('queueing delay and service time', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const json = async <T>(path: string) => (await (await fetch(`${base}${path}`, { headers: auth() })).json()) as T;
  type StatsAnswer = { latency: { queueDelay: Record<string, LatencySummary>; serviceTime: Record<string, LatencySummary> } };

  it('exports them as Prometheus histograms by edge and by stage, and as percentiles on /api/stats and /api/health', async () => {
    await sleep(300);
    const m = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(m.get('tickline_queue_delay_seconds')?.type).toBe('histogram');
    expect(m.get('tickline_service_time_seconds')?.type).toBe('histogram');
    const edge = { edge: 'book->signals' };
    const n = sampleValue(m, 'tickline_queue_delay_seconds_count', edge) as number;
    expect(n).toBeGreaterThanOrEqual(200);
    // every record waited 20 µs: all under the 25 µs bound, none under 10 µs
    expect(sampleValue(m, 'tickline_queue_delay_seconds_bucket', { ...edge, le: '0.000025' })).toBe(n);
    expect(sampleValue(m, 'tickline_queue_delay_seconds_bucket', { ...edge, le: '0.00001' })).toBe(0);
    expect(sampleValue(m, 'tickline_queue_delay_seconds_sum', edge)).toBeCloseTo(n * 20e-6, 9);
    const risk = sampleValue(m, 'tickline_service_time_seconds_count', { stage: 'risk' }) as number;
    expect(risk).toBe(n);
    expect(sampleValue(m, 'tickline_service_time_seconds_bucket', { stage: 'risk', le: '0.0001' })).toBe(risk);
    expect(sampleValue(m, 'tickline_service_time_seconds_bucket', { stage: 'risk', le: '0.00005' })).toBe(0);
    expect(sampleValue(m, 'tickline_service_time_seconds_count', { stage: 'ingest' })).toBe(0);
    // bounded labels: one series per edge or stage, nothing else
    for (const name of ['tickline_queue_delay_seconds', 'tickline_service_time_seconds'])
      for (const s of m.get(name)?.samples ?? []) expect(Object.keys(s.labels).filter((k) => k !== 'le')).toHaveLength(1);

    const stats = await json<StatsAnswer>('/api/stats');
    expect(stats.latency.queueDelay['book->signals']).toMatchObject({ count: expect.any(Number), maxMs: 0.02 });
    expect(stats.latency.queueDelay['book->signals']?.p99Ms).toBeCloseTo(0.02, 3);
    expect(stats.latency.serviceTime.risk?.p50Ms).toBeCloseTo(0.05, 3);
    expect(stats.latency.serviceTime.ingest).toEqual({ count: 0, p50Ms: null, p99Ms: null, p999Ms: null, maxMs: null });

    const { health } = await json<{ health: HealthView }>('/api/health');
    expect(health.timing.windowS).toBeGreaterThan(0);
    const [e] = health.timing.edges;
    expect(e).toMatchObject({ edge: 'book->signals', occupancy: 0.25, bottleneck: true });
    expect(e?.window?.count).toBeGreaterThan(0);
    expect(e?.perSec).toBeGreaterThan(0);
    const stage = (name: string) => health.timing.stages.find((s) => s.stage === name);
    expect(stage('risk')).toMatchObject({ bottleneck: true });
    expect(stage('risk')?.busy).toBeGreaterThan(0);
    expect(stage('ingest')).toMatchObject({ busy: null, total: null, bottleneck: false });
  });

  it('keeps the histograms monotonic when one of several partitions restarts', async () => {
    const snap = (delays: number[]) => {
      const h = new LatencyHistogram();
      for (const d of delays) h.record(d);
      return snapshotOf(h);
    };
    const times = (n: number, ns: number) => new Array<number>(n).fill(ns);
    const worker = (partition: number, threadId: number, delays: number[]) => ({
      group: 'signals',
      partition,
      threadId,
      busyRatio: 0,
      stages: [],
      queueDelay: { 'book->signals': snap(delays) },
      serviceTime: { signals: snap(delays) },
    });
    let phase = 0;
    const saved = fake.statsValue;
    // no merged maps at the top: the dashboard merges the workers' own
    fake.statsValue = () => ({
      restarts: phase,
      workers:
        phase === 0
          ? [worker(0, 5, times(10, 20_000)), worker(1, 6, times(5, 20_000))]
          : [worker(0, 7, times(3, 2e6)), worker(1, 6, times(8, 20_000))], // partition 0 restarted on a new thread
    });
    try {
      await sleep(300);
      const a = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
      phase = 1;
      await sleep(300);
      const b = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
      const stats = await json<StatsAnswer>('/api/stats');
      const edge = { edge: 'book->signals' };
      const count = (m: typeof a) => sampleValue(m, 'tickline_queue_delay_seconds_count', edge) as number;
      expect(count(b) - count(a)).toBe(3 + 3); // the restarted partition's 3, the other's 8 - 5
      for (const le of ['0.000025', '0.0025', '+Inf'])
        expect(sampleValue(b, 'tickline_queue_delay_seconds_bucket', { ...edge, le }) as number).toBeGreaterThanOrEqual(
          sampleValue(a, 'tickline_queue_delay_seconds_bucket', { ...edge, le }) as number,
        );
      const slow = (m: typeof a) =>
        (sampleValue(m, 'tickline_queue_delay_seconds_bucket', { ...edge, le: '0.0025' }) as number) -
        (sampleValue(m, 'tickline_queue_delay_seconds_bucket', { ...edge, le: '0.001' }) as number);
      expect(slow(b) - slow(a)).toBe(3);
      expect(sampleValue(b, 'tickline_service_time_seconds_count', { stage: 'signals' })).toBe(21);
      // /api/stats reports what the workers hold now, since each started
      expect(stats.latency.queueDelay['book->signals']).toMatchObject({ count: 11, maxMs: 2 });
    } finally {
      fake.statsValue = saved;
    }
  });
});

describe('prometheus text parser', () => {
  it('rejects malformed expositions', () => {
    const bad = [
      'x 1\n', // no TYPE
      '# TYPE x counter\nx -1\n',
      '# TYPE x gauge\nx{a="1",a="2"} 1\n',
      '# TYPE x gauge\nx{a=1} 1\n',
      '# TYPE x gauge\nx 1\nx 2\n',
      '# TYPE x gauge\nx abc\n',
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n',
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_count 1\n', // no _sum
      '# TYPE h histogram\nh_bucket{e="a",le="+Inf"} 1\nh_count{e="a"} 1\nh_sum{e="a"} 1\nh_count{e="b"} 1\n', // _count without buckets
      '# TYPE h histogram\nh_bucket{le="x"} 1\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n', // le not a number
      '# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_count{le="1"} 1\nh_sum 0\n', // le on _count
      '# TYPE h histogram\nh_bucket{le="2"} 1\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 1\nh_count 1\nh_sum 0\n', // le decreasing
      '# TYPE x gauge\nx 1',
    ];
    for (const t of bad) expect(() => parsePrometheusText(t), JSON.stringify(t)).toThrow();
    expect(parsePrometheusText('# HELP x help\n# TYPE x gauge\nx{a="q\\"x"} 1.5e3\n').get('x')?.samples[0]).toEqual({
      name: 'x',
      labels: { a: 'q"x' },
      value: 1500,
    });
  });
});

describe('sampled bars', () => {
  it('keeps a bounded ring of OHLC bars per instrument, oldest first', () => {
    const store = new BarStore(1, 10);
    let volume = 0;
    const prices: number[] = [];
    for (let i = 0; i < 100; i++) {
      const px = 100 + Math.sin(i) * 5;
      prices.push(px);
      volume += 2;
      store.sample(7, px, volume, 1_000_000 + i * 250); // 4 samples per 1 s bar
    }
    const bars = store.bars(7);
    expect(bars.length).toBe(10);
    for (let k = 1; k < bars.length; k++) expect((bars[k]?.time as number) - (bars[k - 1]?.time as number)).toBe(1);
    const last = bars[bars.length - 1];
    const lastPrices = prices.slice(-4);
    expect(last).toMatchObject({
      open: lastPrices[0],
      close: lastPrices[3],
      high: Math.max(...lastPrices),
      low: Math.min(...lastPrices),
      volume: 8,
    });
    expect(store.bars(8)).toEqual([]);
  });
});
