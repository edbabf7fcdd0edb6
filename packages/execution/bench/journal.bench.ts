/**
 * Execution core + SQLite journal: commit per record vs group commit, side by side in the same run.
 *
 *   node --import tsx packages/execution/bench/journal.bench.ts [--runs 5] [--intents 600]
 *        [--batches 1,8,32] [--views 4] [--synchronous full|normal] [--dir PATH] [--json]
 *
 * Each round is what the execution stage sees: an input batch of B intents (each followed by
 * `--views` book views of another instrument, as on the risk -> execution edge), which ends
 * with endBatch, then one event-loop turn of venue messages answering the batch (an ack and a
 * full fill per order). 3 journal records per intent. The venue port answers at once and, under
 * group commit, holds the requests until the commit, like the gateway.
 *
 * Per intent: latency from the start of its batch (when it was waiting in the ring) to the
 * moment its order reaches the venue port. Per batch: service time, the start of the batch to
 * the end of its commit (what every record queued behind it waits). Throughput: intents per
 * second through the whole round (batch + venue turn). The journal is a real file
 * (`synchronous = FULL` by default) in --dir (default: the OS temp dir; it must be a real disk,
 * not tmpfs). Modes alternate which runs first.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BenchResult, formatReport, report, summarize } from '@tickline/runtime';
import { intent, Recorder, testRegistry, view } from '@tickline/runtime/testing';
import type { BookViewLike, OrderIntentRecord } from '@tickline/wire';
import { ExecutionCore, type NewOrderRequest, resolveExecutionConfig, SqliteJournal, type VenueMessage } from '../src/index.js';
import { FakeVenue } from '../test/fake-venue.js';

type Mode = 'record' | 'group';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new TypeError(`--${name} needs a value`);
  return v;
}

function positiveInt(name: string, text: string): number {
  const v = Number(text);
  if (!Number.isSafeInteger(v) || v <= 0) throw new RangeError(`--${name} must be a positive integer, got '${text}'`);
  return v;
}

const runs = positiveInt('runs', flag('runs') ?? '5');
const intents = positiveInt('intents', flag('intents') ?? '600');
const batches = (flag('batches') ?? '1,8,32').split(',').map((b) => positiveInt('batches', b));
const views = Number(flag('views') ?? '4');
if (!Number.isSafeInteger(views) || views < 0) throw new RangeError(`--views must be a non-negative integer, got '${flag('views')}'`);
const syncText = flag('synchronous') ?? 'full';
if (syncText !== 'full' && syncText !== 'normal') throw new RangeError(`--synchronous must be 'full' or 'normal', got '${syncText}'`);
const synchronous: 'full' | 'normal' = syncText;
const baseDir = flag('dir') ?? tmpdir();
const json = process.argv.includes('--json');

/** The venue's answer to one order: accepted, then filled in full. */
function replies(o: NewOrderRequest, seq: number, nowMs: number): VenueMessage[] {
  const order = { ...o, venueOrderId: `v${seq}`, filled: 0, status: 'open' as const };
  return [
    { kind: 'report', seq, event: 'new', order, fill: null, reason: '', tsMs: nowMs },
    {
      kind: 'report',
      seq: seq + 1,
      event: 'trade',
      order: { ...order, filled: o.size, status: 'filled' },
      fill: { fillId: `f${seq}`, seq: seq + 1, ...o, venueOrderId: `v${seq}`, fee: 0, feeScale: 8, maker: false, tsMs: nowMs },
      reason: '',
      tsMs: nowMs,
    },
  ];
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const registry = testRegistry();
const cfg = resolveExecutionConfig({
  maxIntentAgeMs: 3_600_000,
  maxDataAgeMs: 0,
  orderTtlMs: 0,
  marketMove: { policy: 'none' },
  exits: { enabled: false },
  journal: { synchronous },
});

function runOnce(mode: Mode, batch: number): Record<string, number> {
  const dir = mkdtempSync(join(baseDir, 'tkl-journal-bench-'));
  const journal = new SqliteJournal(join(dir, 'journal.db'), { synchronous });
  // Answers every request at once; an order arrives at the call, or at release() while held.
  const venue = new FakeVenue();
  const arrivals = new Map<string, number>();
  venue.onNewOrder = (o) => arrivals.set(o.clientOrderId, performance.now());
  const core = new ExecutionCore(cfg, registry, venue, journal);
  if (mode === 'group') core.unit.start();
  const out = new Recorder();
  const latencies: number[] = [];
  const services: number[] = [];
  let seq = 1;
  let id = 1;
  const started = performance.now();
  const input: (OrderIntentRecord | BookViewLike)[] = [];
  while (id <= intents) {
    // The batch as it waits in the ring (built before the clock starts).
    const now = Date.now();
    input.length = 0;
    for (let k = 0; k < batch && id <= intents; k++, id++) {
      input.push(intent({ intentId: id, instrument: 1, size: 1, price: 10_000 }, now));
      for (let v = 0; v < views; v++) input.push(view({ instrument: 2, bid: 20_000 + v, ask: 20_002 + v, nowMs: now }));
    }
    const t0 = performance.now();
    const first = venue.sent.length;
    for (const r of input) {
      if ('intentId' in r) core.onOrderIntent(r, out);
      else core.onBookView(r, out);
    }
    core.unit.commit(); // endBatch
    services.push(performance.now() - t0);
    const sent = venue.sent.slice(first);
    for (const o of sent) latencies.push((arrivals.get(o.clientOrderId) as number) - t0);
    // One event-loop turn of venue messages answering the batch.
    for (const o of sent) {
      for (const m of replies(o, seq, now)) core.onVenue(m, out);
      seq += 2;
    }
    core.unit.commit();
    out.events.length = 0;
    out.fills.length = 0;
    out.positions.length = 0;
  }
  const elapsed = performance.now() - started;
  if (core.counters.ordersSent !== intents || core.counters.fills !== intents)
    throw new Error(`${mode}: sent ${core.counters.ordersSent} orders and booked ${core.counters.fills} fills of ${intents}`);
  const commits = journal.commits;
  journal.close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  services.sort((a, b) => a - b);
  return {
    intentsPerSec: (intents / elapsed) * 1000,
    latencyP50Ms: quantile(latencies, 0.5),
    latencyP99Ms: quantile(latencies, 0.99),
    batchServiceP50Ms: quantile(services, 0.5),
    batchServiceP99Ms: quantile(services, 0.99),
    fsyncsPerIntent: commits / intents,
  };
}

const results: BenchResult[] = [];
for (const batch of batches) {
  const per: Record<Mode, Record<string, number>[]> = { record: [], group: [] };
  const ratios: Record<string, number>[] = [];
  for (let r = 0; r < runs; r++) {
    const order: Mode[] = r % 2 === 0 ? ['record', 'group'] : ['group', 'record'];
    const got = {} as Record<Mode, Record<string, number>>;
    for (const mode of order) got[mode] = runOnce(mode, batch);
    per.record.push(got.record);
    per.group.push(got.group);
    ratios.push({
      throughputX: (got.group.intentsPerSec as number) / (got.record.intentsPerSec as number),
      latencyP50X: (got.record.latencyP50Ms as number) / (got.group.latencyP50Ms as number),
      latencyP99X: (got.record.latencyP99Ms as number) / (got.group.latencyP99Ms as number),
    });
  }
  const params = { batch, views, intents, synchronous };
  results.push(summarize(`journal:record:b${batch}`, per.record, params));
  results.push(summarize(`journal:group:b${batch}`, per.group, params));
  results.push(summarize(`journal:group-vs-record:b${batch}`, ratios, params));
}
const r = report('execution-journal', runs, results, [
  `journal files in ${baseDir}, synchronous=${synchronous}; ${intents} intents per run and mode, 3 journal records each`,
  'latency: batch start -> order at the venue port; batchService: batch start -> end of its commit',
  '*-vs-record: per-run ratios, x > 1 means group commit is better',
]);
process.stdout.write(`${json ? JSON.stringify(r, null, 2) : formatReport(r)}\n`);
