/**
 * A node's cross-node edges: the JetStream edges (@tickline/nats) at the ends of its pipeline
 * (Pipeline `boundary`: the NATS ends live in the workers of its first and last groups). Both ends
 * of an edge build the same spec from the cluster plan and the shared config, so they agree on the
 * stream: its subjects `<root>.<edge>.p<partition>.<instrument id>` (root `tickline-<cluster>`), its
 * limits (the ring's policy and max age, the stream's bytes and messages), and the consuming
 * node's partition count (one durable consumer per partition).
 */

import { type NatsEdgeSpec, natsEdgeSpec } from '@tickline/nats';
import type { ResolvedEdgePolicy } from '@tickline/runtime';
import type { ClusterPlan, CrossEdge } from './cluster-config.js';
import { Subjects } from './subjects.js';

/** The cross-node edges a node reads (`head`) and writes (`tail`), if any. */
export function nodeBoundary(plan: ClusterPlan, node: string): { head?: CrossEdge; tail?: CrossEdge } {
  const head = plan.crossEdges.find((e) => e.routes.some((r) => r.to === node));
  const tail = plan.crossEdges.find((e) => e.routes.some((r) => r.from === node));
  return { ...(head ? { head } : {}), ...(tail ? { tail } : {}) };
}

/**
 * The edge's spec, the same on both ends. The stream's loss semantics are the edge's `stream`
 * settings (by default those of its ring policy): durable -> block (acknowledged, file storage,
 * nothing lost); `discard: old` -> drop-oldest; otherwise drop-newest.
 */
export function crossEdgeSpec(plan: ClusterPlan, edge: CrossEdge, policy: ResolvedEdgePolicy, partitions: number): NatsEdgeSpec {
  const natsPolicy = edge.stream.durable ? 'block' : edge.stream.discard === 'old' ? 'drop-oldest' : 'drop-newest';
  return natsEdgeSpec({
    url: plan.natsUrl,
    edge: edge.edge,
    prefix: new Subjects(plan.name).root,
    policy: natsPolicy,
    maxAgeMs: Math.max(policy.maxAgeMs, edge.stream.maxAgeMs),
    ...(policy.maxAgeKinds !== undefined ? { maxAgeKinds: policy.maxAgeKinds } : {}),
    maxBytes: edge.stream.maxBytes,
    maxMsgs: edge.stream.maxMsgs,
    partitions,
    ...(policy.blockTimeoutMs !== undefined ? { blockTimeoutMs: policy.blockTimeoutMs } : {}),
  });
}
