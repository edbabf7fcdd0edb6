/**
 * A node's cross-node edges: the JetStream edges (@tickline/nats) its pipeline's boundary rings
 * are pumped to and from. Both ends of an edge build the same spec from the cluster plan and the
 * shared config, so they agree on the stream: its subjects `<root>.<edge>.p<partition>.<instrument
 * id>` (root `tickline-<cluster>`), its limits (the ring's policy and max age, the stream's bytes and
 * messages), and the consuming node's partition count (one durable consumer per partition).
 */

import type { NatsConnection } from '@nats-io/transport-node';
import { NatsEdgeConsumer, NatsEdgeProducer, type NatsEdgeSpec, natsEdgeSpec } from '@tickline/nats';
import { RingConsumer, RingProducer } from '@tickline/ring';
import { type BoundaryRings, type EdgeName, type ResolvedEdgePolicy, routingKey } from '@tickline/runtime';
import { Body, RecordReader } from '@tickline/wire';
import type { ClusterPlan, CrossEdge } from './cluster-config.js';
import { EdgePump, type PumpCounters } from './edge-bridge.js';
import { Subjects } from './subjects.js';

/** The cross-node edges a node reads (`head`) and writes (`tail`), if any. */
export function nodeBoundary(plan: ClusterPlan, node: string): { head?: CrossEdge; tail?: CrossEdge } {
  const head = plan.crossEdges.find((e) => e.routes.some((r) => r.to === node));
  const tail = plan.crossEdges.find((e) => e.routes.some((r) => r.from === node));
  return { ...(head ? { head } : {}), ...(tail ? { tail } : {}) };
}

/** The edge's spec, the same on both ends. */
export function crossEdgeSpec(plan: ClusterPlan, edge: CrossEdge, policy: ResolvedEdgePolicy, partitions: number): NatsEdgeSpec {
  return natsEdgeSpec({
    url: plan.natsUrl,
    edge: edge.edge,
    prefix: new Subjects(plan.name).root,
    policy: edge.policy,
    maxAgeMs: Math.max(policy.maxAgeMs, edge.stream.maxAgeMs),
    ...(policy.maxAgeKinds !== undefined ? { maxAgeKinds: policy.maxAgeKinds } : {}),
    maxBytes: edge.stream.maxBytes,
    maxMsgs: edge.stream.maxMsgs,
    partitions,
    ...(policy.blockTimeoutMs !== undefined ? { blockTimeoutMs: policy.blockTimeoutMs } : {}),
  });
}

/** The instrument of a record (its subject's last token), -1 for records about every instrument. */
function recordKey(): (data: Uint8Array, offset: number, length: number) => number {
  let reader: RecordReader | null = null;
  let on: Uint8Array | null = null;
  return (data, offset, length) => {
    if (on !== data) {
      reader = new RecordReader(data);
      on = data;
    }
    const r = reader as RecordReader;
    return r.open(offset, length) === Body.NONE ? -1 : routingKey(r);
  };
}

export interface EdgeCounters extends PumpCounters {
  readonly edge: EdgeName;
  readonly side: 'in' | 'out';
  /** NATS side: records published (out) or taken (in). */
  readonly nats: number;
  /** NATS side: losses it counted (a refusal of the stream, holes, corrupt messages). */
  readonly natsLost: number;
}

export class NodeEdges {
  readonly #pumps: { pump: EdgePump; edge: EdgeName; side: 'in' | 'out' }[] = [];
  readonly #producers: NatsEdgeProducer[] = [];
  readonly #consumers: NatsEdgeConsumer[] = [];

  private constructor() {}

  /**
   * Opens this node's ends and starts pumping: the tail rings into one producer per consuming
   * partition, one consumer per head ring into it.
   */
  static async open(
    nc: NatsConnection,
    plan: ClusterPlan,
    node: string,
    rings: BoundaryRings,
    policyOf: (edge: EdgeName) => ResolvedEdgePolicy,
    partitionsOf: (edge: CrossEdge) => number,
  ): Promise<NodeEdges> {
    const out = new NodeEdges();
    const { head, tail } = nodeBoundary(plan, node);
    if (tail && rings.tail) {
      const spec = crossEdgeSpec(plan, tail, policyOf(tail.edge), partitionsOf(tail));
      const keyOf = recordKey();
      for (let p = 0; p < spec.partitions; p++) out.#producers.push(await NatsEdgeProducer.open(nc, spec, p, { keyOf }));
      const pump = new EdgePump(
        rings.tail.map((h) => new RingConsumer(h)),
        out.#producers,
      );
      out.#pumps.push({ pump, edge: tail.edge, side: 'out' });
    }
    if (head && rings.head) {
      const spec = crossEdgeSpec(plan, head, policyOf(head.edge), rings.head.length);
      for (let p = 0; p < rings.head.length; p++) {
        const c = await NatsEdgeConsumer.open(nc, spec, p);
        out.#consumers.push(c);
        out.#pumps.push({ pump: new EdgePump([c], [new RingProducer(rings.head[p] as never)]), edge: head.edge, side: 'in' });
      }
    }
    for (const p of out.#pumps) p.pump.start();
    return out;
  }

  counters(): EdgeCounters[] {
    const by = new Map<string, EdgeCounters>();
    for (const { pump, edge, side } of this.#pumps) {
      const key = `${side} ${edge}`;
      const prev = by.get(key);
      const c = pump.counters;
      const lost: Record<string, number> = { ...(prev?.lost ?? {}) };
      for (const [k, v] of Object.entries(c.lost)) lost[k] = (lost[k] ?? 0) + v;
      by.set(key, {
        edge,
        side,
        moved: (prev?.moved ?? 0) + c.moved,
        refused: (prev?.refused ?? 0) + c.refused,
        lost,
        nats: 0,
        natsLost: 0,
      });
    }
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    return [...by.values()].map((e) =>
      e.side === 'out'
        ? {
            ...e,
            nats: this.#producers.reduce((a, p) => a + p.counters.published, 0),
            natsLost: this.#producers.reduce((a, p) => a + p.counters.refused, 0),
          }
        : {
            ...e,
            nats: this.#consumers.reduce((a, c) => a + c.counters.recordsOut, 0),
            natsLost: this.#consumers.reduce((a, c) => a + sum(c.counters.dropped), 0),
          },
    );
  }

  /** Stops pumping (after a last pass) and closes the ends; producers drain first. */
  async close(): Promise<void> {
    for (const p of this.#pumps) await p.pump.stop();
    for (const p of this.#producers) {
      await p.drain(1000).catch(() => false);
      await p.close();
    }
    for (const c of this.#consumers) await c.close();
  }
}
