/**
 * The `cluster` section of a tickline config: one file for the whole cluster. The rest of the
 * file is an ordinary tickline config (venue, risk, rings...) that every node shares; this
 * section says which node runs which stages for which shards of the instruments, and how nodes
 * reach NATS. Checked with the config DSL; `planCluster` then checks the section as a whole and
 * adds every violation at once (docs/cluster.md):
 *
 * - an instrument pinned to two shards, or to a shard that does not exist (it would be in none);
 * - a node, in `cluster.dashboard`, that is not one of `cluster.nodes`;
 * - a node's shard that does not exist; a node's stages that are not adjacent in pipeline order;
 * - a stage run by no node for some shard, or by two nodes for the same shard (its instruments
 *   would be processed twice);
 * - risk or execution split over nodes (portfolio limits have one owner: the node running risk
 *   for every shard), or signals away from execution (its fills feed back inside one node);
 * - a cross-node edge whose ring policy is `block` (must not lose a record) on a lossy stream
 *   (`discard: old`, a `maxAgeMs`, or not durable).
 */

import type { OverflowPolicy } from '@tickline/ring';
import {
  bool,
  EDGES,
  type EdgeName,
  type Issue,
  int,
  joinPath,
  list,
  map,
  num,
  obj,
  oneOf,
  optional,
  record,
  STAGES,
  type Schema,
  type StageName,
  str,
  violation,
} from '@tickline/runtime';
import { VENUE_NAMES } from '@tickline/wire';
import type { ShardRule } from './shard.js';

export const NODE_NAME = /^[A-Za-z0-9_-]{1,32}$/;
const NODE_NAME_TEXT = '1 to 32 letters, digits, "_" or "-"';
const MAX_SHARDS = 1024;

/** A node's shards: `all`, or a list of shard indexes. */
const nodeShards: Schema<'all' | number[]> = {
  allowed: `"all" or a list of shard indexes`,
  parse(v, path, issues) {
    if (v === 'all') return 'all';
    if (!Array.isArray(v)) return violation(issues, path, this.allowed, v, [] as number[]);
    return list(int(0, MAX_SHARDS - 1, 0), []).parse(v, path, issues);
  },
};

const instrumentId = str('', new RegExp(`^(${VENUE_NAMES.join('|')}):\\S{1,64}$`), 'a canonical instrument id <venue>:<symbol>');

/** A cross-node edge's JetStream stream: the same bounds a ring has (see @tickline/nats). */
const streamShape = obj({
  /** When the stream is full: drop the oldest message (lossy) or refuse the new one. */
  discard: optional(oneOf(['old', 'new'] as const, 'new')),
  maxMsgs: optional(int(1, 1_000_000_000, 1_000_000)),
  maxBytes: optional(int(1024, 2 ** 40, 1 << 26)),
  /** Messages older than this expire (lossy); 0 = never. */
  maxAgeMs: optional(num(0, 86_400_000, 0)),
  /** Acknowledged, durable consumer: nothing is lost across a restart of either side. */
  durable: optional(bool(false)),
});

export const clusterSchema = obj({
  /** Names the cluster in every subject and stream (`tickline-<name>....`). */
  name: str('main', /^[a-z0-9][a-z0-9-]{0,49}$/, '1 to 50 lowercase letters, digits or "-", starting with a letter or digit'),
  nats: obj({ url: str('nats://127.0.0.1:4222', /^(nats|tls):\/\/\S+$/, 'a nats:// or tls:// URL') }),
  shards: obj({
    count: int(1, MAX_SHARDS, 1),
    /** Shard index -> instruments placed there whatever the hash says. */
    pin: map(list(instrumentId, [], 100_000), { pattern: /^\d{1,4}$/, allowed: 'a shard index' }),
  }),
  /** Every node publishes a heartbeat this often; a peer silent for `peerTimeoutMs` is down. */
  heartbeatMs: int(50, 60_000, 500),
  peerTimeoutMs: int(100, 600_000, 3000),
  /** How long a node waits for its peers at start (0: for ever), logging the missing ones. */
  startTimeoutMs: int(0, 86_400_000, 0),
  /** The node whose dashboard the operator opens (every node's shows the whole cluster). */
  dashboard: optional(str('', NODE_NAME, NODE_NAME_TEXT)),
  nodes: map(
    obj({
      stages: list(oneOf(STAGES, 'ingest'), [], STAGES.length),
      shards: nodeShards,
      http: obj({ host: optional(str('', /^[A-Za-z0-9.:-]{1,253}$/, 'a host name or IP address')), port: optional(int(0, 65_535, 0)) }),
      /** Journal and snapshots of this node (default: `<stateDir>/<node>`). */
      stateDir: optional(str('', /^\S+$/, 'a directory path')),
    }),
    { pattern: NODE_NAME, allowed: NODE_NAME_TEXT },
  ),
  edges: record(EDGES, obj({ stream: streamShape })),
});

export type ClusterSection = ReturnType<typeof clusterSchema.parse>;
export type StreamSettings = ClusterSection['edges'][string]['stream'];

export interface NodePlan {
  readonly name: string;
  readonly stages: readonly StageName[];
  readonly shards: readonly number[];
  readonly http: { readonly host?: string | undefined; readonly port?: number | undefined };
  readonly stateDir?: string | undefined;
}

/** An edge between two nodes: a NATS edge; `durable` for the edges that must lose nothing. */
export interface CrossEdge {
  readonly edge: EdgeName;
  readonly policy: OverflowPolicy;
  /** Bounds left out are the edge's rings' (their bytes and events together), as for any NATS edge. */
  readonly stream: {
    readonly discard: 'old' | 'new';
    readonly maxMsgs?: number | undefined;
    readonly maxBytes?: number | undefined;
    readonly maxAgeMs: number;
    readonly durable: boolean;
  };
  /** Producer node -> consumer node, per shard. */
  readonly routes: readonly { readonly shard: number; readonly from: string; readonly to: string }[];
}

export interface ClusterPlan {
  readonly name: string;
  readonly natsUrl: string;
  readonly rule: ShardRule;
  readonly nodes: ReadonlyMap<string, NodePlan>;
  /** Which node runs a stage for a shard. */
  readonly owner: (stage: StageName, shard: number) => string;
  readonly crossEdges: readonly CrossEdge[];
  /** The node running risk (and the portfolio limits) for every shard. */
  readonly riskOwner: string;
  readonly dashboard: string | undefined;
  readonly heartbeatMs: number;
  readonly peerTimeoutMs: number;
  readonly startTimeoutMs: number;
}

/** Feedback edges (fills, order events) stay inside the node that runs execution. */
const FEEDBACK_EDGES: readonly EdgeName[] = ['execution->risk', 'execution->signals'];

/** Stages whose state is the whole portfolio: one node runs them for every shard. */
const PORTFOLIO_STAGES: readonly StageName[] = ['risk', 'execution'];

/** The default stream of an edge from its ring policy: the same loss semantics. */
function defaultStream(policy: OverflowPolicy): CrossEdge['stream'] {
  return {
    discard: policy === 'drop-oldest' ? 'old' : 'new',
    maxAgeMs: 0,
    durable: policy === 'block',
  };
}

/**
 * Checks the parsed section as a whole (see the file comment) and builds the plan. Violations go
 * to `issues` under `path` (the section's path, normally `cluster`); the plan is null when any
 * were found. `policyOf` gives an edge's effective ring policy (rings.edges or its default).
 */
export function planCluster(
  c: ClusterSection,
  policyOf: (edge: EdgeName) => OverflowPolicy,
  path: string,
  issues: Issue[],
): ClusterPlan | null {
  const before = issues.length;
  const at = (p: string) => joinPath(path, p);
  const count = c.shards.count;
  const names = Object.keys(c.nodes);
  if (names.length === 0) issues.push({ path: at('nodes'), message: 'is required (at least one node: name -> stages, shards)' });

  // pins: an instrument in exactly one existing shard
  const pins = new Map<string, number>();
  const pinnedAt = new Map<string, number[]>();
  for (const [key, ids] of Object.entries(c.shards.pin)) {
    const shard = Number(key);
    if (shard >= count) {
      issues.push({
        path: at(`shards.pin.${key}`),
        message: `names shard ${shard}, but shards.count is ${count} (shards 0 to ${count - 1}): ${ids.length} instrument(s) would be in no shard`,
      });
      continue;
    }
    for (const id of ids) {
      pinnedAt.set(id, [...(pinnedAt.get(id) ?? []), shard]);
      pins.set(id, shard);
    }
  }
  for (const [id, shards] of pinnedAt) {
    if (shards.length > 1)
      issues.push({
        path: at('shards.pin'),
        message: `pins ${id} to shards ${shards.join(' and ')}: an instrument must be in exactly one shard`,
      });
  }

  if (c.dashboard !== undefined && !Object.hasOwn(c.nodes, c.dashboard))
    issues.push({ path: at('dashboard'), message: `names unknown node "${c.dashboard}" (nodes: ${names.join(', ') || 'none'})` });

  const nodes = new Map<string, NodePlan>();
  for (const [name, n] of Object.entries(c.nodes)) {
    const np = at(`nodes.${name}`);
    const shards = n.shards === 'all' ? Array.from({ length: count }, (_, i) => i) : [...new Set(n.shards)];
    for (const s of shards) {
      if (s >= count)
        issues.push({ path: `${np}.shards`, message: `names shard ${s}, but shards.count is ${count} (shards 0 to ${count - 1})` });
    }
    if (n.stages.length === 0)
      issues.push({ path: `${np}.stages`, message: `is required (adjacent stages in pipeline order: ${STAGES.join(' -> ')})` });
    const idx = n.stages.map((s) => STAGES.indexOf(s));
    if (idx.some((x, k) => k > 0 && x !== (idx[k - 1] as number) + 1))
      issues.push({
        path: `${np}.stages`,
        message: `must list adjacent stages in pipeline order (${STAGES.join(' -> ')}), got ${n.stages.join(', ')}`,
      });
    nodes.set(name, { name, stages: n.stages, shards: shards.filter((s) => s < count), http: n.http, stateDir: n.stateDir });
  }

  // every stage, every shard: exactly one node
  const owners = new Map<string, string>();
  for (const stage of STAGES) {
    const none: number[] = [];
    for (let s = 0; s < count; s++) {
      const runs = [...nodes.values()].filter((n) => n.stages.includes(stage) && n.shards.includes(s)).map((n) => n.name);
      if (runs.length === 0) none.push(s);
      else if (runs.length > 1)
        issues.push({
          path: at('nodes'),
          message: `stage ${stage} of shard ${s} is run by ${runs.length} nodes (${runs.join(', ')}): its instruments would be processed twice`,
        });
      if (runs[0] !== undefined) owners.set(`${stage}/${s}`, runs[0]);
    }
    if (none.length > 0 && names.length > 0)
      issues.push({
        path: at('nodes'),
        message: `stage ${stage} is run by no node for shard${none.length > 1 ? 's' : ''} ${none.join(', ')}`,
      });
  }
  for (const stage of PORTFOLIO_STAGES) {
    const runs = new Set([...Array(count).keys()].map((s) => owners.get(`${stage}/${s}`)).filter((x) => x !== undefined));
    if (runs.size > 1)
      issues.push({
        path: at('nodes'),
        message: `stage ${stage} must be run by one node for every shard (portfolio limits have one owner, docs/cluster.md), got ${[...runs].join(', ')}`,
      });
  }
  const owner = (stage: StageName, shard: number) => owners.get(`${stage}/${shard}`) as string;

  // cross-node edges and their streams
  const crossEdges: CrossEdge[] = [];
  for (const edge of EDGES) {
    const [from, to] = edge.split('->') as [StageName, StageName];
    const routes: { shard: number; from: string; to: string }[] = [];
    for (let s = 0; s < count; s++) {
      const a = owners.get(`${from}/${s}`);
      const b = owners.get(`${to}/${s}`);
      if (a !== undefined && b !== undefined && a !== b) routes.push({ shard: s, from: a, to: b });
    }
    const policy = policyOf(edge);
    const given: Partial<StreamSettings> = c.edges[edge]?.stream ?? {};
    const base = defaultStream(policy);
    const stream: CrossEdge['stream'] = {
      discard: given.discard ?? base.discard,
      maxMsgs: given.maxMsgs ?? base.maxMsgs,
      maxBytes: given.maxBytes ?? base.maxBytes,
      maxAgeMs: given.maxAgeMs ?? base.maxAgeMs,
      durable: given.durable ?? base.durable,
    };
    if (policy === 'block') {
      const lossy = [
        ...(stream.discard === 'old' ? ['discard: old'] : []),
        ...(stream.maxAgeMs > 0 ? [`maxAgeMs: ${stream.maxAgeMs}`] : []),
        ...(!stream.durable ? ['durable: false'] : []),
      ];
      if (lossy.length > 0)
        issues.push({
          path: at(`edges.${edge}.stream`),
          message: `is lossy (${lossy.join(', ')}) but ${edge} has policy block (must lose nothing): use discard: new, maxAgeMs: 0, durable: true, or another rings.edges.${edge}.policy`,
        });
    }
    if (routes.length > 0 && FEEDBACK_EDGES.includes(edge))
      issues.push({
        path: at('nodes'),
        message: `${edge} would cross nodes (${[...new Set(routes.map((r) => `${r.from} -> ${r.to}`))].join(', ')}): run ${to} on the node that runs execution`,
      });
    if (routes.length > 0) crossEdges.push({ edge, policy, stream, routes });
  }
  if (issues.length > before) return null;
  return {
    name: c.name,
    natsUrl: c.nats.url,
    rule: { count, pins },
    nodes,
    owner,
    crossEdges,
    riskOwner: owner('risk', 0),
    dashboard: c.dashboard,
    heartbeatMs: c.heartbeatMs,
    peerTimeoutMs: c.peerTimeoutMs,
    startTimeoutMs: c.startTimeoutMs,
  };
}
