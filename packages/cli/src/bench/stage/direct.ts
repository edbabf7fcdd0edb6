/**
 * `stage:<name>:direct`: the stage's real core (the StageFactory its worker module exports),
 * built in this thread and driven with no threads and no rings. A tape is handed to it record by
 * record through the runtime's own `deliverRecord` (what a worker does with each ring record),
 * each call timed; ticks and event-loop turns come at the runtime's default periods. A source
 * (ingest) is started against its venue and measured over a window instead.
 */

import {
  deliverRecord,
  type ForwardingEmitter,
  LatencyHistogram,
  runtimeSchema,
  type StageCore,
  type StageFactory,
  type StageName,
} from '@tickline/runtime';
import { epochMs, InstrumentRegistry, type InstrumentSpec, RecordReader } from '@tickline/wire';
import { DirectEmitter } from './direct-emitter.js';
import { histFigures, sleep } from './figures.js';
import { type RunSetup, type StagePlan, stageModule, until, warmVenue } from './plan.js';
import type { Tape } from './tape.js';

const TUNING = runtimeSchema.parse({}, '', []).runtime;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Hands records [from, to) of the tape to the core; times each call into `hist` if given. */
export async function feed(
  core: StageCore,
  tape: Tape,
  from: number,
  to: number,
  out: ForwardingEmitter,
  hist: LatencyHistogram | null,
): Promise<void> {
  const reader = new RecordReader(tape.data);
  const { data, offsets, lengths } = tape;
  const yieldMs = core.needsEventLoop === true ? 1 : TUNING.yieldMs;
  let nextTick = performance.now() + TUNING.tickMs;
  let lastYield = performance.now();
  for (let i = from; i < to; i++) {
    const off = offsets[i] as number;
    const len = lengths[i] as number;
    reader.open(off, len);
    const t0 = performance.now();
    deliverRecord(core, reader, data, off, len, out);
    // one record per batch: what a conflating core holds back is published with it
    core.endBatch?.(out);
    const t1 = performance.now();
    if (hist !== null) hist.record((t1 - t0) * 1e6);
    if (t1 >= nextTick) {
      nextTick = t1 + TUNING.tickMs;
      core.tick?.(epochMs(), out);
    }
    if (t1 - lastYield >= yieldMs) {
      out.flush();
      await yieldToLoop();
      lastYield = performance.now();
    }
  }
  out.flush();
}

async function replay(plan: StagePlan, tape: Tape, core: StageCore, out: DirectEmitter): Promise<Record<string, number>> {
  const ready = plan.coreReady;
  if (ready !== undefined) await until(`${plan.stage} to be ready`, () => ready(core.stats?.() ?? {}), 30_000, 10);
  await feed(core, tape, 0, tape.prime, out, null);
  const hist = new LatencyHistogram();
  const before = core.stats?.() ?? {};
  out.reset();
  const t0 = performance.now();
  await feed(core, tape, tape.prime, tape.count, out, hist);
  const t1 = performance.now();
  const settled = plan.settled;
  if (settled !== undefined) await until(`${plan.stage} to settle`, () => settled(core.stats?.() ?? {}), 60_000, 1);
  const seconds = (performance.now() - t0) / 1000;
  const records = tape.count - tape.prime;
  return {
    recordsPerSec: records / ((t1 - t0) / 1000),
    outPerRecord: out.emitted / records,
    ...histFigures(hist),
    ...plan.extras?.(before, core.stats?.() ?? {}, seconds),
  };
}

/** A source core: frames emitted over the window, against what the venue sent meanwhile. */
async function window(plan: StagePlan, setup: RunSetup, out: DirectEmitter): Promise<Record<string, number>> {
  const exchange = await warmVenue(plan, setup);
  out.reset();
  const f0 = (await exchange()).framesSent;
  const elu0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  await sleep((plan.windowS ?? 2) * 1000);
  const emitted = out.emitted;
  const busyMs = performance.eventLoopUtilization(elu0).active;
  const f1 = (await exchange()).framesSent;
  const seconds = (performance.now() - t0) / 1000;
  return {
    recordsPerSec: emitted / seconds,
    offeredPerSec: (f1 - f0) / seconds,
    // this thread's busy time (socket reads, frame parsing, the core) per frame
    busyUsPerRecord: (busyMs * 1000) / emitted,
    ...histFigures(out.receiptToFlush),
  };
}

/** A stage's real core, from the factory its worker module default-exports (one partition). */
export async function stageCore(stage: StageName, registry: readonly InstrumentSpec[], config: unknown): Promise<StageCore> {
  const factory = ((await import(stageModule(stage))) as { default: StageFactory }).default;
  return factory({
    stage,
    partition: 0,
    partitions: 1,
    registry: InstrumentRegistry.from(registry),
    config,
    notify: () => {},
    marketView: null,
    // no freshness bound: a recorded input's receive times are not the wall clock's
    maxDataAgeMs: 0,
  });
}

export async function runDirect(plan: StagePlan): Promise<Record<string, number>> {
  const setup = await plan.open();
  let core: StageCore | null = null;
  try {
    core = await stageCore(plan.stage, plan.registry, setup.config);
    const out = new DirectEmitter();
    if (core.start) await core.start(out);
    return plan.tape === null ? await window(plan, setup, out) : await replay(plan, plan.tape, core, out);
  } finally {
    if (core !== null) {
      await core.stop?.();
      await core.close?.();
    }
    await setup.close();
  }
}
