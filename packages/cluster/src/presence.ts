/**
 * Presence of the nodes of a cluster over core NATS: every node publishes a heartbeat on
 * `tickline.<cluster>.node.<node>.heartbeat` every `heartbeatMs` and listens to everyone's. A peer
 * is up from its first heartbeat and down once silent for `peerTimeoutMs` (a node killed with
 * kill -9 says nothing: its silence is the signal). A node starting before its peers waits for
 * them (`waitForPeers`), logging the missing ones by name until they come.
 *
 * The connection reconnects for ever (the NATS server may restart under a live cluster); each
 * reconnect re-subscribes (the client does it) and is logged, as is each disconnect.
 */

import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { ClusterError } from './errors.js';
import { Subjects } from './subjects.js';

export interface Heartbeat {
  readonly node: string;
  readonly pid: number;
  readonly stages: readonly string[];
  readonly shards: readonly number[];
  readonly startedAtMs: number;
  /** Instruments of the registry this node built, as a digest: peers must agree on numeric ids. */
  readonly registry: string;
  /** 'starting' while waiting for peers, 'running' once its pipeline runs. */
  readonly phase: 'starting' | 'running';
}

export interface PresenceOptions {
  readonly cluster: string;
  readonly natsUrl: string;
  readonly heartbeatMs: number;
  readonly peerTimeoutMs: number;
  readonly self: Heartbeat;
  readonly log: Logger;
}

export interface PeerState {
  readonly heartbeat: Heartbeat;
  readonly lastSeenMs: number;
  readonly up: boolean;
}

type PeerListener = (node: string, up: boolean, heartbeat: Heartbeat) => void;
type StatsListener = (node: string, stats: unknown) => void;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Largest heartbeat or stats message decoded; larger ones are counted and skipped. */
const MAX_CONTROL_BYTES = 1 << 20;

export class Presence {
  readonly subjects: Subjects;
  readonly #opts: PresenceOptions;
  readonly #nc: NatsConnection;
  readonly #peers = new Map<string, PeerState>();
  readonly #peerListeners = new Set<PeerListener>();
  readonly #statsListeners = new Set<StatsListener>();
  readonly #subs: Subscription[] = [];
  #self: Heartbeat;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** Control messages refused (too large, not JSON, not a heartbeat). */
  rejected = 0;
  reconnects = 0;

  private constructor(opts: PresenceOptions, nc: NatsConnection) {
    this.#opts = opts;
    this.#nc = nc;
    this.#self = opts.self;
    this.subjects = new Subjects(opts.cluster);
  }

  /** Connects (waiting for the server if it is not up yet) and starts the heartbeat. */
  static async start(opts: PresenceOptions): Promise<Presence> {
    if (!Number.isInteger(opts.heartbeatMs) || opts.heartbeatMs <= 0) throw new RangeError('opts.heartbeatMs must be a positive integer');
    if (!Number.isInteger(opts.peerTimeoutMs) || opts.peerTimeoutMs <= opts.heartbeatMs)
      throw new RangeError('opts.peerTimeoutMs must be an integer above opts.heartbeatMs');
    const nc = await connect({
      servers: opts.natsUrl,
      name: `tickline-${opts.cluster}-${opts.self.node}`,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      waitOnFirstConnect: true,
      pingInterval: 5000,
    });
    const p = new Presence(opts, nc);
    p.#watchStatus();
    p.#subscribe();
    p.#beat();
    p.#timer = setInterval(() => {
      p.#beat();
      p.#sweep();
    }, opts.heartbeatMs);
    p.#timer.unref();
    return p;
  }

  get connection(): NatsConnection {
    return this.#nc;
  }

  /** Every peer seen so far (this node excluded). */
  peers(): ReadonlyMap<string, PeerState> {
    return this.#peers;
  }

  /** Updates what this node announces (e.g. its phase) and sends it at once. */
  update(change: Partial<Heartbeat>): void {
    this.#self = { ...this.#self, ...change };
    this.#beat();
  }

  onPeer(fn: PeerListener): () => void {
    this.#peerListeners.add(fn);
    return () => this.#peerListeners.delete(fn);
  }

  onStats(fn: StatsListener): () => void {
    this.#statsListeners.add(fn);
    return () => this.#statsListeners.delete(fn);
  }

  /** Publishes this node's stats for every node's dashboard. */
  publishStats(stats: unknown): void {
    if (this.#closed || this.#nc.isClosed()) return;
    this.#nc.publish(this.subjects.stats(this.#self.node), encoder.encode(JSON.stringify(stats)));
  }

  /**
   * Resolves once every node in `required` is up (and, with `phase`, announces that phase),
   * logging the missing ones at once and every `logEveryMs` after. Rejects with
   * TKL_ERR_CLUSTER_PEERS after `timeoutMs` (0: waits for ever).
   */
  async waitForPeers(required: readonly string[], timeoutMs = 0, logEveryMs = 5000, phase?: Heartbeat['phase']): Promise<void> {
    const missing = () =>
      required.filter((n) => {
        const p = this.#peers.get(n);
        return n !== this.#self.node && (p?.up !== true || (phase !== undefined && p.heartbeat.phase !== phase));
      });
    if (missing().length === 0) return;
    const started = Date.now();
    const what = (m: string[]) => (phase === undefined ? `peers: ${m.join(', ')}` : `${m.join(', ')} to be ${phase}`);
    this.#opts.log.warn({ missing: missing(), ...(phase ? { phase } : {}) }, `waiting for ${what(missing())}`);
    let lastLog = started;
    await new Promise<void>((resolve, reject) => {
      const check = () => {
        const m = missing();
        if (m.length === 0) {
          clearInterval(t);
          off();
          this.#opts.log.info(
            { waitedMs: Date.now() - started },
            phase === undefined ? 'every peer is up' : `${required.join(', ')} ${phase}`,
          );
          resolve();
        } else if (timeoutMs > 0 && Date.now() - started >= timeoutMs) {
          clearInterval(t);
          off();
          const not = phase === undefined ? 'peers still missing' : `peers not ${phase}`;
          reject(new ClusterError('TKL_ERR_CLUSTER_PEERS', `${not} after ${timeoutMs} ms: ${m.join(', ')}`));
        } else if (Date.now() - lastLog >= logEveryMs) {
          lastLog = Date.now();
          this.#opts.log.warn({ missing: m }, `waiting for ${what(m)}`);
        }
      };
      const off = this.onPeer(() => check());
      const t = setInterval(check, Math.min(250, this.#opts.heartbeatMs));
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    for (const s of this.#subs) s.unsubscribe();
    await this.#nc.drain().catch(() => this.#nc.close());
  }

  #beat(): void {
    if (this.#closed || this.#nc.isClosed()) return;
    this.#nc.publish(this.subjects.heartbeat(this.#self.node), encoder.encode(JSON.stringify(this.#self)));
  }

  #sweep(): void {
    const now = Date.now();
    for (const [name, p] of this.#peers) {
      if (p.up && now - p.lastSeenMs > this.#opts.peerTimeoutMs) {
        this.#peers.set(name, { ...p, up: false });
        this.#opts.log.warn({ peer: name, silentMs: now - p.lastSeenMs }, `peer ${name} is down (no heartbeat)`);
        for (const fn of this.#peerListeners) fn(name, false, p.heartbeat);
      }
    }
  }

  #subscribe(): void {
    this.#subs.push(
      this.#nc.subscribe(this.subjects.heartbeats, {
        callback: (err, msg) => {
          if (err) return;
          const hb = this.#decode(msg.data);
          const node = this.subjects.nodeOf(msg.subject);
          if (!isHeartbeat(hb) || hb.node !== node) {
            this.rejected++;
            return;
          }
          if (node === this.#self.node) return;
          const prev = this.#peers.get(node);
          this.#peers.set(node, { heartbeat: hb, lastSeenMs: Date.now(), up: true });
          if (prev?.up !== true || prev.heartbeat.pid !== hb.pid) {
            if (hb.registry !== this.#self.registry)
              this.#opts.log.error(
                { peer: node, theirs: hb.registry, ours: this.#self.registry },
                `peer ${node} built a different instrument registry: records would name other instruments there`,
              );
            this.#opts.log.info({ peer: node, pid: hb.pid, stages: hb.stages, shards: hb.shards }, `peer ${node} is up`);
            for (const fn of this.#peerListeners) fn(node, true, hb);
          } else if (prev.heartbeat.phase !== hb.phase) for (const fn of this.#peerListeners) fn(node, true, hb);
        },
      }),
      this.#nc.subscribe(this.subjects.allStats, {
        callback: (err, msg) => {
          if (err) return;
          const node = this.subjects.nodeOf(msg.subject);
          const stats = this.#decode(msg.data);
          if (node === null || stats === undefined) {
            this.rejected++;
            return;
          }
          for (const fn of this.#statsListeners) fn(node, stats);
        },
      }),
    );
  }

  #decode(data: Uint8Array): unknown {
    if (data.length > MAX_CONTROL_BYTES) return undefined;
    try {
      return JSON.parse(decoder.decode(data));
    } catch {
      return undefined;
    }
  }

  #watchStatus(): void {
    void (async () => {
      for await (const s of this.#nc.status()) {
        if (s.type === 'disconnect') this.#opts.log.warn({ server: s.server }, 'NATS connection lost; reconnecting');
        else if (s.type === 'reconnect') {
          this.reconnects++;
          this.#opts.log.info({ server: s.server, reconnects: this.reconnects }, 'NATS reconnected; subscriptions restored');
          this.#beat();
        }
      }
    })().catch(() => {});
  }
}

function isHeartbeat(v: unknown): v is Heartbeat {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  return (
    typeof h.node === 'string' &&
    typeof h.pid === 'number' &&
    Array.isArray(h.stages) &&
    Array.isArray(h.shards) &&
    typeof h.startedAtMs === 'number' &&
    typeof h.registry === 'string' &&
    (h.phase === 'starting' || h.phase === 'running')
  );
}
