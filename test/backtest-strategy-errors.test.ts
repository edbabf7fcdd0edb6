/**
 * A strategy that throws, in a real backtest: a strategy module that trades (IOC orders at the
 * touch) and throws on its N-th book view. The run goes on to the end of the recording, the report
 * names the strategy, the instrument and the event in meta.strategyErrors, report.html shows it,
 * and the strategy is not called again on any instrument. With two signals partitions, the other
 * partition's instance of the strategy is disabled too (it stops being called long before the end).
 */
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, record } from '@tickline/cli';
import type { StrategyError } from '../packages/signals/src/index.js';
import type { BacktestReport } from '../packages/cli/src/backtest/report.js';
import { backtest } from '../packages/cli/src/commands/backtest.js';
import { captured } from './capture-output.js';

const tmp = mkdtempSync(join(tmpdir(), 'tkl-strategy-errors-'));
const file = join(tmp, 'sim.tkr');
const THROW_AT = 40;

/** A module strategy: an IOC buy at the ask every 10th view; throws on partition 0's N-th view; logs every call. */
function writeModule(path: string, log: string): void {
  writeFileSync(
    path,
    `import { appendFileSync } from 'node:fs';
export default function create(params, info) {
  let calls = 0;
  return {
    id: info.id,
    onBook(v, env) {
      calls++;
      appendFileSync(${JSON.stringify(log)}, info.partition + ' ' + v.instrument + ' ' + calls + ' ' + (v.recvS * 1000 + Math.floor(v.recvNs / 1e6)) + '\\n');
      if (info.partition === 0 && calls === params.throwAt) throw new Error('boom on call ' + calls);
      if (calls % 10 === 0 && v.asks.length > 0)
        env.intent({ instrument: v.instrument, side: 'buy', type: 'limit', tif: 'IOC', price: v.asks.price(0), size: env.spec(v.instrument).lotSize, reason: 'test', inputs: {} });
    },
  };
}
export function validateParams() { return []; }
`,
  );
}

const config = (signalsThreads: number) =>
  loadConfig({ exchange: { instruments: 8 } }, { 'log.level': 'silent', 'threads.signals': signalsThreads }, 'test');

async function run(name: string, signalsThreads: number) {
  const log = join(tmp, `${name}.calls`);
  appendFileSync(log, '');
  const mod = join(tmp, `${name}-strategy.mjs`);
  writeModule(mod, log);
  const out = join(tmp, name);
  const r = await captured(() =>
    backtest(config(signalsThreads), {
      file,
      strategy: mod,
      params: JSON.stringify({ throwAt: THROW_AT }),
      out,
      progress: 'none',
      // partitions are the lockstep engine's (the event-time engine runs one thread)
      engine: signalsThreads > 1 ? 'lockstep' : 'event-time',
    }),
  );
  expect(r.code, r.err).toBe(0);
  const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BacktestReport;
  const calls = readFileSync(log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number) as [number, number, number, number]);
  return { rep, calls, html: readFileSync(join(out, 'report.html'), 'utf8'), out: r.out };
}

describe('a strategy that throws, in a backtest', () => {
  beforeAll(async () => {
    const rec = await captured(() => record(config(1), { out: file, durationS: 3, summary: 'json' }));
    expect(rec.code, rec.err).toBe(0);
  }, 60_000);

  it('is reported with its instrument and event, disabled, and the run goes on', async () => {
    const { rep, calls, html } = await run('one', 1);
    expect(rep.meta.complete).toBe(true);
    expect(rep.meta.frames).toBe(rep.meta.framesInFile);
    const errors = rep.meta.strategyErrors as StrategyError[];
    expect(errors).toHaveLength(1);
    const e = errors[0] as StrategyError;
    // the N-th call threw, and it was the last call of the strategy on any instrument
    expect(calls).toHaveLength(THROW_AT);
    const last = calls.at(-1) as [number, number, number, number];
    expect(e).toMatchObject({ strategy: 'module', message: `boom on call ${THROW_AT}`, event: { kind: 'book' } });
    // the event's time is the recorded receive time of the view it threw on (the event-time
    // engine runs on recorded time; the strategy logged that view's time, floored to the ms)
    const t = e.event.timeMs as number;
    expect(t).toBeGreaterThanOrEqual(Date.parse(rep.meta.recordedFrom as string));
    expect(t - last[3]).toBeGreaterThanOrEqual(0);
    expect(t - last[3]).toBeLessThan(1);
    expect(e.event.time).toBe(new Date(t).toISOString());
    expect(e.instrument).toMatch(/^sim:/);
    expect(e.event.seq).toMatch(/^\d+$/);
    const core = (rep.meta.stages as Record<string, { core: Record<string, number> }>).signals?.core ?? {};
    expect(core.strategyErrors).toBe(1);
    // every later book view skipped the disabled strategy
    expect(core.strategySkipped).toBeGreaterThan(100);
    // it traded before it threw
    expect(core.intents).toBeGreaterThan(0);
    expect(rep.fills.count).toBeGreaterThan(0);

    expect(html).toMatch(/<div id="strategy-errors" class="errors"><b>strategy errors: 1<\/b>/);
    expect(html).toContain(`boom on call ${THROW_AT}; disabled from then on`);
    expect(html).toContain(`${e.instrument} (book seq ${e.event.seq}`);
  }, 120_000);

  it('with two signals partitions, the other partition disables its instance too', async () => {
    const { rep, calls } = await run('two', 2);
    expect(rep.meta.complete).toBe(true);
    const errors = rep.meta.strategyErrors as StrategyError[];
    expect(errors).toHaveLength(1);
    const p0 = calls.filter((c) => c[0] === 0);
    const p1 = calls.filter((c) => c[0] === 1);
    expect(p0).toHaveLength(THROW_AT);
    // in the strategy's (shifted) time: partition 0's last call is the one that threw
    const thrownAt = (p0.at(-1) as number[])[3] as number;
    const shift = thrownAt - ((errors[0] as StrategyError).event.timeMs as number);
    expect(p1.length).toBeGreaterThan(0);
    // partition 1 was still being called when partition 0 threw, and stopped soon after: its
    // last call is far (over a second of recorded time) from the end of a 3 s recording
    const endMs = Date.parse(rep.meta.recordedTo as string) + shift;
    const lastP1 = Math.max(...p1.map((c) => c[3]));
    expect(lastP1).toBeLessThan(endMs - 1000);
    expect(lastP1 - thrownAt).toBeLessThan(1000);
  }, 120_000);
});
