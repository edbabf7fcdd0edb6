/**
 * The runtime's part of the tickline config: threads per stage, placement (fusion), ring
 * capacities and per-edge policies, loop tuning. Stage-specific sections are validated by the
 * stages' own schemas, which the CLI passes in.
 */

import type { OverflowPolicy } from '@tickline/ring';
import { Body } from '@tickline/wire';
import { STAGES, type StageName } from '../stage.js';
import { type Issue, int, list, num, obj, oneOf, optional, record, type Schema, str, violation } from './schema.js';

/** Edges of the default chain plus the feedback edge, named "<from>-><to>". */
export const EDGES = [
  'ingest->normalize',
  'normalize->book',
  'book->signals',
  'signals->risk',
  'risk->execution',
  'execution->risk',
  'execution->signals',
] as const;
export type EdgeName = (typeof EDGES)[number];

export interface EdgePolicy {
  readonly policy: OverflowPolicy;
  /** Max age by origin time; 'freshness' = the run's `freshness.maxDataAgeMs`. */
  readonly maxAgeMs: number | 'freshness';
  /** Record kinds the max age applies to (others never expire); default every kind. */
  readonly maxAgeKinds?: readonly number[];
  /** Block policy: the producer waits at most this long, then drops (counted, marked). */
  readonly blockTimeoutMs?: number;
  /** Drop-oldest policy: how long the producer waits for the consumer to discard its backlog. */
  readonly dropWaitMs?: number;
  /**
   * Market-data edges are sized by time: bytes one market-data event takes on this edge
   * (measured on the embedded exchange's stream, docs/benchmarks.md), times `rings.eventsPerSec`,
   * times the edge's share of `rings.holdMs`.
   */
  readonly bytesPerEvent?: number;
  /** This edge's share of `rings.holdMs` (default 1). */
  readonly holdShare?: number;
}

/**
 * On the intent edges only decisions expire: signals and order intents older than the bound are
 * dropped unread. Book views and marks ride the same rings and never expire (a dropped state
 * change would leave risk with a wrong book); they are conflated upstream instead.
 */
const DECISIONS: readonly number[] = [Body.Signal, Body.OrderIntent];

/**
 * Defaults, chosen by what the records mean (docs/architecture.md, "Freshness"):
 * - ingest -> normalize: ingest never waits (the socket is always read). It sheds whole
 *   instruments by the queue's age before the ring fills (ingest.maxBacklogMs), so a refusal
 *   here is a last resort it also handles per instrument.
 * - normalize -> book: a lost delta is a gap, so normalize waits for book (up to 1 s) and the
 *   backlog builds where ingest measures and sheds it, one instrument at a time.
 * - book -> signals: only the latest view matters: views are conflated per batch at book, and a
 *   full ring drops its oldest without making book wait.
 * - signals -> risk, risk -> execution: decisions expire at the freshness bound.
 * - execution -> risk / signals: fills and order events are never dropped.
 */
export const DEFAULT_EDGE_POLICIES: Readonly<Record<EdgeName, EdgePolicy>> = {
  'ingest->normalize': { policy: 'drop-newest', maxAgeMs: 0, bytesPerEvent: 80 },
  // Short (an eighth of holdMs): a full ring makes normalize wait, which moves the backlog to
  // ingest -> normalize, the queue ingest measures and sheds on; a long one would hide it here.
  'normalize->book': { policy: 'block', maxAgeMs: 0, blockTimeoutMs: 1000, bytesPerEvent: 48, holdShare: 0.125 },
  'book->signals': { policy: 'drop-oldest', maxAgeMs: 0, dropWaitMs: 0, bytesPerEvent: 120, holdShare: 0.25 },
  'signals->risk': { policy: 'drop-newest', maxAgeMs: 'freshness', maxAgeKinds: DECISIONS },
  'risk->execution': { policy: 'drop-newest', maxAgeMs: 'freshness', maxAgeKinds: DECISIONS },
  'execution->risk': { policy: 'block', maxAgeMs: 0 },
  'execution->signals': { policy: 'block', maxAgeMs: 0 },
};

/** Ring capacity of an edge with no default of its own (4 MiB). */
export const DEFAULT_RING_BYTES = 1 << 22;

const POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'drop-newest', 'block'];

/** What carries an edge: shared-memory rings (default) or a NATS JetStream stream (docs/nats.md). */
export const TRANSPORTS = ['ring', 'nats'] as const;
export type EdgeTransport = (typeof TRANSPORTS)[number];

const capacity = (def: number): Schema<number> => {
  const allowed = 'a power of two from 1024 to 1073741824';
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return def;
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1024 || n > 2 ** 30 || (n & (n - 1)) !== 0)
        return violation(issues, path, allowed, v, def);
      return n;
    },
  };
};

const threads = obj(Object.fromEntries(STAGES.map((s) => [s, int(1, 64, 1)])) as Record<StageName, Schema<number>>);

/** The runtime's settings, as a shape the CLI composes into the full config schema. */
export const runtimeShape = {
  threads,
  /**
   * 'configured': `threads` and `fuse` as given (default: one pool per stage). 'auto': a named
   * placement chosen by the machine's core count (placement.ts), `fuse` and `threads` ignored.
   */
  placement: oneOf(['configured', 'auto'] as const, 'configured'),
  fuse: list(str('', /^[a-z]+(\+[a-z]+)+$/, 'adjacent stages joined by "+", e.g. "normalize+book"'), []),
  rings: obj({
    /** Market-data rings hold `holdMs` of data at this rate of market-data events (bytes follow). */
    eventsPerSec: int(1000, 100_000_000, 200_000),
    holdMs: int(10, 60_000, 400),
    capacityBytes: optional(capacity(1 << 22)),
    edges: record(
      EDGES,
      obj({
        capacityBytes: optional(capacity(1 << 22)),
        policy: optional(oneOf(POLICIES, 'drop-newest')),
        maxAgeMs: optional(num(0, 3_600_000, 0)),
        /** 'nats': the edge is a JetStream stream on `nats.url` instead of rings (docs/nats.md). */
        transport: optional(oneOf(TRANSPORTS, 'ring')),
      }),
    ),
  }),
  /** The NATS server of edges with `transport: nats` (docs/nats.md). */
  nats: obj({
    url: optional(str('', /^(nats|tls):\/\/\S+$/, 'a NATS URL such as nats://127.0.0.1:4222')),
    /** First subject token and stream-name prefix: several pipelines can share one server. */
    prefix: str('tickline', /^[a-z0-9][a-z0-9-]{0,63}$/, 'one subject token of lowercase letters, digits and "-", e.g. "tickline"'),
    /** Messages a consuming worker asks for ahead of what it has handled (per partition). */
    window: int(1, 65_536, 512),
    /**
     * Records per message at most (those of one flush, within 64 KiB); 1 sends each record alone
     * on its instrument's subject.
     */
    batch: int(1, 4096, 64),
  }),
  freshness: obj({
    /**
     * No decision on market data older than this (ms since its local receive time at ingest):
     * strategies skip it, risk rejects intents made on it, execution never sends them, and the
     * intent edges drop them. 0 turns the bound off (replays that keep recorded times).
     */
    maxDataAgeMs: num(0, 3_600_000, 50),
  }),
  runtime: obj({
    batch: int(1, 65_536, 256),
    /**
     * Busy-wait before parking an idle worker (µs). Unset: 50 when every busy worker thread has a
     * core of its own, 0 when they outnumber the cores (a spinning thread then only takes a
     * time slice from a thread with work).
     */
    spinUs: optional(int(0, 100_000, 50)),
    tickMs: int(1, 60_000, 10),
    yieldMs: int(1, 1000, 5),
    /**
     * Workers that only compute run this much nicer than those serving sockets (ingest, the
     * order gateway), so with more busy threads than cores the sockets are read first (Linux).
     */
    computeNice: int(0, 19, 5),
  }),
};

export const runtimeSchema = obj(runtimeShape);

export type RuntimeConfig = ReturnType<typeof runtimeSchema.parse>;

/** A placement group: stages that run fused in one worker, with the group's thread count. */
export interface Group {
  readonly name: string;
  readonly stages: readonly StageName[];
  readonly threads: number;
}

/**
 * Turns `fuse` into the chain of groups. Each fused group must list adjacent stages in pipeline
 * order, and a stage may be in one group only. A group runs with the largest thread count of its
 * stages. Problems are added to `issues` (path `fuse[i]`).
 */
export function placementGroups(config: RuntimeConfig, issues: Issue[]): Group[] {
  const owner = new Map<StageName, number>();
  const fused: StageName[][] = [];
  config.fuse.forEach((spec, i) => {
    const names = spec.split('+');
    const bad = names.filter((n) => !(STAGES as readonly string[]).includes(n));
    if (bad.length > 0) {
      issues.push({ path: `fuse[${i}]`, message: `names unknown stage(s) ${bad.join(', ')} (stages: ${STAGES.join(', ')})` });
      return;
    }
    const idx = names.map((n) => STAGES.indexOf(n as StageName));
    if (idx.some((x, k) => k > 0 && x !== (idx[k - 1] as number) + 1)) {
      issues.push({ path: `fuse[${i}]`, message: `must list adjacent stages in pipeline order (${STAGES.join(' -> ')}), got ${spec}` });
      return;
    }
    for (const n of names as StageName[]) {
      if (owner.has(n)) {
        issues.push({ path: `fuse[${i}]`, message: `stage ${n} is already fused in fuse[${owner.get(n)}]` });
        return;
      }
    }
    for (const n of names as StageName[]) owner.set(n, fused.length);
    fused.push(names as StageName[]);
  });
  const groups: Group[] = [];
  for (let s = 0; s < STAGES.length; ) {
    const stage = STAGES[s] as StageName;
    const g = owner.has(stage) ? (fused[owner.get(stage) as number] as StageName[]) : [stage];
    groups.push({ name: g.join('+'), stages: g, threads: Math.max(...g.map((n) => config.threads[n])) });
    s += g.length;
  }
  transportIssues(config, groups, issues);
  return groups;
}

/** The transport an edge is configured with. */
export function edgeTransport(config: RuntimeConfig, edge: EdgeName): EdgeTransport {
  return config.rings.edges[edge]?.transport ?? 'ring';
}

/**
 * Edges on NATS need `nats.url`, and must run between two placement groups: inside a fused
 * group no edge exists to carry (the stages call each other directly).
 */
function transportIssues(config: RuntimeConfig, groups: readonly Group[], issues: Issue[]): void {
  const groupOf = (stage: StageName) => groups.findIndex((g) => g.stages.includes(stage));
  let nats = false;
  for (const edge of EDGES) {
    if (edgeTransport(config, edge) !== 'nats') continue;
    nats = true;
    const [from, to] = edge.split('->') as [StageName, StageName];
    const g = groups[groupOf(from)];
    if (g !== undefined && groupOf(from) === groupOf(to)) {
      issues.push({
        path: `rings.edges.${edge}.transport`,
        message: `must be "ring" while ${from} and ${to} run fused in one worker (${g.name}); split them in "fuse" to carry ${edge} over NATS`,
      });
    }
  }
  if (nats && config.nats.url === undefined) {
    issues.push({ path: 'nats.url', message: 'is required when an edge has transport "nats" (a NATS URL such as nats://127.0.0.1:4222)' });
  }
}

export interface ResolvedEdgePolicy {
  readonly policy: OverflowPolicy;
  readonly maxAgeMs: number;
  readonly maxAgeKinds?: readonly number[];
  readonly blockTimeoutMs?: number;
  readonly dropWaitMs?: number;
  readonly capacityBytes: number;
}

/** Smallest power of two >= n, within the ring's limits (256 KiB .. 1 GiB for timed rings). */
function timedCapacity(bytes: number): number {
  let c = 1 << 18;
  while (c < bytes && c < 2 ** 30) c *= 2;
  return c;
}

export function edgePolicy(config: RuntimeConfig, edge: EdgeName): ResolvedEdgePolicy {
  const o: { policy?: OverflowPolicy | undefined; maxAgeMs?: number | undefined; capacityBytes?: number | undefined } =
    config.rings.edges[edge] ?? {};
  const d = DEFAULT_EDGE_POLICIES[edge];
  const maxAge = o.maxAgeMs ?? d.maxAgeMs;
  const timed =
    d.bytesPerEvent === undefined
      ? undefined
      : timedCapacity((d.bytesPerEvent * config.rings.eventsPerSec * config.rings.holdMs * (d.holdShare ?? 1)) / 1000);
  const policy = o.policy ?? d.policy;
  return {
    policy,
    maxAgeMs: maxAge === 'freshness' ? config.freshness.maxDataAgeMs : maxAge,
    ...(d.maxAgeKinds !== undefined ? { maxAgeKinds: d.maxAgeKinds } : {}),
    ...(d.blockTimeoutMs !== undefined && policy === 'block' ? { blockTimeoutMs: d.blockTimeoutMs } : {}),
    ...(d.dropWaitMs !== undefined && policy === 'drop-oldest' ? { dropWaitMs: d.dropWaitMs } : {}),
    capacityBytes: o.capacityBytes ?? config.rings.capacityBytes ?? timed ?? DEFAULT_RING_BYTES,
  };
}
