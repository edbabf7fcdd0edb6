/**
 * What every node's dashboard shows of the cluster: each node with its stages, shards, phase,
 * health and lag. A node measures itself (`NodeStats`, from its pipeline's stats: records per
 * stage, drops, restarts, and lag as the queueing delay of its edges over the last interval) and
 * publishes that on its stats subject; every node keeps the latest of each peer with what its own
 * presence says (up, silent for how long).
 */

import { type HistogramSnapshot, type Pipeline, type PipelineStats, percentilesOf, type StageName, windowOf } from '@tickline/runtime';
import type { ClusterPlan } from './cluster-config.js';
import { nodeBoundary } from './node-edges.js';
import type { Heartbeat, Presence } from './presence.js';

export interface NodeStats {
  readonly node: string;
  readonly pid: number;
  readonly atMs: number;
  readonly stages: readonly StageName[];
  readonly shards: readonly number[];
  readonly restarts: number;
  /** Per stage: records processed and emitted, drops by reason (cumulative). */
  readonly records: Record<string, { processed: number; emitted: number; dropped: number }>;
  /** Per edge: p99 queueing delay over the last stats interval (ms), null when nothing passed. */
  readonly lagP99Ms: Record<string, number | null>;
  /** Worst p99 lag over the node's edges (ms). */
  readonly lagMs: number | null;
  readonly natsReconnects: number;
  /**
   * Its cross-node edges: `in`, records its workers took from NATS and those found lost (holes
   * in a producer's sequence on a lossy edge, expired, corrupt); `out`, records its last stage
   * handed to NATS and those it dropped. `lostAtEnd` (in, at the end of a cluster replay, included in
   * `lost`): records its feeders handed over that it neither took nor found as holes, because
   * nothing of their producer came after them (discarded from the stream before it read them).
   */
  readonly edges: readonly {
    readonly edge: string;
    readonly side: 'in' | 'out';
    readonly moved: number;
    readonly lost: number;
    readonly lostAtEnd?: number;
  }[];
  /** Trading state where the node runs risk ('active', 'reducing', 'halted'). */
  readonly tradingState?: string;
  /**
   * A replaying node (`tickline replay FILE --node A`) whose file is through and whose rings are
   * empty: its `out` count is final, and it leaves soon (not a lost feed).
   */
  readonly replayDone?: boolean;
}

export type NodeHealth = 'ok' | 'starting' | 'degraded' | 'down' | 'unknown';

export interface ClusterNodeView {
  readonly name: string;
  readonly stages: readonly string[];
  readonly shards: readonly number[];
  readonly self: boolean;
  readonly up: boolean;
  readonly phase: Heartbeat['phase'] | null;
  readonly health: NodeHealth;
  /** How long ago this node last heard of it (ms); 0 for itself. */
  readonly silentMs: number | null;
  readonly stats: NodeStats | null;
}

export interface ClusterSnapshot {
  readonly cluster: string;
  readonly node: string;
  readonly dashboard: string | undefined;
  readonly riskOwner: string;
  readonly shards: number;
  readonly nodes: readonly ClusterNodeView[];
}

/** Lag above this (ms, p99 over the interval) makes a node degraded. */
const DEGRADED_LAG_MS = 250;

export class ClusterView {
  readonly #plan: ClusterPlan;
  readonly #self: string;
  readonly #stats = new Map<string, NodeStats>();
  readonly #peers = new Map<string, { up: boolean; phase: Heartbeat['phase']; seenMs: number }>();
  #lastQueue: Record<string, HistogramSnapshot> = {};
  #presence: Presence | null = null;
  /** Stats messages that were not a node's stats. */
  rejected = 0;

  constructor(plan: ClusterPlan, self: string) {
    this.#plan = plan;
    this.#self = self;
  }

  /** Reads when each peer was last heard from this presence. */
  attach(presence: Presence): void {
    this.#presence = presence;
  }

  /** The latest stats of a node (its own, or a peer's from its stats subject). */
  update(node: string, stats: unknown): void {
    if (!this.#plan.nodes.has(node) || !isNodeStats(stats) || stats.node !== node) {
      this.rejected++;
      return;
    }
    this.#stats.set(node, stats);
  }

  peer(node: string, up: boolean, hb: Heartbeat): void {
    this.#peers.set(node, { up, phase: hb.phase, seenMs: up ? Date.now() : (this.#peers.get(node)?.seenMs ?? Date.now()) });
  }

  /** This node's stats, measured now (lag over the interval since the previous call). */
  async localStats(pipeline: Pipeline, presence: Presence | null): Promise<NodeStats> {
    const node = this.#plan.nodes.get(this.#self);
    const s: PipelineStats = await pipeline.stats();
    const records: NodeStats['records'] = {};
    for (const t of s.stages) {
      records[t.stage] = { processed: t.processed, emitted: t.emitted, dropped: Object.values(t.dropped).reduce((a, b) => a + b, 0) };
    }
    const lagP99Ms: Record<string, number | null> = {};
    for (const [edge, snap] of Object.entries(s.queueDelay))
      lagP99Ms[edge] = percentilesOf(windowOf(snap, this.#lastQueue[edge]))?.p99Ms ?? null;
    this.#lastQueue = s.queueDelay;
    const lags = Object.values(lagP99Ms).filter((x): x is number => x !== null);
    const { head, tail } = nodeBoundary(this.#plan, this.#self);
    const edges: NodeStats['edges'][number][] = [];
    if (head) {
      const ends = pipeline.ringStats().filter((r) => r.name.startsWith(`${head.edge}[nats`));
      const sum = (f: (r: (typeof ends)[number]) => number) => ends.reduce((a, r) => a + f(r), 0);
      edges.push({
        edge: head.edge,
        side: 'in',
        moved: sum((r) => r.recordsOut),
        lost: sum((r) => Object.values(r.dropped).reduce((a, b) => a + b, 0)),
      });
    }
    if (tail) {
      const last = s.stages.find((t) => t.stage === node?.stages.at(-1));
      edges.push({
        edge: tail.edge,
        side: 'out',
        moved: last?.emitted ?? 0,
        lost: Object.values(last?.dropped ?? {}).reduce((a, b) => a + b, 0),
      });
    }
    const risk = node?.stages.includes('risk') ? s.stages.find((t) => t.stage === 'risk')?.core.state : undefined;
    return {
      node: this.#self,
      pid: process.pid,
      atMs: Date.now(),
      stages: node?.stages ?? [],
      shards: node?.shards ?? [],
      restarts: s.restarts,
      records,
      lagP99Ms,
      lagMs: lags.length > 0 ? Math.max(...lags) : null,
      natsReconnects: presence?.reconnects ?? 0,
      edges,
      ...(risk !== undefined ? { tradingState: (['active', 'reducing', 'halted'] as const)[risk] ?? String(risk) } : {}),
    };
  }

  snapshot(nowMs = Date.now()): ClusterSnapshot {
    const nodes = [...this.#plan.nodes.values()].map((n): ClusterNodeView => {
      const self = n.name === this.#self;
      const p = this.#peers.get(n.name);
      const stats = this.#stats.get(n.name) ?? null;
      const up = self || p?.up === true;
      const phase = self ? (stats ? 'running' : 'starting') : (p?.phase ?? null);
      const health: NodeHealth =
        !self && p === undefined
          ? 'unknown'
          : !up
            ? 'down'
            : phase === 'starting'
              ? 'starting'
              : (stats?.lagMs ?? 0) > DEGRADED_LAG_MS
                ? 'degraded'
                : 'ok';
      return {
        name: n.name,
        stages: n.stages,
        shards: n.shards,
        self,
        up,
        phase,
        health,
        silentMs: self ? 0 : p ? Math.max(0, nowMs - (this.#presence?.peers().get(n.name)?.lastSeenMs ?? p.seenMs)) : null,
        stats,
      };
    });
    return {
      cluster: this.#plan.name,
      node: this.#self,
      dashboard: this.#plan.dashboard,
      riskOwner: this.#plan.riskOwner,
      shards: this.#plan.rule.count,
      nodes,
    };
  }
}

function isNodeStats(v: unknown): v is NodeStats {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.node === 'string' &&
    typeof s.pid === 'number' &&
    typeof s.atMs === 'number' &&
    Array.isArray(s.stages) &&
    Array.isArray(s.shards) &&
    typeof s.records === 'object' &&
    s.records !== null &&
    typeof s.lagP99Ms === 'object' &&
    s.lagP99Ms !== null &&
    Array.isArray(s.edges) &&
    (s.replayDone === undefined || typeof s.replayDone === 'boolean')
  );
}
