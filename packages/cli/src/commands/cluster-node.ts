/**
 * `tickline run --config cluster.yaml --node A`: one node of a cluster (docs/cluster.md). The
 * node is an ordinary run with hooks: its ingest subscribes only its shards' instruments, it
 * waits for every peer before its pipeline starts (naming the missing ones), it publishes its
 * stats for every node's dashboard, and the node that runs risk halts trading on exactly the
 * instruments of a node that goes silent (kill -9, a lost host) until that node runs again.
 */

import { createHash } from 'node:crypto';
import {
  assignShard,
  type ClusterPlan,
  ClusterView,
  type Heartbeat,
  type NodePlan,
  type NodeStats,
  type CrossEdge,
  crossEdgePartitions,
  crossEdgeSpec,
  nodeBoundary,
  Presence,
} from '@tickline/cluster';
import { createLogger, type Pipeline, type StageName } from '@tickline/runtime';
import { canonicalName, type InstrumentRegistry, type InstrumentSpec, type VenueName } from '@tickline/wire';
import type { LoadedClusterConfig } from '../cluster-config.js';
import { type ReplayHooks, type ReplayOptions, replay } from './replay.js';
import { type RunHooks, type RunOptions, run } from './run.js';

/** A replay node fed by peers that are through ends after this long without a new record. */
const REPLAY_QUIET_MS = 3000;
/** Stages whose loss leaves a shard without books. */
const FEED_STAGES: readonly StageName[] = ['ingest', 'normalize', 'book'];

/** A digest of the registry (ids and names): every node must build the same one. */
export function registryDigest(registry: InstrumentRegistry): string {
  const h = createHash('sha256');
  for (const s of registry.list()) h.update(`${s.id}=${canonicalName(s.venue, s.symbol)}\n`);
  return h.digest('hex').slice(0, 16);
}

/** The instruments in `shards`, in registry order. */
function inShards(plan: ClusterPlan, registry: InstrumentRegistry, shards: readonly number[]): InstrumentSpec[] {
  const want = new Set(shards);
  return registry.list().filter((s) => want.has(assignShard(plan.rule, canonicalName(s.venue, s.symbol))));
}

/** The canonical ids of the instruments in `shards`, in registry order. */
export function shardInstruments(plan: ClusterPlan, registry: InstrumentRegistry, shards: readonly number[]): string[] {
  return inShards(plan, registry, shards).map((s) => canonicalName(s.venue, s.symbol));
}

export class ClusterNode {
  readonly plan: ClusterPlan;
  readonly node: NodePlan;
  readonly view: ClusterView;
  readonly #log: ReturnType<typeof createLogger>;
  #presence: Presence | null = null;
  #registry: InstrumentRegistry | null = null;
  #pipeline: Pipeline | null = null;
  #statsTimer: NodeJS.Timeout | null = null;
  /** Peers whose instruments this node's risk has halted. */
  readonly #halted = new Set<string>();
  /** Replaying peers whose file is through (their leaving is no lost feed). */
  readonly #replayed = new Set<string>();
  /** This node replayed its file (its stats say so). */
  #replayDone = false;
  /** Records this node had taken from its input edge, and since when (performance.now()). */
  #took = -1;
  #tookSince = 0;
  /** What the feeders handed to the input edge, once a replay ended short of it. */
  #sentAtShortEnd: number | null = null;
  readonly #venue: VenueName;
  readonly #loaded: LoadedClusterConfig;

  constructor(loaded: LoadedClusterConfig) {
    this.#loaded = loaded;
    this.#venue = loaded.config.venue.name;
    this.plan = loaded.plan;
    this.node = loaded.node;
    this.#log = createLogger(loaded.config.log.level).child({ node: this.node.name });
    this.view = new ClusterView(this.plan, this.node.name);
  }

  /** The NATS edges at the ends of this node's pipeline, as both of their ends build them. */
  #boundary(): NonNullable<RunHooks['boundary']> {
    const { head, tail } = nodeBoundary(this.plan, this.node.name);
    const config = this.#loaded.config;
    // partitions as every node runs them (every node parses the one config)
    const spec = (e: CrossEdge) => {
      const { producers, consumers } = crossEdgePartitions(e, this.#loaded.allGroups);
      return { edge: e.edge, nats: crossEdgeSpec(this.plan, e, config, producers, consumers) };
    };
    return { ...(head ? { head: spec(head) } : {}), ...(tail ? { tail: spec(tail) } : {}) };
  }

  get hooks(): RunHooks {
    return {
      boundary: this.#boundary(),
      selectSymbols: (_registry, symbols) => {
        const want = new Set(this.node.shards);
        return symbols.filter((s) => want.has(assignShard(this.plan.rule, canonicalName(this.#venue, s))));
      },
      beforePipeline: (registry, symbols) => this.#join(registry, symbols),
      started: (pipeline) => this.#started(pipeline),
      stopping: () => this.close(),
      cluster: { node: this.node.name, snapshot: () => this.view.snapshot() },
    };
  }

  /** The hooks of `tickline replay FILE --node X`: as a run's, the file in place of the venue. */
  get replayHooks(): ReplayHooks {
    const runsNormalize = this.node.stages.includes('normalize');
    return {
      boundary: this.#boundary(),
      ...(runsNormalize
        ? { keepInstruments: (registry: InstrumentRegistry) => inShards(this.plan, registry, this.node.shards).map((s) => s.id) }
        : {}),
      beforePipeline: (registry) =>
        this.#join(
          registry,
          inShards(this.plan, registry, this.node.shards).map((s) => s.symbol),
        ),
      started: async (pipeline) => {
        this.#started(pipeline);
        await this.#waitForConsumers();
      },
      replayed: async (pipeline) => {
        this.#replayDone = true;
        await this.#publishStats(pipeline);
      },
      complete: () => this.#replayComplete(),
      finalStats: async (pipeline) => this.#withLostAtEnd(await this.view.localStats(pipeline, this.#presence)),
      stopping: () => this.close(),
    };
  }

  /**
   * A node fed over NATS by replaying peers has everything once every one of them says its file
   * is through and this node took as many records from the edge as they handed to it.
   */
  #replayComplete(): boolean {
    const { head } = nodeBoundary(this.plan, this.node.name);
    if (head === undefined) return false;
    const feeders = new Set(head.routes.filter((r) => r.to === this.node.name).map((r) => r.from));
    const nodes = this.view.snapshot().nodes;
    let sent = 0;
    for (const n of nodes) {
      if (!feeders.has(n.name)) continue;
      if (n.stats?.replayDone !== true) return false;
      sent += n.stats.edges.find((e) => e.side === 'out' && e.edge === head.edge)?.moved ?? 0;
    }
    const mine = nodes.find((n) => n.self)?.stats?.edges.find((e) => e.side === 'in' && e.edge === head.edge);
    if (mine === undefined) return false; // its own first stats are not out yet
    const took = mine.moved;
    if (took >= sent) return true;
    // Every feeder is through but records are missing (lost on the way, counted there): once
    // nothing more has come for REPLAY_QUIET_MS, end rather than wait for ever, and say so.
    const now = performance.now();
    if (took !== this.#took) {
      this.#took = took;
      this.#tookSince = now;
      return false;
    }
    if (now - this.#tookSince < REPLAY_QUIET_MS) return false;
    const counted = mine.lost;
    const atEnd = Math.max(0, sent - took - counted);
    this.#sentAtShortEnd = sent;
    this.#log.warn(
      { took, sent, missing: sent - took, countedLost: counted, lostAtEnd: atEnd },
      `replay ends ${sent - took} record(s) short of what the peers sent: ${counted} found lost on the way (holes), ` +
        `${atEnd} lost at the end (nothing of their producer came after them)`,
    );
    return true;
  }

  /**
   * A replay that ended short: records of a producer that vanished from the stream after the last
   * one this node read leave no hole to find. The feeders' own counts say how many were sent, so
   * the rest is counted as lost at the end, on the input edge.
   */
  #withLostAtEnd(stats: NodeStats): NodeStats {
    const sent = this.#sentAtShortEnd;
    const head = nodeBoundary(this.plan, this.node.name).head;
    if (sent === null || head === undefined) return stats;
    const edges = stats.edges.map((e) => {
      if (e.side !== 'in' || e.edge !== head.edge) return e;
      const lostAtEnd = Math.max(0, sent - e.moved - e.lost);
      return { ...e, lost: e.lost + lostAtEnd, lostAtEnd };
    });
    return { ...stats, edges };
  }

  /**
   * A replaying node hands records on only once the nodes it feeds run: each empties the lossy
   * streams it reads when its pipeline starts (an earlier run's backlog), which would discard
   * what was replayed into them before.
   */
  async #waitForConsumers(): Promise<void> {
    const { tail } = nodeBoundary(this.plan, this.node.name);
    const fed = [...new Set(tail?.routes.filter((r) => r.from === this.node.name).map((r) => r.to) ?? [])];
    if (fed.length === 0 || this.#presence === null) return;
    await this.#presence.waitForPeers(fed, this.plan.startTimeoutMs, 5000, 'running');
  }

  async #publishStats(pipeline: Pipeline): Promise<void> {
    const stats = { ...(await this.view.localStats(pipeline, this.#presence)), ...(this.#replayDone ? { replayDone: true } : {}) };
    this.view.update(this.node.name, stats);
    this.#presence?.publishStats(stats);
  }

  async #join(registry: InstrumentRegistry, symbols: readonly string[]): Promise<void> {
    this.#registry = registry;
    const self: Heartbeat = {
      node: this.node.name,
      pid: process.pid,
      stages: this.node.stages,
      shards: this.node.shards,
      startedAtMs: Date.now(),
      registry: registryDigest(registry),
      phase: 'starting',
    };
    this.#log.info(
      { nats: this.plan.natsUrl, stages: this.node.stages, shards: this.node.shards, instruments: symbols.length, registry: self.registry },
      `cluster ${this.plan.name}: node ${this.node.name} joining`,
    );
    this.#presence = await Presence.start({
      cluster: this.plan.name,
      natsUrl: this.plan.natsUrl,
      heartbeatMs: this.plan.heartbeatMs,
      peerTimeoutMs: this.plan.peerTimeoutMs,
      self,
      log: this.#log,
    });
    this.view.attach(this.#presence);
    this.#presence.onStats((node, stats) => {
      this.view.update(node, stats);
      // (a replaying peer's last word: its file is through; its leaving is no lost feed)
      if (this.view.snapshot().nodes.find((n) => n.name === node)?.stats?.replayDone === true) this.#replayed.add(node);
    });
    this.#presence.onPeer((peer, up, hb) => this.#onPeer(peer, up, hb));
    await this.#presence.waitForPeers([...this.plan.nodes.keys()], this.plan.startTimeoutMs);
  }

  #started(pipeline: Pipeline): void {
    this.#pipeline = pipeline;
    const presence = this.#presence as Presence;
    const b = this.#boundary();
    this.#log.info(
      { edges: [...(b.head ? [`in ${b.head.edge}`] : []), ...(b.tail ? [`out ${b.tail.edge}`] : [])] },
      'cross-node edges open',
    );
    presence.update({ phase: 'running' });
    this.#statsTimer = setInterval(() => void this.#publishStats(pipeline).catch(() => {}), Math.max(250, this.plan.heartbeatMs * 2));
    this.#statsTimer.unref();
    // peers that went down before the pipeline ran
    for (const [peer, p] of this.#presence?.peers() ?? []) if (!p.up) this.#onPeer(peer, false, p.heartbeat);
  }

  /**
   * The risk owner's answer to a peer that feeds shards: silent -> its instruments are feed-down
   * (halted, their orders cancelled); running again -> they trade again once their books are live.
   */
  #onPeer(peer: string, up: boolean, hb: Heartbeat): void {
    this.view.peer(peer, up, hb);
    if (!up && this.#replayed.has(peer)) {
      this.#log.info({ peer }, `peer ${peer} finished its replay and left`);
      return;
    }
    if (!this.node.stages.includes('risk') || this.#pipeline === null || this.#registry === null) return;
    const peerPlan = this.plan.nodes.get(peer);
    if (peerPlan === undefined || !peerPlan.stages.some((s) => FEED_STAGES.includes(s))) return;
    const shards = peerPlan.shards.filter((s) => FEED_STAGES.some((st) => this.plan.owner(st, s) === peer));
    if (up && (hb.phase !== 'running' || !this.#halted.has(peer))) return;
    if (!up && this.#halted.has(peer)) return;
    const instruments = shardInstruments(this.plan, this.#registry, shards);
    const reason = `feed_down:node ${peer}`;
    if (up) this.#halted.delete(peer);
    else this.#halted.add(peer);
    void this.#pipeline.command('risk', 'halt-instruments', { instruments, on: !up, reason }).then(
      (answers) => {
        const a = answers[0] as { cancelled?: number } | undefined;
        if (up)
          this.#log.info(
            { peer, shards, instruments: instruments.length },
            `feed up: node ${peer} runs again; its instruments trade again`,
          );
        else
          this.#log.warn(
            { peer, shards, instruments: instruments.length, cancelled: a?.cancelled ?? 0 },
            `feed down: node ${peer} is gone; trading halted on its ${instruments.length} instruments, their open orders cancelled`,
          );
      },
      (err: unknown) => this.#log.error({ peer, err: String(err) }, 'halt-instruments failed'),
    );
  }

  async close(): Promise<void> {
    if (this.#statsTimer) clearInterval(this.#statsTimer);
    await this.#presence?.close();
  }
}

/**
 * Replays a file through one node of a cluster (`tickline replay FILE --config c.yaml --node A`):
 * a node running ingest replays the file keeping only its shards' instruments and ends at its
 * end; a node without ingest ends once everything its peers replayed has reached it.
 */
export async function replayClusterNode(loaded: LoadedClusterConfig, opts: ReplayOptions): Promise<number> {
  const node = new ClusterNode(loaded);
  return replay(loaded, opts, node.replayHooks);
}

/** Runs one node of a cluster until stopped (the exit code of the run). */
export async function runClusterNode(loaded: LoadedClusterConfig, opts: RunOptions): Promise<number> {
  const node = new ClusterNode(loaded);
  return run(loaded, opts, node.hooks);
}
