/**
 * The NATS side of a worker (edges with `transport: nats`, docs/nats.md): its connection and the
 * ends it opened. The NATS modules are loaded only by a worker with an edge on NATS; a worker on
 * rings alone starts as it always did.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsConsumerOptions, NatsEdgeConsumer, NatsEdgeProducer, NatsEdgeSpec } from '@tickline/nats';
import { Body, RecordReader } from '@tickline/wire';
import { routingKey } from './emitter.js';

/** What of a worker's task says where its NATS edges are. */
export interface NatsTaskPart {
  readonly group: string;
  readonly partition: number;
  readonly natsOutput?: NatsEdgeSpec | null;
  readonly inputs: readonly { readonly nats?: { readonly spec: NatsEdgeSpec } | null }[];
  readonly feedback: readonly { readonly nats?: NatsEdgeSpec | null }[];
}

export async function natsEnds(task: NatsTaskPart) {
  const url = task.natsOutput?.url ?? task.inputs.find((i) => i.nats)?.nats?.spec.url ?? task.feedback.find((f) => f.nats)?.nats?.url;
  const lib = url ? await import('@tickline/nats') : null;
  const nc: NatsConnection | null = url
    ? await (await import('@nats-io/transport-node')).connect({
        servers: url,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
        name: `tickline-${task.group}-${task.partition}`,
      })
    : null;
  const producers: NatsEdgeProducer[] = [];
  const consumers: NatsEdgeConsumer[] = [];
  // the subject of a record: its routing key (instrument), read from the record itself
  let reader: RecordReader | null = null;
  let readerData: Uint8Array | null = null;
  const keyOf = (data: Uint8Array, offset: number, length: number): number => {
    if (data !== readerData) {
      reader = new RecordReader(data);
      readerData = data;
    }
    const r = reader as RecordReader;
    return r.open(offset, length) === Body.NONE ? -1 : routingKey(r);
  };
  const need = () => {
    if (nc === null || lib === null) throw new Error(`group ${task.group}: a NATS edge without a URL`);
    return { nc, lib };
  };
  return {
    connected: nc !== null,
    async producers(spec: NatsEdgeSpec): Promise<NatsEdgeProducer[]> {
      const { nc, lib } = need();
      const list = await Promise.all(Array.from({ length: spec.partitions }, (_, n) => lib.NatsEdgeProducer.open(nc, spec, n, { keyOf })));
      producers.push(...list);
      return list;
    },
    async consumer(spec: NatsEdgeSpec, options: NatsConsumerOptions): Promise<NatsEdgeConsumer> {
      const { nc, lib } = need();
      const c = await lib.NatsEdgeConsumer.open(nc, spec, task.partition, options);
      consumers.push(c);
      return c;
    },
    /**
     * Records the producers of `edge` wrote but never sent, by reason: `conflated` (replaced by a
     * newer one of their instrument while the connection was behind), `stale` (held back past
     * the edge's max age), `refused` (the stream refused them, the connection was closed, or a
     * block edge closed with them still unstored).
     */
    outLosses(edge: string): { conflated: number; stale: number; refused: number } {
      const out = { conflated: 0, stale: 0, refused: 0 };
      for (const p of producers) {
        if (p.spec.edge !== edge) continue;
        out.conflated += p.counters.conflated;
        out.stale += p.counters.expired;
        out.refused += p.counters.refused;
      }
      return out;
    },
    async drain(): Promise<void> {
      await Promise.all(producers.map((p) => p.drain(2000)));
    },
    async close(): Promise<void> {
      await Promise.all([...consumers.map((c) => c.close()), ...producers.map((p) => p.close())]);
      await nc?.close();
    },
  };
}
