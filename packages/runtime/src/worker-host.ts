/**
 * The worker side of the runtime: one long-lived piscina task per worker. It builds the cores of
 * its placement group, consumes its input rings in batches, hands records to the cores in place,
 * flushes its outputs once per batch, and parks on a doorbell when idle (a short spin first).
 * The supervisor controls it over comlink (stats, pause/resume, drain, stop, core commands).
 */

import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { type MessagePort, threadId } from 'node:worker_threads';
import {
  type DropReason,
  type RecordSource,
  type RecordWriter,
  RingConsumer,
  type RingHandle,
  RingProducer,
  readCounters,
} from '@tickline/ring';
import { Body, epochMs, InstrumentRegistry, type InstrumentSpec, RecordReader, WireDropReason } from '@tickline/wire';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { NatsEdgeSpec } from '@tickline/nats';
import { deliverRecord, type ForwardingEmitter, FusedEmitter, LocalFeedbackEmitter, RingEmitter, SinkEmitter } from './emitter.js';
import { MarketViewTable } from './market-view.js';
import type { Emitter, StageCore, StageFactory, StageName } from './stage.js';
import { type HistogramSnapshot, ServiceTimer, snapshotOf } from './timing.js';
import { LatencyHistogram } from './latency-histogram.js';
import { natsEnds } from './nats-worker.js';

export interface StageSpec {
  readonly name: StageName;
  /** File URL of the stage module; its default export is a StageFactory. */
  readonly moduleUrl: string;
  readonly config: unknown;
}

export interface InputSpec {
  /** Edge name, e.g. "book->signals" or "execution->risk". */
  readonly edge: string;
  /** Index in the group of the stage that consumes this edge. */
  readonly target: number;
  /** One ring per upstream partition (none when the edge is on NATS). */
  readonly rings: readonly RingHandle[];
  /**
   * The edge on NATS instead: this partition's consumer of the edge's stream, the shared block
   * it mirrors its counters into, and how many messages it asks for ahead.
   */
  readonly nats?: { readonly spec: NatsEdgeSpec; readonly stats: SharedArrayBuffer; readonly window: number } | null;
}

export interface FeedbackSpec {
  /** Index in the group of the stage whose order events / fills / positions are fed back. */
  readonly from: number;
  /** Body kinds that go to this target. */
  readonly kinds: readonly number[];
  /** Index in this group of the stage they go to, when it is in the same worker; else null. */
  readonly localTarget: number | null;
  /** Rings to the target's partitions when it lives in another group. */
  readonly rings: readonly RingHandle[];
  /** The feedback edge on NATS instead of rings (one producer per target partition). */
  readonly nats?: NatsEdgeSpec | null;
}

export interface RuntimeTuning {
  /** Max records taken from one ring per poll. */
  readonly batch: number;
  /** Busy-wait this long (µs) before parking when the inputs are empty. */
  readonly spinUs: number;
  /** Period of core tick() calls (ms). */
  readonly tickMs: number;
  /** Yield to the event loop (control messages, I/O) at least this often while busy (ms). */
  readonly yieldMs: number;
  /** Nice increment of workers without I/O, below the socket readers (0 = same priority). */
  readonly computeNice: number;
}

export interface WorkerTask {
  readonly group: string;
  readonly stages: readonly StageSpec[];
  readonly partition: number;
  readonly partitions: number;
  readonly inputs: readonly InputSpec[];
  /** Downstream rings of the group's last stage, one per downstream partition (empty: sink). */
  readonly outputs: readonly RingHandle[];
  /** The downstream edge on NATS instead of `outputs` (one producer per downstream partition). */
  readonly natsOutput?: NatsEdgeSpec | null;
  /** Feedback edges from this group's execution stage (to risk, to signals); empty elsewhere. */
  readonly feedback: readonly FeedbackSpec[];
  readonly doorbell: SharedArrayBuffer;
  readonly registry: readonly InstrumentSpec[];
  readonly marketView: { capacity: number; buffer: SharedArrayBuffer; seq: SharedArrayBuffer } | null;
  readonly control: MessagePort;
  readonly events: MessagePort;
  readonly tuning: RuntimeTuning;
  /** The run's freshness bound (ms; 0 = none), handed to every core's context. */
  readonly maxDataAgeMs: number;
}

export interface StageStats {
  stage: StageName;
  partition: number;
  processed: number;
  emitted: number;
  /** Records lost on this stage's inputs and outputs, by reason. */
  dropped: Record<string, number>;
  core: Record<string, number>;
}

export interface WorkerStats {
  group: string;
  partition: number;
  threadId: number;
  stages: StageStats[];
  /** Fraction of wall time spent handling records since the previous stats() call. */
  busyRatio: number;
  rings: { name: string; capacity: number; usedBytes: number }[];
  /** Time records waited in this worker's input rings, by edge (ns, since the worker started). */
  queueDelay: Record<string, HistogramSnapshot>;
  /** Time each stage of this worker spent per record, exclusive of fused successors (ns). */
  serviceTime: Record<string, HistogramSnapshot>;
}

export interface WorkerApi {
  stats(): WorkerStats;
  pause(): void;
  resume(): void;
  /** Stops sources and resolves once every input ring is empty (or the timeout passes). */
  drain(timeoutMs: number): Promise<boolean>;
  stop(): void;
  command(stage: StageName, command: string, args: unknown): Promise<unknown>;
}

const WIRE_DROP: Record<DropReason, number> = {
  'drop-oldest': WireDropReason.DropOldest,
  'drop-newest': WireDropReason.DropNewest,
  stale: WireDropReason.Stale,
  corrupt: WireDropReason.Corrupt,
};

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function runWorker(task: WorkerTask): Promise<WorkerStats> {
  const registry = InstrumentRegistry.from(task.registry);
  const marketView = task.marketView ? MarketViewTable.attach(task.marketView) : null;
  const notify = (event: string, data: unknown) => task.events.postMessage({ event, data, stage: task.group, partition: task.partition });
  const cores: StageCore[] = [];
  for (const spec of task.stages) {
    const mod = (await import(spec.moduleUrl)) as { default: StageFactory };
    if (typeof mod.default !== 'function') throw new TypeError(`stage module ${spec.moduleUrl} must default-export a StageFactory`);
    cores.push(
      await mod.default({
        stage: spec.name,
        partition: task.partition,
        partitions: task.partitions,
        registry,
        config: spec.config,
        notify,
        marketView,
        maxDataAgeMs: task.maxDataAgeMs,
      }),
    );
  }
  const counts = task.stages.map(() => ({ processed: 0 }));
  const drops = task.stages.map(() => ({}) as Record<string, number>);
  const bell = new Int32Array(task.doorbell);
  const ringBell = () => {
    Atomics.add(bell, 0, 1);
    Atomics.notify(bell, 0);
  };

  // Edges on NATS: one connection per worker, a producer per downstream partition, a consumer
  // for this partition of each input edge (docs/nats.md).
  const nats = await natsEnds(task);
  const ringOut: RecordWriter[] = task.natsOutput ? await nats.producers(task.natsOutput) : task.outputs.map((h) => new RingProducer(h));
  const remoteFeedback = await Promise.all(
    task.feedback
      .filter((f) => f.localTarget === null)
      .map(async (f) => ({
        producers: f.nats ? await nats.producers(f.nats) : f.rings.map((h) => new RingProducer(h, {})),
        kinds: new Set(f.kinds),
      })),
  );

  // Emitters, last stage first: each core's emitter feeds the next core (fused) or the rings.
  const emitters: ForwardingEmitter[] = new Array(cores.length);
  const last = cores.length - 1;
  emitters[last] = ringOut.length > 0 || remoteFeedback.length > 0 ? new RingEmitter(ringOut, remoteFeedback) : new SinkEmitter();
  // Feedback to stages in this same worker wraps the last stage's emitter (execution is always
  // the last stage of its group) before the chain is built, so every core upstream hands its
  // records to the wrapped one.
  let localFeedback: LocalFeedbackEmitter | null = null;
  const local = task.feedback.filter((f) => f.localTarget !== null);
  if (local.length > 0) {
    if (local.some((f) => f.from !== last)) throw new Error(`group ${task.group}: feedback must come from its last stage`);
    localFeedback = new LocalFeedbackEmitter(
      emitters[last] as ForwardingEmitter,
      local.map((f) => {
        const t = f.localTarget as number;
        return {
          core: cores[t] as StageCore,
          emit: () => emitters[t] as Emitter,
          count: counts[t] as { processed: number },
          kinds: new Set(f.kinds),
        };
      }),
    );
    emitters[last] = localFeedback;
  }
  const timer = new ServiceTimer(cores.length);
  for (let i = last - 1; i >= 0; i--)
    emitters[i] = new FusedEmitter(
      cores[i + 1] as StageCore,
      emitters[i + 1] as ForwardingEmitter,
      counts[i + 1] as { processed: number },
      timer,
      i + 1,
    );
  const tail = emitters[last];
  const passThrough = tail instanceof RingEmitter ? tail : null;

  let stopped = false;
  let paused = false;
  let fatal: unknown = null;
  let wake: (() => void) | null = null;

  const queueDelay = new Map<string, LatencyHistogram>();
  for (const inp of task.inputs) if (!queueDelay.has(inp.edge)) queueDelay.set(inp.edge, new LatencyHistogram());
  const sources: { inp: InputSpec; consumer: RecordSource; ring: () => { name: string; capacity: number; usedBytes: number } }[] = [];
  for (const inp of task.inputs) {
    if (inp.nats) {
      const n = inp.nats;
      const consumer = await nats.consumer(n.spec, { verify: false, wake: ringBell, stats: n.stats, window: n.window });
      const ring = () => ({ name: `${inp.edge}[nats p${task.partition}]`, capacity: n.spec.maxBytes, usedBytes: 0 });
      sources.push({ inp, consumer, ring });
    }
    for (const handle of inp.rings) {
      const ring = () => {
        const c = readCounters(handle);
        return { name: c.name, capacity: c.capacity, usedBytes: c.usedBytes };
      };
      sources.push({ inp, consumer: new RingConsumer(handle), ring });
    }
  }
  const inputs = sources.map(({ inp, consumer, ring }) => {
    {
      const waited = queueDelay.get(inp.edge) as LatencyHistogram;
      const target = inp.target;
      const reader = new RecordReader(consumer.data);
      const core = cores[inp.target] as StageCore;
      const emit = emitters[inp.target] as ForwardingEmitter;
      const count = counts[inp.target] as { processed: number };
      const dropCounts = drops[inp.target] as Record<string, number>;
      const edge = inp.edge;
      const stageName = task.stages[inp.target]?.name;
      const onRecord = (data: Uint8Array, offset: number, length: number, _kind: number, enqMs: number, originMs: number): boolean => {
        waited.record((consumer.polledAt - enqMs) * 1e6);
        if (reader.open(offset, length) === Body.NONE) {
          consumer.countCorrupt();
          dropCounts.corrupt = (dropCounts.corrupt ?? 0) + 1;
          return true;
        }
        count.processed++;
        try {
          // A core that passes this very record on gets its bytes copied, not re-encoded.
          if (passThrough !== null) passThrough.setSource(reader, data, offset, length, originMs);
          const saved = timer.begin();
          const t0 = performance.now();
          deliverRecord(core, reader, data, offset, length, emit);
          timer.end(target, t0, saved);
          if (passThrough !== null) passThrough.setSource(null, null, 0, 0);
          if (localFeedback !== null) localFeedback.drain();
        } catch (err) {
          // A broken invariant: consume the record (no crash loop on it), then fail the task so
          // the supervisor restarts this partition with fresh cores.
          fatal = err;
          notify('error', { stage: stageName, edge, message: err instanceof Error ? err.message : String(err) });
          return false;
        }
        return true;
      };
      const onDrop = (n: number, reason: DropReason) => {
        dropCounts[reason] = (dropCounts[reason] ?? 0) + n;
        const code = WIRE_DROP[reason];
        if (core.onDrop) core.onDrop(n, code, edge, emit);
        else emit.mark({ type: 'drop', count: n, reason: code, edge });
      };
      // records that expired in the ring waited too: their wait belongs in the histogram
      const onExpired = (enqMs: number) => waited.record((consumer.polledAt - enqMs) * 1e6);
      return { consumer, onRecord, onDrop, onExpired, ring };
    }
  });

  // Publishing: the head emitter's flush runs down the fused chain, and each fused successor
  // that holds records back within a batch (conflation, a journal's group commit) gets its
  // endBatch first, so a batch ends the same way whether ring input or a source's I/O callback
  // (which flushes its own emitter) started it.
  const flushAll = () => {
    (emitters[0] as ForwardingEmitter).flush();
  };
  // The head core's own endBatch (its input comes from rings); its successors' run in flushAll.
  const head = cores[0] as StageCore;
  const endBatch = () => {
    if (!head.endBatch) return;
    const saved = timer.begin();
    const t0 = performance.now();
    head.endBatch(emitters[0] as Emitter);
    timer.endBatchWork(0, t0, saved);
    if (localFeedback !== null) localFeedback.drain();
  };

  // Control plane.
  let busyMs = 0;
  let statsAt = epochMs();
  const stats = (): WorkerStats => {
    const t = epochMs();
    const busyRatio = t > statsAt ? Math.min(1, busyMs / (t - statsAt)) : 0;
    busyMs = 0;
    statsAt = t;
    return {
      group: task.group,
      partition: task.partition,
      threadId,
      busyRatio,
      stages: task.stages.map((s, i) => {
        const dropped = { ...(drops[i] as Record<string, number>) };
        if (i === last) {
          const outDropped = (emitters[i] as ForwardingEmitter).dropped;
          if (outDropped > 0) dropped.output = outDropped;
          if (task.natsOutput) {
            for (const [why, n] of Object.entries(nats.outLosses(task.natsOutput.edge))) if (n > 0) dropped[`output-${why}`] = n;
          }
        }
        return {
          stage: s.name,
          partition: task.partition,
          processed: (counts[i] as { processed: number }).processed,
          emitted: (emitters[i] as ForwardingEmitter).emitted,
          dropped,
          core: cores[i]?.stats?.() ?? {},
        };
      }),
      rings: inputs.map(({ ring }) => ring()),
      queueDelay: Object.fromEntries([...queueDelay].map(([edge, h]) => [edge, snapshotOf(h)])),
      serviceTime: Object.fromEntries(task.stages.map((st, i) => [st.name, snapshotOf(timer.stages[i] as LatencyHistogram)])),
    };
  };
  const stopSources = async () => {
    for (const core of cores) if (core.stop) await core.stop();
    flushAll();
    await nats.drain();
  };
  let finished: () => void = () => {};
  const done = new Promise<void>((resolve) => (finished = resolve));
  const api: WorkerApi = {
    stats,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      wake?.();
      ringBell();
    },
    drain: async (timeoutMs: number) => {
      await stopSources();
      const deadline = epochMs() + timeoutMs;
      // a stream's count of what waits for this end comes with its deliveries: once nothing
      // waits locally, confirm with its server that nothing is left (at most every 50 ms)
      const remote = inputs.filter((i) => i.consumer.drained !== undefined);
      let askedAt = Number.NEGATIVE_INFINITY;
      while (epochMs() < deadline) {
        if (inputs.every((i) => i.consumer.available === 0 && (i.consumer.backlog ?? 0) === 0)) {
          if (remote.length === 0) return true;
          if (epochMs() - askedAt >= 50) {
            askedAt = epochMs();
            const answers = await Promise.all(remote.map((i) => (i.consumer.drained as () => Promise<boolean>).call(i.consumer)));
            if (answers.every(Boolean)) return true;
          }
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      return false;
    },
    stop: () => {
      stopped = true;
      ringBell();
    },
    command: async (stage: StageName, command: string, args: unknown) => {
      const i = task.stages.findIndex((s) => s.name === stage);
      const core = cores[i];
      if (!core?.control) throw new Error(`stage ${stage} in group ${task.group} takes no control commands`);
      const result = await core.control(command, args);
      flushAll();
      return result;
    },
  };
  Comlink.expose(api, nodeEndpoint(task.control as never));

  // Each core's I/O callbacks emit through that core's own emitter (a source at the head of a
  // group, or an execution gateway deeper in it).
  for (let i = 0; i < cores.length; i++) {
    const core = cores[i] as StageCore;
    if (core.start) await core.start(emitters[i] as Emitter);
  }

  // The consume loop.
  const { batch, spinUs, tickMs, yieldMs } = task.tuning;
  // A worker with no input rings (a pure source) sleeps on its event loop. Every other worker
  // parks on a futex, which wakes within microseconds of a producer's notify; one whose cores do
  // I/O (an execution gateway) caps each wait at 1 ms and then serves its event loop, so its
  // sockets are never more than about a millisecond behind.
  // A worker with NATS edges parks on its event loop too (messages arrive on its socket and ring
  // the doorbell), and gives the loop a turn after every batch (publishes go out from it).
  const onNats = nats.connected;
  const asyncPark = inputs.length === 0 || onNats;
  const doesIo = onNats || cores.some((c) => c.start !== undefined || c.needsEventLoop === true);
  if (!doesIo && task.tuning.computeNice > 0) lowerThreadPriority(task.tuning.computeNice);
  const maxWaitMs = doesIo ? 1 : yieldMs;
  const loopEveryMs = onNats ? 0 : doesIo ? 1 : yieldMs;
  let nextTick = epochMs() + tickMs;
  let lastYield = epochMs();
  try {
    while (!stopped) {
      if (paused) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
        wake = null;
        continue;
      }
      const t0 = epochMs();
      let n = 0;
      for (const inp of inputs) {
        n += inp.consumer.poll(inp.onRecord, inp.onDrop, batch, inp.onExpired);
        if (fatal !== null) throw fatal;
      }
      if (n > 0) {
        endBatch();
        flushAll();
        const t1 = epochMs();
        busyMs += t1 - t0;
        if (t1 >= nextTick) {
          nextTick = t1 + tickMs;
          for (let i = 0; i < cores.length; i++) cores[i]?.tick?.(t1, emitters[i] as Emitter);
          flushAll();
        }
        if (t1 - lastYield >= loopEveryMs) {
          await yieldToLoop();
          lastYield = epochMs();
        }
        continue;
      }
      const now = epochMs();
      if (now >= nextTick) {
        nextTick = now + tickMs;
        for (let i = 0; i < cores.length; i++) cores[i]?.tick?.(now, emitters[i] as Emitter);
        flushAll();
      }
      // Idle: spin briefly, then park on the doorbell until a producer rings or a tick is due.
      const spinUntil = now + spinUs / 1000;
      let ready = false;
      while (!ready && epochMs() < spinUntil) for (const inp of inputs) if (inp.consumer.available > 0) ready = true;
      if (ready) continue;
      const seen = Atomics.load(bell, 0);
      let parked = true;
      for (const inp of inputs) if (!inp.consumer.prepareToPark()) parked = false;
      if (parked && !stopped) {
        if (asyncPark) {
          const w = Atomics.waitAsync(bell, 0, seen, Math.max(1, Math.min(nextTick - epochMs(), 100)));
          if (w.async) await w.value;
          else await yieldToLoop();
          lastYield = epochMs();
        } else {
          // A futex wait: wakes within microseconds of a producer's notify. The event loop is
          // blocked meanwhile, so the wait is short and the loop gets a turn every yieldMs.
          Atomics.wait(bell, 0, seen, Math.max(0, Math.min(nextTick - epochMs(), maxWaitMs)));
        }
      }
      for (const inp of inputs) inp.consumer.unpark();
      if (epochMs() - lastYield >= loopEveryMs) {
        await yieldToLoop();
        lastYield = epochMs();
      }
    }
  } finally {
    for (const inp of inputs) inp.consumer.unpark();
  }
  await stopSources();
  for (const core of cores) if (core.close) await core.close();
  await nats.close();
  const final = stats();
  finished();
  await done;
  task.control.close();
  task.events.close();
  return final;
}

/**
 * Lowers this thread's scheduling priority (Linux: setpriority on the thread id, which needs no
 * privilege). Workers that only compute run below those that serve sockets, so when there are
 * more busy threads than cores, the socket readers (ingest, the order gateway) are served first:
 * frames are always read and shed by age at ingest instead of piling up in the kernel and at the
 * venue. Elsewhere (no /proc/thread-self) nothing changes.
 */
function lowerThreadPriority(nice: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + nice));
  } catch {
    // not Linux, or not allowed: run at the process's priority
  }
}
