/**
 * A node's cross-node edges: the JetStream edges (@tickline/nats) at the ends of its pipeline
 * (Pipeline `boundary`: the NATS ends live in the workers of its first and last groups). Both ends
 * of an edge build the same spec from the cluster plan and the shared config, so they agree on the
 * stream: its subjects `<root>.<edge>.p<partition>.<instrument id>` (root `tickline-<cluster>`), its
 * limits (the ring's policy and max age, the stream's bytes and messages), and the consuming
 * node's partition count (one durable consumer per partition).
 */

import { type NatsEdgeSpec, natsEdgeSpec } from '@tickline/nats';
import { type Group, natsEdgeOf, type RuntimeConfig, type StageName } from '@tickline/runtime';
import type { ClusterPlan, CrossEdge } from './cluster-config.js';
import { Subjects } from './subjects.js';

/** The cross-node edges a node reads (`head`) and writes (`tail`), if any. */
export function nodeBoundary(plan: ClusterPlan, node: string): { head?: CrossEdge; tail?: CrossEdge } {
  const head = plan.crossEdges.find((e) => e.routes.some((r) => r.to === node));
  const tail = plan.crossEdges.find((e) => e.routes.some((r) => r.from === node));
  return { ...(head ? { head } : {}), ...(tail ? { tail } : {}) };
}

/**
 * The edge's spec, the same on both ends: sized as the runtime sizes any NATS edge (the bytes and
 * events its M x N rings would hold, `natsEdgeOf`) unless the edge's `stream` says otherwise, its
 * loss semantics from the `stream` settings (by default those of its ring policy): durable ->
 * block (acknowledged, file storage, nothing lost); `discard: old` -> drop-oldest; otherwise
 * drop-newest. `producers`: partitions of the producing stage over every node that produces;
 * `consumers`: partitions of the consuming stage.
 */
export function crossEdgeSpec(
  plan: ClusterPlan,
  edge: CrossEdge,
  config: RuntimeConfig,
  producers: number,
  consumers: number,
): NatsEdgeSpec {
  const root = new Subjects(plan.name).root;
  const base = natsEdgeOf({ ...config, nats: { ...config.nats, url: plan.natsUrl, prefix: root } }, edge.edge, producers, consumers);
  const s = edge.stream;
  // A stream holds what its consumer has not pulled yet, at the consumer's pace: with no time
  // bound a slow consumer reads seconds-old views, none of them fresh enough to act on. A lossy
  // cross-node edge with no bound of its own (ring or stream) expires its perishable records at
  // the run's freshness bound, as the decision edges do.
  const fresh = !s.durable && base.maxAgeMs === 0 && s.maxAgeMs === 0 ? config.freshness.maxDataAgeMs : 0;
  return natsEdgeSpec({
    ...base,
    policy: s.durable ? 'block' : s.discard === 'old' ? 'drop-oldest' : 'drop-newest',
    maxAgeMs: Math.max(base.maxAgeMs, s.maxAgeMs, fresh),
    ...(s.maxMsgs !== undefined ? { maxMsgs: s.maxMsgs } : {}),
    ...(s.maxBytes !== undefined ? { maxBytes: s.maxBytes } : {}),
  });
}

/** Partitions of the stage producing (`from`) and consuming (`to`) a cross-node edge, over the cluster. */
export function crossEdgePartitions(edge: CrossEdge, groups: readonly Group[]): { producers: number; consumers: number } {
  const [from, to] = edge.edge.split('->') as [StageName, StageName];
  const threads = (stage: StageName) => groups.find((g) => g.stages.includes(stage))?.threads ?? 1;
  const producingNodes = new Set(edge.routes.map((r) => r.from)).size;
  return { producers: threads(from) * producingNodes, consumers: threads(to) };
}
