/**
 * Pipeline health for the dashboard, built from one stats poll and the previous one: stage
 * throughput, ring occupancy and drops by edge, worker load, feed and book state, latency
 * percentiles, and where the time goes (queueing delay per edge, service time per stage over a
 * window of polls, with the bottleneck marked; see timing-view.ts). It also notices changes worth an entry in the event log (feed down/up,
 * reconnects, worker restarts), since the ingest stage reports those in its counters.
 */

import { type LatencyHistogram, percentilesMs } from './latency.js';
import type { Timings } from './metrics.js';
import { type RingStat, type Stats, stageTotals } from './stats-model.js';
import { type TimingView, TimingWindow } from './timing-view.js';

export interface HealthView {
  ts: number;
  stages: { stage: string; workers: number; processed: number; emitted: number; perSec: number; dropped: Record<string, number> }[];
  groups: { group: string; partitions: number; busyMax: number }[];
  edges: {
    edge: string;
    rings: number;
    usedBytes: number;
    capacity: number;
    occupancy: number;
    perSec: number;
    dropped: Record<string, number>;
  }[];
  latency: { metric: string; stage: string; p50: number; p99: number; p999: number; max: number; count: number }[];
  /** Queueing delay per edge and service time per stage, windowed and since start. */
  timing: TimingView;
  feed: {
    venue: string;
    connectionsUp: number;
    connections: number;
    reconnects: number;
    disconnects: number;
    framesPerSec: number;
    instrumentsActive: number;
  };
  book: { syncing: number; live: number; reseeding: number; gaps: number; checksumFailures: number; resyncs: number };
  restarts: number;
}

export interface HealthChange {
  kind: 'feed' | 'error';
  text: string;
}

export class HealthMonitor {
  readonly #venue: string;
  #prev: { ts: number; processed: Map<string, number>; edges: Map<string, number>; frames: number } | null = null;
  #last: HealthView | null = null;
  readonly #timing = new TimingWindow();

  constructor(venue: string) {
    this.#venue = venue;
  }

  get last(): HealthView | null {
    return this.#last;
  }

  update(
    stats: Stats,
    rings: RingStat[],
    latencies: Map<string, Map<string, LatencyHistogram>>,
    timings: Timings,
    nowMs: number,
  ): { view: HealthView; changes: HealthChange[] } {
    const totals = stageTotals(stats);
    const prev = this.#prev;
    const dt = prev ? Math.max(0.001, (nowMs - prev.ts) / 1000) : 0;
    const rate = (now: number, before: number | undefined) => (prev && before !== undefined && now >= before ? (now - before) / dt : 0);
    const processed = new Map<string, number>();
    const stages: HealthView['stages'] = [];
    for (const [stage, t] of totals) {
      const volume = stage === 'ingest' ? t.emitted : t.processed;
      processed.set(stage, volume);
      stages.push({
        stage,
        workers: t.workers,
        processed: t.processed,
        emitted: t.emitted,
        perSec: rate(volume, prev?.processed.get(stage)),
        dropped: t.dropped,
      });
    }
    const groups = new Map<string, { group: string; partitions: number; busyMax: number }>();
    for (const w of stats.workers) {
      const g = groups.get(w.group) ?? { group: w.group, partitions: 0, busyMax: 0 };
      g.partitions++;
      g.busyMax = Math.max(g.busyMax, w.busyRatio);
      groups.set(w.group, g);
    }
    const edgeMap = new Map<string, HealthView['edges'][number]>();
    const edgeOut = new Map<string, number>();
    for (const r of rings) {
      const e = edgeMap.get(r.edge) ?? { edge: r.edge, rings: 0, usedBytes: 0, capacity: 0, occupancy: 0, perSec: 0, dropped: {} };
      e.rings++;
      e.usedBytes += r.usedBytes;
      e.capacity += r.capacity;
      if (r.capacity > 0) e.occupancy = Math.max(e.occupancy, r.usedBytes / r.capacity);
      for (const [k, v] of Object.entries(r.dropped)) e.dropped[k] = (e.dropped[k] ?? 0) + v;
      edgeMap.set(r.edge, e);
      edgeOut.set(r.edge, (edgeOut.get(r.edge) ?? 0) + r.recordsOut);
    }
    for (const [edge, e] of edgeMap) e.perSec = rate(edgeOut.get(edge) ?? 0, prev?.edges.get(edge));
    const ingest = totals.get('ingest')?.core ?? {};
    const bookCore = totals.get('book')?.core ?? {};
    const sumSuffix = (core: Record<string, number>, suffix: string) =>
      Object.entries(core).reduce((s, [k, v]) => (k.endsWith(`.${suffix}`) && k.startsWith('venues.') ? s + v : s), 0);
    const frames = ingest.frames ?? 0;
    const latency: HealthView['latency'] = [];
    for (const [metric, byStage] of latencies)
      for (const [stage, h] of byStage) {
        const p = percentilesMs(h);
        if (p) latency.push({ metric, stage, ...p });
      }
    const view: HealthView = {
      ts: nowMs,
      stages,
      groups: [...groups.values()],
      edges: [...edgeMap.values()],
      latency,
      timing: this.#timing.update(nowMs, timings, stats.workers, new Map([...edgeMap].map(([edge, e]) => [edge, e.occupancy]))),
      feed: {
        venue: this.#venue,
        connectionsUp: ingest.connectionsUp ?? 0,
        connections: ingest.connections ?? 0,
        reconnects: ingest.reconnects ?? 0,
        disconnects: ingest.disconnects ?? 0,
        framesPerSec: prev ? rate(frames, prev.frames) : 0,
        instrumentsActive: ingest.instrumentsActive ?? 0,
      },
      book: {
        syncing: bookCore.syncing ?? 0,
        live: bookCore.live ?? 0,
        reseeding: bookCore.reseeding ?? 0,
        gaps: sumSuffix(bookCore, 'gaps'),
        checksumFailures: sumSuffix(bookCore, 'checksumFailures'),
        resyncs: sumSuffix(bookCore, 'resyncs'),
      },
      restarts: stats.restarts,
    };
    const changes = this.#changes(this.#last, view);
    this.#prev = { ts: nowMs, processed, edges: edgeOut, frames };
    this.#last = view;
    return { view, changes };
  }

  #changes(a: HealthView | null, b: HealthView): HealthChange[] {
    const out: HealthChange[] = [];
    if (!a) return out;
    if (b.feed.connectionsUp < a.feed.connectionsUp)
      out.push({ kind: 'feed', text: `feed down: ${b.feed.connectionsUp}/${b.feed.connections} connections up` });
    if (b.feed.reconnects > a.feed.reconnects)
      out.push({ kind: 'feed', text: `reconnected to ${b.feed.venue} (${b.feed.reconnects - a.feed.reconnects} reconnect(s))` });
    else if (b.feed.connectionsUp > a.feed.connectionsUp)
      out.push({ kind: 'feed', text: `feed up: ${b.feed.connectionsUp}/${b.feed.connections} connections up` });
    if (b.restarts > a.restarts) out.push({ kind: 'error', text: `${b.restarts - a.restarts} worker partition(s) restarted` });
    return out;
  }
}
