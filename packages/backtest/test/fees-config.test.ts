import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Prng } from '@tickline/exchange';
import { bigPow10, moneyScale } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import {
  createLatencyModel,
  createLocalVenue,
  FillModelConfigError,
  feeRatesFor,
  fillFee,
  instrumentClass,
  LatencyFileError,
  parseLatencySamples,
  rateUnits,
  resolveFillModelConfig,
  validateFillModelConfig,
} from '../src/index.js';
import { levels, order, registry } from './helpers.js';

/** Independent reference: |n| x units / 10^8, half away from zero, all in BigInt. */
function refFee(ps: number, ss: number, price: number, size: number, bps: number): bigint {
  const ms = Math.max(ps + ss, 8);
  const num = BigInt(price) * BigInt(size) * bigPow10(ms - ps - ss) * BigInt(Math.round(bps * 10_000));
  const den = 100_000_000n;
  const a = num < 0n ? -num : num;
  const q = (2n * a + den) / (2n * den);
  return num < 0n ? -q : q;
}

describe('fees', () => {
  it('fillFee is exact: equal to a BigInt reference over random prices, sizes, scales and rates (both code paths)', () => {
    const rnd = new Prng(99);
    let big = 0;
    for (let i = 0; i < 20_000; i++) {
      const ps = rnd.range(0, 8);
      const ss = rnd.range(0, 8);
      const price = rnd.chance(0.2) ? rnd.range(1, 2 ** 30) * rnd.range(1, 2 ** 20) : rnd.range(1, 10_000_000);
      const size = rnd.chance(0.2) ? rnd.range(1, 2 ** 30) : rnd.range(1, 100_000);
      const bps = (rnd.range(-1_000_000, 10_000_000) / 10_000) * (rnd.chance(0.1) ? 0 : 1);
      const want = refFee(ps, ss, price, size, bps);
      if (price * size * 10 ** Math.max(0, 8 - ps - ss) * Math.abs(bps) * 10_000 > Number.MAX_SAFE_INTEGER) big++;
      if (want > BigInt(Number.MAX_SAFE_INTEGER) || -want > BigInt(Number.MAX_SAFE_INTEGER)) {
        expect(() => fillFee({ priceScale: ps, sizeScale: ss }, price, size, rateUnits(bps))).toThrow(RangeError);
        continue;
      }
      expect(fillFee({ priceScale: ps, sizeScale: ss }, price, size, rateUnits(bps))).toBe(Number(want));
    }
    expect(big).toBeGreaterThan(1000);
  });

  it('rounds half away from zero at the money scale', () => {
    // 1 x 1 at scales 4 + 4 = money scale 8; 0.5 bps of 1e-8 = 0.00005e-8 -> 0; 5000 bps -> 0.5e-8 -> 1 (rebate -> -1).
    expect(fillFee({ priceScale: 4, sizeScale: 4 }, 1, 1, rateUnits(5000))).toBe(1);
    expect(fillFee({ priceScale: 4, sizeScale: 4 }, 1, 1, rateUnits(-5000))).toBe(-1);
    expect(fillFee({ priceScale: 4, sizeScale: 4 }, 1, 1, rateUnits(4999))).toBe(0);
    expect(() => rateUnits(0.00001)).toThrow(/at most 4 decimals/);
  });

  it('defaults per venue and class, overridden per class then per instrument', () => {
    expect(instrumentClass('okx', 'BTC-USDT')).toBe('spot');
    expect(instrumentClass('okx', 'BTC-USDT-SWAP')).toBe('swap');
    expect(instrumentClass('okx', 'BTC-USD-240927')).toBe('futures');
    expect(instrumentClass('binance-usdm', 'BTCUSDT')).toBe('swap');
    expect(instrumentClass('binance-coinm', 'BTCUSD_240927')).toBe('futures');
    expect(feeRatesFor({ venue: 'binance-spot', symbol: 'BTCUSDT' })).toEqual({ makerBps: 10, takerBps: 10 });
    expect(feeRatesFor({ venue: 'okx', symbol: 'BTC-USDT-SWAP' })).toEqual({ makerBps: 2, takerBps: 5 });
    expect(feeRatesFor({ venue: 'sim', symbol: 'AAPL' })).toEqual({ makerBps: 1, takerBps: 2 });
    const o = { venues: { okx: { swap: { makerBps: -0.5 } } }, instruments: { 'okx:ETH-USDT-SWAP': { takerBps: 3 } } };
    expect(feeRatesFor({ venue: 'okx', symbol: 'BTC-USDT-SWAP' }, o)).toEqual({ makerBps: -0.5, takerBps: 5 });
    expect(feeRatesFor({ venue: 'okx', symbol: 'ETH-USDT-SWAP' }, o)).toEqual({ makerBps: -0.5, takerBps: 3 });
  });

  it('the venue charges taker and maker fees at the instrument money scale', () => {
    let clock = 0;
    const cfg = resolveFillModelConfig({ fees: { instruments: { 'binance-spot:BTCUSDT': { makerBps: -1 } } } });
    const v = createLocalVenue(cfg, registry(), () => clock);
    v.snapshot(0, 1, levels([[10000, 5]]), levels([[10001, 4]]));
    v.newOrder(order('t', 0, 10001, 4));
    v.newOrder(order('m', 0, 10000, 1));
    v.runUntil(0, () => {});
    v.trade(1, 1, 9999, 1, 1);
    v.runUntil(1, () => {});
    clock = 1;
    const [taker, maker] = v.fillLog;
    // 100.01 x 0.004 = 0.40004 USDT; 10 bps = 0.00040004 -> 40004 at 10^-8.
    expect([taker?.fee, taker?.feeScale, taker?.maker]).toEqual([40004, moneyScale({ priceScale: 2, sizeScale: 3 }), false]);
    // 100.00 x 0.001 = 0.1 USDT; -1 bps = -0.00001 -> -1000 at 10^-8.
    expect([maker?.fee, maker?.maker]).toEqual([-1000, true]);
    expect(v.settings().fees).toEqual({ 'binance-spot:BTCUSDT': { makerBps: -1, takerBps: 10, feeScale: 8 } });
  });
});

describe('fill model config and latency', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tkl-fill-'));

  it('reports every violation with its path and the allowed values', () => {
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, '1.5\n\n# comment\n2\nabc\n');
    const issues = validateFillModelConfig(
      {
        queue: { model: 'fifo', n: 0, sampling: 'sometimes' },
        throughTrades: 'half',
        latency: { entry: -1, response: bad, feed: { kind: 'samples' } },
        seed: -3,
        fees: { venues: { 'binance-spot': { perp: { makerBps: 1 } }, nasdaq: {} }, instruments: { 'foo:BAR': { takerBps: 0.00001 } } },
        bogus: 1,
      },
      'fillModel',
    ).map((i) => `${i.path}: ${i.message}`);
    expect(issues).toEqual([
      'fillModel.bogus: is not a known setting (allowed here: queue, throughTrades, latency, seed, fees)',
      'fillModel.queue.model: must be one of "risk-averse", "prob-power", "prob-power2", "prob-power3", "prob-log", "prob-log2", got "fifo"',
      'fillModel.queue.n: must be a number from 0.01 to 100, got 0',
      'fillModel.queue.sampling: must be one of "expected", "draw", got "sometimes"',
      'fillModel.throughTrades: must be one of "full", "trade-size", got "half"',
      'fillModel.latency.feed: must give exactly one of file (a path) and samples (a list of ms)',
      'fillModel.latency.entry: must be a number of ms from 0 to 60000, got -1',
      `fillModel.latency.response: ${bad} line 5: must be a latency in ms (a number from 0 to 60000), got "abc"`,
      'fillModel.seed: must be an integer from 0 to 4294967295, got -3',
      'fillModel.fees.venues.binance-spot.perp: is not a known setting (allowed here: spot, swap, futures)',
      expect.stringMatching(/^fillModel\.fees\.venues\.nasdaq: is not a known setting \(allowed here: sim, binance-spot/),
      expect.stringMatching(/^fillModel\.fees\.instruments\.foo:BAR: is not a valid key: must be '<venue>:<symbol>'/),
      'fillModel.fees.instruments.foo:BAR.takerBps: must be a number of bps from -100 to 1000 with at most 4 decimals, got 0.00001',
    ]);
    expect(() => resolveFillModelConfig({ queue: { model: 'x' } })).toThrow(FillModelConfigError);
  });

  it('reads sample files (lines or a JSON array) and names the file and line of a bad one', () => {
    const ok = join(dir, 'ok.json');
    writeFileSync(ok, '[1, 2.5, 4]');
    const cfg = resolveFillModelConfig({ latency: { entry: ok, response: '3', feed: { kind: 'samples', samples: [1, 2] } } });
    expect(cfg.latency.entry).toEqual({ kind: 'samples', source: ok, samples: [1, 2.5, 4] });
    expect(cfg.latency.response).toEqual({ kind: 'constant', ms: 3 });
    expect(() => parseLatencySamples('[1, -2]', 'x.json')).toThrow(
      'x.json [1]: must be a latency in ms (a number from 0 to 60000), got -2',
    );
    expect(() => parseLatencySamples('\n# only a comment\n', 'e.txt')).toThrow(LatencyFileError);
    const missing = validateFillModelConfig({ latency: { entry: join(dir, 'missing.txt') } });
    expect(missing[0]?.message).toMatch(/missing\.txt: cannot read latency samples \(ENOENT\)/);
  });

  it('sampled latency is seeded: the same seed draws the same values, and only recorded values', () => {
    const spec = { kind: 'samples', source: 'inline', samples: [1, 2, 3, 5, 8] } as const;
    const a = createLatencyModel(spec, 11);
    const b = createLatencyModel(spec, 11);
    const c = createLatencyModel(spec, 12);
    const da = Array.from({ length: 50 }, () => a.sample());
    expect(Array.from({ length: 50 }, () => b.sample())).toEqual(da);
    expect(Array.from({ length: 50 }, () => c.sample())).not.toEqual(da);
    expect(new Set(da).size).toBeGreaterThan(3);
    for (const x of da) expect(spec.samples).toContain(x);
    expect(a.describe()).toEqual({ kind: 'samples', source: 'inline', count: 5, min: 1, p50: 3, max: 8, seed: 11 });
  });
});
