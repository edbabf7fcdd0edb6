import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { NatsEdgeConsumer, NatsEdgeProducer, natsEdgeSpec, streamName } from '../src/index.js';
import { collector, keyOf, pollUntil, send, until, serverWithTwoClients } from './nats-helpers.js';

const env = serverWithTwoClients();

const ordered = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('NATS block edge: durable, acknowledged, nothing lost or duplicated', () => {
  it.each([1, 10])(
    'waits while the stream is full, survives a consumer restart and a server kill -9 (%i records per message)',
    async (batch) => {
      const spec = natsEdgeSpec({
        url: env.server.url,
        edge: `execution->risk${batch}`,
        policy: 'block',
        maxBytes: 1 << 22,
        maxMsgs: 50 / batch,
        batch,
      });
      const producer = await NatsEdgeProducer.open(env.pubConn, spec, 0, { keyOf });
      for (let i = 0; i < 300; i++) send(producer, i % 5, i);
      producer.flush();
      // nobody consumes yet: the stream fills to its limit and the producer waits, counted
      const jsm = await jetstreamManager(env.subConn);
      const name = streamName('tickline', spec.edge);
      await until(async () => (await jsm.streams.info(name)).state.messages === 50 / batch, 'the stream to fill');
      await until(() => producer.counters.waits > 0, 'the producer to wait');
      expect(producer.counters.refused).toBe(0);

      // consumer A takes 120, then stops (a restart): what it had not delivered goes back
      const a = await NatsEdgeConsumer.open(env.subConn, spec, 0, { window: 16 });
      const colA = collector();
      await until(() => {
        colA.poll(a, 120 - colA.records.length);
        return colA.records.length === 120;
      }, 'consumer A');
      await a.close();

      // consumer B picks up exactly where A stopped
      const b = await NatsEdgeConsumer.open(env.subConn, spec, 0, { window: 16 });
      const colB = collector();
      await pollUntil(b, colB, () => colA.records.length + colB.records.length >= 300, 'consumer B', 20_000);
      expect([...colA.records, ...colB.records].map((r) => r.n)).toEqual(ordered(300));
      await until(() => producer.counters.published === 300, 'the last acknowledgement');

      // the server dies (kill -9) with records still to send; it restarts on the same store
      await env.server.kill('SIGKILL');
      for (let i = 300; i < 400; i++) send(producer, i % 5, i);
      producer.flush();
      await new Promise((r) => setTimeout(r, 300));
      await env.server.restart();
      for (let i = 400; i < 500; i++) send(producer, i % 5, i);
      producer.flush();
      await pollUntil(b, colB, () => colA.records.length + colB.records.length >= 500, 'records after the server restart', 30_000);
      // give late redeliveries a chance to show up as duplicates
      await new Promise((r) => setTimeout(r, 300));
      colB.poll(b);
      expect([...colA.records, ...colB.records].map((r) => r.n)).toEqual(ordered(500));
      expect([...colA.drops, ...colB.drops]).toEqual([]);
      expect(producer.counters.refused).toBe(0);
      await until(async () => (await jsm.streams.info(name)).state.messages === 0, 'every record acknowledged');
      await b.close();
      await producer.close();
    },
  );

  it('counts what it could not store by the time it closes as refused, never losing it silently', async () => {
    const spec = natsEdgeSpec({ url: env.server.url, edge: 'execution->book', policy: 'block', maxBytes: 1 << 22, maxMsgs: 2, batch: 5 });
    const producer = await NatsEdgeProducer.open(env.pubConn, spec, 0, { keyOf });
    for (let i = 0; i < 30; i++) send(producer, 2, i);
    producer.flush();
    // no consumer: the stream takes 2 messages (10 records); the other 20 wait
    expect(await producer.drain(500)).toBe(false);
    expect(producer.counters.published).toBe(10);
    await producer.close();
    expect(producer.counters.refused).toBe(20);
    expect(producer.counters.pending).toBe(0);
  });

  it('keeps records on disk while no consumer runs, across a server restart', async () => {
    const spec = natsEdgeSpec({ url: env.server.url, edge: 'execution->signals', policy: 'block', maxBytes: 1 << 22, maxMsgs: 1000 });
    const producer = await NatsEdgeProducer.open(env.pubConn, spec, 0, { keyOf });
    for (let i = 0; i < 200; i++) send(producer, 1, i);
    expect(await producer.drain()).toBe(true);
    await env.server.kill('SIGKILL');
    await env.server.restart();
    const c = await NatsEdgeConsumer.open(env.subConn, spec, 0);
    const col = collector();
    await pollUntil(c, col, () => col.records.length >= 200, 'the stored records', 20_000);
    expect(col.records.map((r) => r.n)).toEqual(ordered(200));
    expect(col.drops).toEqual([]);
    await c.close();
    await producer.close();
  });
});
