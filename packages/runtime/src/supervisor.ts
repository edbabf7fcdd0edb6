/**
 * The supervisor (main thread): builds the rings of the placement, starts one piscina pool per
 * placement group with one long-lived task per worker, restarts a partition whose task fails,
 * collects stats over comlink, and drains and stops everything on shutdown. It never touches a
 * data-plane record: it only allocates shared memory and talks to workers on the control plane.
 */

import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { NatsEdgeSpec } from '@tickline/nats';
import { createDoorbell, createRing, type RingCounters, type RingHandle, readCounters } from '@tickline/ring';
import { Body, type InstrumentSpec } from '@tickline/wire';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { Piscina } from 'piscina';
import type { Logger } from 'pino';
import { type EdgeName, edgePolicy, edgeTransport, type Group, type RuntimeConfig } from './config/pipeline-config.js';
import { createNatsStats, type NatsInput, natsEdgeOf, readNatsStats } from './nats-edges.js';
import { busyThreads } from './config/placement.js';
import type { MarketViewTable } from './market-view.js';
import type { StageName } from './stage.js';
import { type HistogramSnapshot, mergeSnapshots } from './timing.js';
import type { FeedbackSpec, InputSpec, RuntimeTuning, StageSpec, WorkerApi, WorkerStats, WorkerTask } from './worker-host.js';

const WORKER_ENTRY = new URL('./worker-entry.mjs', import.meta.url).href;

const FEEDBACK_TARGETS: readonly { stage: StageName; edge: EdgeName; kinds: number[] }[] = [
  { stage: 'risk', edge: 'execution->risk', kinds: [Body.OrderEvent, Body.Fill, Body.Position] },
  { stage: 'signals', edge: 'execution->signals', kinds: [Body.Fill] },
];

export interface PipelineOptions {
  readonly config: RuntimeConfig;
  readonly groups: readonly Group[];
  /** File URL of each stage's module (default export: StageFactory). */
  readonly stageModules: Readonly<Record<StageName, string>>;
  readonly stageConfigs: Readonly<Partial<Record<StageName, unknown>>>;
  readonly registry: readonly InstrumentSpec[];
  /** Shared market view the book workers write (see market-view.ts). */
  readonly marketView?: MarketViewTable;
  readonly logger: Logger;
  /** Events workers send (errors, snapshot requests...). */
  readonly onEvent?: (event: WorkerEvent) => void;
  /**
   * NATS edges at the ends of this pipeline (a cluster node's, @tickline/cluster): `head` feeds
   * the first group (a consumer per partition, in its workers), `tail` takes what the last group
   * emits (producers in its workers). The other ends run in other processes.
   */
  readonly boundary?: { readonly head?: BoundaryEdge; readonly tail?: BoundaryEdge };
}

export interface BoundaryEdge {
  readonly edge: EdgeName;
  readonly nats: NatsEdgeSpec;
}

export interface WorkerEvent {
  readonly event: string;
  readonly data: unknown;
  readonly stage: string;
  readonly partition: number;
}

export interface StageTotals {
  stage: StageName;
  workers: number;
  processed: number;
  emitted: number;
  dropped: Record<string, number>;
  core: Record<string, number>;
}

export interface PipelineStats {
  stages: StageTotals[];
  workers: WorkerStats[];
  restarts: number;
  /** Queueing delay per edge, merged over the consuming workers (ns, cumulative). */
  queueDelay: Record<string, HistogramSnapshot>;
  /** Service time per stage, merged over its workers (ns per record, cumulative). */
  serviceTime: Record<string, HistogramSnapshot>;
}

interface Slot {
  group: Group;
  groupIndex: number;
  partition: number;
  api: Comlink.Remote<WorkerApi> | null;
  done: Promise<WorkerStats | null>;
  stopping: boolean;
  failures: number;
  final: WorkerStats | null;
  makeTask: (control: MessagePort, events: MessagePort) => WorkerTask;
}

function ringGrid(rows: number, cols: number, edge: EdgeName, config: RuntimeConfig, bells: SharedArrayBuffer[]): RingHandle[][] {
  const p = edgePolicy(config, edge);
  return Array.from({ length: rows }, (_, m) =>
    Array.from({ length: cols }, (_, n) =>
      createRing(
        {
          capacity: p.capacityBytes,
          policy: p.policy,
          maxAgeMs: p.maxAgeMs,
          ...(p.maxAgeKinds !== undefined ? { maxAgeKinds: p.maxAgeKinds } : {}),
          ...(p.blockTimeoutMs !== undefined ? { blockTimeoutMs: p.blockTimeoutMs } : {}),
          ...(p.dropWaitMs !== undefined ? { dropWaitMs: p.dropWaitMs } : {}),
          name: `${edge}[${m}->${n}]`,
        },
        bells[n] as SharedArrayBuffer,
      ),
    ),
  );
}

/**
 * An edge between an M-partition producer group and an N-partition consumer group: an M x N grid
 * of rings, or one NATS stream (with a counters block per consuming partition).
 */
interface EdgeCarrier {
  readonly grid: RingHandle[][] | null;
  readonly nats: NatsEdgeSpec | null;
  readonly natsStats: SharedArrayBuffer[];
}

function carrier(rows: number, cols: number, edge: EdgeName, config: RuntimeConfig, bells: SharedArrayBuffer[]): EdgeCarrier {
  if (edgeTransport(config, edge) === 'nats') {
    return { grid: null, nats: natsEdgeOf(config, edge, rows, cols), natsStats: Array.from({ length: cols }, () => createNatsStats()) };
  }
  return { grid: ringGrid(rows, cols, edge, config, bells), nats: null, natsStats: [] };
}

/** The input of consuming partition `part` on an edge: its column of rings, or its NATS consumer. */
function inputOf(c: EdgeCarrier, edge: EdgeName, target: number, part: number, window: number): InputSpec {
  if (c.nats !== null) return { edge, target, rings: [], nats: { spec: c.nats, stats: c.natsStats[part] as SharedArrayBuffer, window } };
  return { edge, target, rings: (c.grid as RingHandle[][]).map((row) => row[part] as RingHandle), nats: null };
}

export class Pipeline {
  readonly #opts: PipelineOptions;
  readonly #pools: Piscina[] = [];
  readonly #slots: Slot[] = [];
  readonly #log: Logger;
  readonly #rings: RingHandle[] = [];
  readonly #natsInputs: NatsInput[] = [];
  #restarts = 0;
  #stopping = false;
  #tuning: RuntimeTuning | null = null;

  private constructor(opts: PipelineOptions) {
    this.#opts = opts;
    this.#log = opts.logger.child({ component: 'supervisor' });
  }

  static async start(opts: PipelineOptions): Promise<Pipeline> {
    const p = new Pipeline(opts);
    await p.#build();
    return p;
  }

  get groups(): readonly Group[] {
    return this.#opts.groups;
  }

  /** The loop tuning the workers run with (spinUs resolved for this machine). */
  get tuning(): RuntimeTuning | null {
    return this.#tuning;
  }

  async #build(): Promise<void> {
    const { config, groups } = this.#opts;
    const bells = groups.map((g) => Array.from({ length: g.threads }, () => createDoorbell()));
    // chain[g]: the edge from group g to group g+1 (grid[m][n]: ring from partition m to n)
    const chain = groups.slice(0, -1).map((g, gi) => {
      const next = groups[gi + 1] as Group;
      const edge = `${g.stages[g.stages.length - 1]}->${next.stages[0]}` as EdgeName;
      return { edge, ...carrier(g.threads, next.threads, edge, config, bells[gi + 1] as SharedArrayBuffer[]) };
    });
    // Feedback edges from execution: order events, fills and positions to risk (its positions and
    // open orders), fills to signals (strategies' onFill). A target in execution's own worker is
    // fed directly; one in another group gets an M x N grid of rings (block policy: never dropped).
    const execG = groups.findIndex((g) => g.stages.includes('execution'));
    const execGroup = groups[execG] as Group;
    const feedbacks = FEEDBACK_TARGETS.map(({ stage, edge, kinds }) => {
      const tg = groups.findIndex((g) => g.stages.includes(stage));
      const target = groups[tg] as Group;
      // (a cluster node may run the target without execution, or neither: no feedback edge then)
      const c =
        tg === execG || tg < 0 || execG < 0
          ? null
          : carrier(execGroup.threads, target.threads, edge, config, bells[tg] as SharedArrayBuffer[]);
      return { stage, edge, kinds, group: tg, carrier: c };
    });
    // Boundary edges (a cluster node's): NATS ends in the first and last groups' workers.
    const { head, tail } = this.#opts.boundary ?? {};
    const firstGroup = groups[0] as Group;
    const headC: EdgeCarrier | null =
      head === undefined
        ? null
        : { grid: null, nats: head.nats, natsStats: Array.from({ length: firstGroup.threads }, () => createNatsStats()) };
    const tailC: EdgeCarrier | null = tail === undefined ? null : { grid: null, nats: tail.nats, natsStats: [] };
    await this.#setUpStreams(
      [...chain.map((c) => c.nats), ...feedbacks.map((f) => f.carrier?.nats ?? null), headC?.nats ?? null],
      [tailC?.nats ?? null],
    );
    // Spinning pays only when every busy worker has a core to itself.
    const spinUs = config.runtime.spinUs ?? (busyThreads(groups) < availableParallelism() ? 50 : 0);
    const tuning = { ...config.runtime, spinUs };
    this.#tuning = tuning;
    for (const c of [...chain, ...feedbacks.map((f) => f.carrier), headC]) {
      if (c?.grid) this.#rings.push(...c.grid.flat());
      if (c?.nats) for (const [n, stats] of c.natsStats.entries()) this.#natsInputs.push({ spec: c.nats, partition: n, stats });
    }

    for (const [gi, group] of groups.entries()) {
      const pool = new Piscina({
        filename: WORKER_ENTRY,
        minThreads: group.threads,
        maxThreads: group.threads,
        concurrentTasksPerWorker: 1,
        idleTimeout: 2 ** 31 - 1,
        maxQueue: 'auto',
      });
      // An error a worker throws outside its task (an uncaught exception in a callback) fails the
      // task, which restarts the partition; the pool's own 'error' event must not end the process.
      pool.on('error', (err: unknown) =>
        this.#log.error({ group: group.name, err: err instanceof Error ? err.message : String(err) }, 'worker thread error'),
      );
      this.#pools.push(pool);
      const stages: StageSpec[] = group.stages.map((name) => ({
        name,
        moduleUrl: this.#opts.stageModules[name],
        config: this.#opts.stageConfigs[name] ?? {},
      }));
      for (let part = 0; part < group.threads; part++) {
        const inputs: InputSpec[] = [];
        const upstream = chain[gi - 1];
        if (upstream) inputs.push(inputOf(upstream, upstream.edge, 0, part, config.nats.window));
        if (gi === 0 && headC && head) inputs.push(inputOf(headC, head.edge, 0, part, config.nats.window));
        for (const fb of feedbacks) {
          if (fb.carrier && gi === fb.group)
            inputs.push(inputOf(fb.carrier, fb.edge, group.stages.indexOf(fb.stage), part, config.nats.window));
        }
        const lastC = gi === groups.length - 1 ? tailC : null;
        const outputs = chain[gi]?.grid?.[part] ?? [];
        const natsOutput = chain[gi]?.nats ?? lastC?.nats ?? null;
        const feedback: FeedbackSpec[] =
          gi !== execG
            ? []
            : feedbacks.map((fb) => ({
                from: group.stages.indexOf('execution'),
                kinds: fb.kinds,
                localTarget: fb.carrier === null ? group.stages.indexOf(fb.stage) : null,
                rings: fb.carrier?.grid?.[part] ?? [],
                nats: fb.carrier?.nats ?? null,
              }));
        const doorbell = (bells[gi] as SharedArrayBuffer[])[part] as SharedArrayBuffer;
        const makeTask = (control: MessagePort, events: MessagePort): WorkerTask => ({
          group: group.name,
          stages,
          partition: part,
          partitions: group.threads,
          inputs,
          outputs,
          natsOutput,
          feedback,
          doorbell,
          registry: this.#opts.registry,
          marketView: this.#opts.marketView?.handle ?? null,
          control,
          events,
          tuning,
          maxDataAgeMs: config.freshness.maxDataAgeMs,
        });
        const slot: Slot = {
          group,
          groupIndex: gi,
          partition: part,
          api: null,
          done: Promise.resolve(null),
          stopping: false,
          failures: 0,
          final: null,
          makeTask,
        };
        this.#slots.push(slot);
      }
    }
    // Start consumers before producers: downstream groups first, so no source writes into a ring
    // nobody is reading yet (harmless, but it keeps start-up drops at zero).
    for (const slot of [...this.#slots].reverse()) this.#launch(slot);
    await Promise.all(this.#slots.map((s) => this.#ready(s)));
    this.#log.info({ groups: groups.map((g) => `${g.name}x${g.threads}`) }, 'pipeline started');
  }

  #launch(slot: Slot): void {
    const control = new MessageChannel();
    const events = new MessageChannel();
    events.port1.on('message', (msg: WorkerEvent) => this.#onEvent(msg));
    events.port1.unref();
    const task = slot.makeTask(control.port2, events.port2);
    const pool = this.#pools[slot.groupIndex] as Piscina;
    slot.api = Comlink.wrap<WorkerApi>(nodeEndpoint(control.port1));
    control.port1.unref();
    slot.done = pool.run(task, { transferList: [control.port2, events.port2] as never }).then(
      (final: WorkerStats) => {
        slot.final = final;
        events.port1.close();
        return final;
      },
      (err: unknown) => {
        events.port1.close();
        control.port1.close();
        if (this.#stopping || slot.stopping) return null;
        this.#restarts++;
        slot.failures++;
        const delay = Math.min(5000, 100 * 2 ** Math.min(slot.failures - 1, 6));
        this.#log.error(
          {
            group: slot.group.name,
            partition: slot.partition,
            err: err instanceof Error ? err.message : String(err),
            restartInMs: delay,
            restarts: this.#restarts,
          },
          'worker failed; restarting its partition',
        );
        setTimeout(() => {
          if (!this.#stopping) {
            this.#launch(slot);
            this.#ready(slot).then(
              () => this.#log.info({ group: slot.group.name, partition: slot.partition }, 'partition resumed'),
              // a replacement that fails again is restarted again by #launch's own failure path
              () => {},
            );
          }
        }, delay).unref();
        return null;
      },
    );
  }

  /**
   * Resolves once the worker's control endpoint answers (its cores are built). A worker that
   * fails while starting is relaunched by #launch; this waits for the replacement, and gives up
   * after five failures of the same partition.
   */
  async #ready(slot: Slot): Promise<void> {
    for (;;) {
      const api = slot.api as Comlink.Remote<WorkerApi>;
      const done = slot.done;
      const ended = done.then(() => false);
      if (await Promise.race([api.stats().then(() => true), ended])) return;
      if (this.#stopping || slot.failures >= 5) {
        throw new Error(`worker ${slot.group.name}[${slot.partition}] failed ${slot.failures} times during start-up`);
      }
      while (slot.done === done && !this.#stopping) await new Promise((r) => setTimeout(r, 20));
    }
  }

  #onEvent(msg: WorkerEvent): void {
    if (msg.event === 'error') this.#log.error({ group: msg.stage, partition: msg.partition, ...(msg.data as object) }, 'stage error');
    // a worker asks for a command on every partition of a stage (signals: disable a strategy that threw)
    if (msg.event === 'broadcast') {
      const d = msg.data as { stage: StageName; command: string; args: unknown };
      this.command(d.stage, d.command, d.args).catch((err: unknown) =>
        this.#log.warn({ group: msg.stage, command: d.command, err: (err as Error).message }, 'broadcast command failed'),
      );
    }
    this.#opts.onEvent?.(msg);
  }

  /** Per-stage totals plus each worker's own stats. */
  async stats(): Promise<PipelineStats> {
    const workers = (
      await Promise.all(
        this.#slots.map(async (s) => {
          if (s.final) return s.final;
          // A call in flight when a worker dies is never answered: bound every call.
          try {
            return await withTimeout((s.api as Comlink.Remote<WorkerApi>).stats(), 1000);
          } catch {
            return null;
          }
        }),
      )
    ).filter((w): w is WorkerStats => w !== null);
    return {
      stages: totals(workers),
      workers,
      restarts: this.#restarts,
      queueDelay: mergeBy(workers, (w) => w.queueDelay),
      serviceTime: mergeBy(workers, (w) => w.serviceTime),
    };
  }

  /**
   * Occupancy and drop counters of every ring, read straight from the rings' control words in
   * shared memory: no message to any worker, so it answers even when a worker is busy or blocked.
   * Edges on NATS are listed the same way (from counters their consumers keep in shared memory),
   * with `transport: 'nats'`.
   */
  ringStats(): (RingCounters & { transport: 'ring' | 'nats' })[] {
    return [
      ...this.#rings.map((h) => ({ ...readCounters(h), transport: 'ring' as const })),
      ...this.#natsInputs.map((n) => ({ ...readNatsStats(n), transport: 'nats' as const })),
    ];
  }

  /**
   * Creates the streams (and durable consumers) of the edges on NATS before any worker starts,
   * and empties the lossy ones this node reads (`read`: what an earlier run left in them is
   * stale). A stream it only writes (`written`: a cluster node's outgoing edge) is left as it is:
   * other nodes may write it too, and what they wrote is still owed to the reader, which empties
   * it when it starts itself.
   */
  async #setUpStreams(read: readonly (NatsEdgeSpec | null)[], written: readonly (NatsEdgeSpec | null)[]): Promise<void> {
    const reads = read.filter((s): s is NatsEdgeSpec => s !== null);
    const list = [...reads, ...written.filter((s): s is NatsEdgeSpec => s !== null)];
    const first = list[0];
    if (first === undefined) return;
    const { ensureEdgeStream, purgeLossyStream } = await import('@tickline/nats');
    const { connect } = await import('@nats-io/transport-node');
    const nc = await connect({ servers: first.url, name: 'tickline-supervisor' }).catch((err: unknown) => {
      throw new Error(`nats.url ${first.url}: cannot connect (${err instanceof Error ? err.message : String(err)})`);
    });
    try {
      // a lossy edge starts empty (an earlier run's backlog is stale); a block edge keeps what it owes
      for (const spec of list) {
        await ensureEdgeStream(nc, spec);
        if (reads.includes(spec)) await purgeLossyStream(nc, spec);
      }
    } finally {
      await nc.close();
    }
    this.#log.info({ edges: list.map((s) => s.edge), url: first.url }, 'NATS edge streams ready');
  }

  /** Sends a control command to a stage's core on every partition (or one). */
  async command(stage: StageName, command: string, args: unknown, partition?: number): Promise<unknown[]> {
    const slots = this.#slots.filter((s) => s.group.stages.includes(stage) && (partition === undefined || s.partition === partition));
    return Promise.all(slots.map((s) => (s.api as Comlink.Remote<WorkerApi>).command(stage, command, args)));
  }

  /**
   * Terminates the thread that runs a stage's partition, as a crash would (fault injection:
   * `tickline chaos`). The supervisor restarts the partition as after any failure. Returns the
   * thread id that was ended, or null when the partition has no running worker.
   */
  async terminateWorker(stage: StageName, partition = 0): Promise<number | null> {
    const slot = this.#slots.find((s) => s.group.stages.includes(stage) && s.partition === partition);
    if (slot?.api == null || this.#stopping) return null;
    const { threadId } = await withTimeout(slot.api.stats(), 2000);
    const worker = (this.#pools[slot.groupIndex] as Piscina).threads.find((t) => t.threadId === threadId);
    if (worker === undefined) return null;
    await worker.terminate();
    return threadId;
  }

  async pause(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.api?.pause()));
  }

  async resume(): Promise<void> {
    await Promise.all(this.#slots.map((s) => s.api?.resume()));
  }

  /**
   * Graceful stop: stop the sources, let each group drain its inputs in pipeline order, then end
   * every worker task and close the pools. Returns the final stats. `drained` runs once every
   * group has drained, while the workers still answer commands (e.g. a last report).
   */
  async stop(drainMs = 3000, drained?: () => Promise<void>): Promise<PipelineStats> {
    if (this.#stopping) return this.stats();
    const deadline = Date.now() + drainMs;
    for (let gi = 0; gi < this.#opts.groups.length; gi++) {
      const slots = this.#slots.filter((s) => s.groupIndex === gi);
      await Promise.all(
        slots.map((s) =>
          withTimeout(
            (s.api as Comlink.Remote<WorkerApi>).drain(Math.max(0, deadline - Date.now())),
            Math.max(50, deadline - Date.now() + 100),
          ).catch(() => false),
        ),
      );
    }
    await drained?.().catch((err: unknown) => this.#log.warn({ err: String(err) }, 'after-drain step failed'));
    this.#stopping = true;
    for (const s of this.#slots) {
      s.stopping = true;
      void s.api?.stop().catch(() => {});
    }
    await withTimeout(Promise.all(this.#slots.map((s) => s.done)), 1500).catch(() => {});
    const final = await this.stats();
    await Promise.all(this.#pools.map((p) => withTimeout(p.destroy(), 1000).catch(() => {})));
    this.#log.info({ restarts: this.#restarts }, 'pipeline stopped');
    return final;
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

function mergeBy(workers: readonly WorkerStats[], pick: (w: WorkerStats) => Record<string, HistogramSnapshot>) {
  const by = new Map<string, HistogramSnapshot[]>();
  for (const w of workers) {
    for (const [k, s] of Object.entries(pick(w) ?? {})) {
      const list = by.get(k);
      if (list) list.push(s);
      else by.set(k, [s]);
    }
  }
  return Object.fromEntries([...by].map(([k, list]) => [k, mergeSnapshots(list)]));
}

const GAUGE_KEY = /(Ns|Us|Ms|state)$/;

export function totals(workers: readonly WorkerStats[]): StageTotals[] {
  const by = new Map<StageName, StageTotals>();
  for (const w of workers) {
    for (const s of w.stages) {
      let t = by.get(s.stage);
      if (!t) {
        t = { stage: s.stage, workers: 0, processed: 0, emitted: 0, dropped: {}, core: {} };
        by.set(s.stage, t);
      }
      t.workers++;
      t.processed += s.processed;
      t.emitted += s.emitted;
      for (const [k, v] of Object.entries(s.dropped)) t.dropped[k] = (t.dropped[k] ?? 0) + v;
      // Counters add up across partitions; latencies and other gauges (keys ending in a time
      // unit or "state") do not: the worst partition's value is reported.
      for (const [k, v] of Object.entries(s.core)) t.core[k] = GAUGE_KEY.test(k) ? Math.max(t.core[k] ?? v, v) : (t.core[k] ?? 0) + v;
    }
  }
  return [...by.values()];
}
