import { STAGES } from '@tickline/runtime';
import { describe, expect, it, vi } from 'vitest';
import { runStageBench } from '../src/bench/stage/stage-bench.js';
import { main } from '../src/main.js';

// Shape and sanity of `tickline bench stage <name> --quick`: every stage's real core processes
// its input both directly and through its worker and rings. Figures are not checked against
// thresholds (timing belongs to the benchmark, not to tests).

const LATENCIES = ['p50Us', 'p99Us', 'p999Us'] as const;

function checkLatencies(m: Record<string, number>, prefix = '') {
  const [p50, p99, p999] = LATENCIES.map((k) => m[prefix === '' ? k : `${prefix}${k[0]?.toUpperCase()}${k.slice(1)}`] as number);
  for (const v of [p50, p99, p999]) expect(Number.isFinite(v) && (v as number) >= 0, `${prefix} latency ${v}`).toBe(true);
  expect(p50 as number).toBeLessThanOrEqual(p99 as number);
  expect(p99 as number).toBeLessThanOrEqual(p999 as number);
}

describe('bench stage', () => {
  for (const stage of STAGES) {
    it(`${stage}: direct and worker results with records processed and finite latencies`, async () => {
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const r = await runStageBench({ stage, runs: 1, quick: true });
      vi.restoreAllMocks();
      expect(r.bench).toBe('stage');
      expect(r.runs).toBe(1);
      expect(r.results.map((x) => x.name)).toEqual([`stage:${stage}:direct`, `stage:${stage}:worker`]);
      for (const res of r.results) {
        expect(Object.keys(res.min)).toEqual(Object.keys(res.median));
        expect(Object.keys(res.max)).toEqual(Object.keys(res.median));
        expect(res.median.recordsPerSec).toBeGreaterThan(0);
        checkLatencies(res.median);
      }
      const [direct, worker] = r.results.map((x) => x.median) as [Record<string, number>, Record<string, number>];
      checkLatencies(worker, 'queue');
      if (stage === 'ingest') {
        expect(direct.offeredPerSec).toBeGreaterThan(0);
        expect(worker.offeredPerSec).toBeGreaterThan(0);
      } else {
        expect(r.results[0]?.params?.records).toBeGreaterThan(0);
        // every stage emits something for its input (views, canonical records, order events...)
        expect(direct.outPerRecord).toBeGreaterThan(0);
        expect(worker.outPerRecord).toBeGreaterThan(0);
        expect(worker.pacedRate).toBeGreaterThan(0);
      }
      if (stage === 'risk') {
        // the input sets up every reject reason; the last one (rate_limited) ends the tape
        expect(direct.rejectReasons).toBe(19);
        expect(direct.approvedShare).toBeGreaterThan(0.5);
      }
      if (stage === 'execution') {
        expect(direct.ordersPerSec).toBeGreaterThan(0);
        expect(worker.ordersPerSec).toBeGreaterThan(0);
        expect(direct.refused).toBe(0);
        expect(worker.refused).toBe(0);
      }
    }, 120_000);
  }

  it('normalize --venue reads a real capture of that dialect', async () => {
    const r = await runStageBench({ stage: 'normalize', runs: 1, quick: true, venue: 'kraken-v1' });
    expect(r.results[0]?.params?.venue).toBe('kraken-v1');
    expect(r.results[0]?.median.outPerRecord).toBeGreaterThan(0);
  }, 120_000);

  it('rejects a stage name it does not know, listing the ones it does (exit 2)', async () => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => {
      err += String(c);
      return true;
    });
    const code = await main(['node', 'tickline', 'bench', 'stage', 'nope', '--quick']);
    const missing = await main(['node', 'tickline', 'bench', 'stage']);
    const venue = await main(['node', 'tickline', 'bench', 'stage', 'normalize', '--venue', 'nasdaq', '--quick']);
    const rate = await main(['node', 'tickline', 'bench', 'stage', 'book', '--rate', '1000', '--quick']);
    const runs = await main(['node', 'tickline', 'bench', 'stage', 'book', '--runs', '2']);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(err).toMatch(/bench stage needs a stage name, one of ingest, normalize, book, signals, risk, execution, got "nope"/);
    expect(missing).toBe(2);
    expect(venue).toBe(2);
    expect(err).toMatch(/--venue must be one of sim, binance-spot, binance-usdm, coinbase-legacy, kraken-v1, okx/);
    expect(rate).toBe(2);
    expect(err).toMatch(/--rate, --rates, --placements and --instruments apply to bench pipeline and overload only/);
    expect(runs).toBe(2);
    expect(err).toMatch(/--runs must be at least 5/);
  });
});
