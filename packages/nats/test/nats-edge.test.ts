import type { NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { Body } from '@tickline/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  edgeToken,
  ensureEdgeStream,
  NATS_HEADER_BYTES,
  NATS_MAGIC,
  NatsEdgeConsumer,
  NatsEdgeProducer,
  type NatsServer,
  natsEdgeSpec,
  purgeLossyStream,
  recordSubject,
  startNatsServer,
  streamConfig,
  streamName,
} from '../src/index.js';
import { client, collector, dropTotal, enc, keyOf, pollUntil, send, until } from './nats-helpers.js';

let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer();
  nc = await client(server.url);
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

let edgeNo = 0;
/** A fresh edge name per test, so streams never collide. */
const edgeName = () => `up${++edgeNo}->down`;

describe('subjects', () => {
  it('escapes edge names into one token, one-to-one, with the instrument last', () => {
    expect(edgeToken('book->signals')).toBe('book-signals');
    expect(edgeToken('a-b')).toBe('a_2db');
    expect(edgeToken('a.b_c')).toBe('a_2eb_5fc');
    expect(recordSubject('tickline', 'book->signals', 2, 42)).toBe('tickline.book-signals.p2.42');
    expect(recordSubject('tickline', 'book->signals', 0, -1)).toBe('tickline.book-signals.p0.all');
    expect(streamName('tickline', 'execution->risk')).toBe('tickline-execution-risk');
  });

  it('rejects bad edge options with the option named', () => {
    const base = { url: 'nats://127.0.0.1:4222', edge: 'a->b', maxBytes: 1 << 20 };
    expect(() => natsEdgeSpec({ ...base, url: 'http://x' })).toThrow(/options.url must be a NATS URL/);
    expect(() => natsEdgeSpec({ ...base, policy: 'nope' as never })).toThrow(
      /options.policy must be one of drop-oldest, drop-newest, block/,
    );
    expect(() => natsEdgeSpec({ ...base, maxMsgs: 0 })).toThrow(/options.maxMsgs/);
    expect(() => natsEdgeSpec({ ...base, prefix: 'Tick.Line' })).toThrow(/options.prefix must be one subject token/);
    expect(() => natsEdgeSpec({ ...base, maxAgeMs: -1 })).toThrow(/options.maxAgeMs/);
  });

  it('maps each policy onto stream limits', () => {
    const base = { url: 'nats://127.0.0.1:4222', edge: 'a->b', maxBytes: 1 << 20, maxMsgs: 1000, maxAgeMs: 50 };
    const old = streamConfig(natsEdgeSpec({ ...base, policy: 'drop-oldest' }));
    expect(old).toMatchObject({
      discard: 'old',
      retention: 'interest',
      storage: 'memory',
      max_msgs: 1000,
      max_bytes: 1 << 20,
      max_age: 100e6, // the server's floor; the consumer expires at 50 ms itself
    });
    expect(streamConfig(natsEdgeSpec({ ...base, maxAgeMs: 250, policy: 'drop-oldest' })).max_age).toBe(250e6);
    expect(streamConfig(natsEdgeSpec({ ...base, maxAgeMs: 0, policy: 'drop-oldest' })).max_age).toBe(0);
    expect(streamConfig(natsEdgeSpec({ ...base, policy: 'drop-newest' }))).toMatchObject({ discard: 'new', retention: 'interest' });
    expect(streamConfig(natsEdgeSpec({ ...base, policy: 'block' }))).toMatchObject({
      discard: 'new',
      retention: 'workqueue',
      storage: 'file',
      max_age: 0,
    });
  });
});

describe('NATS edge: records and order', () => {
  it.each([
    { batch: 1, what: "one message per record, on its instrument's subject" },
    { batch: 64, what: 'up to 64 records per message, on .all unless all about one instrument' },
  ])('carries records in order with their kind, origin and enqueue time: $what', async ({ batch }) => {
    const edge = edgeName();
    const spec = natsEdgeSpec({ url: server.url, edge, maxBytes: 1 << 24, partitions: 1, batch });
    const seen: string[] = [];
    const tap = nc.subscribe(`tickline.${edgeToken(edge)}.>`, {
      callback: (_e, m) => {
        seen.push(m.subject);
      },
    });
    const producer = await NatsEdgeProducer.open(nc, spec, 0, { keyOf });
    const consumer = await NatsEdgeConsumer.open(nc, spec, 0);
    const before = Date.now();
    const N = 3000;
    for (let i = 0; i < N; i++) {
      send(producer, i % 50, i, i % 7 === 0 ? Number.NaN : 1_000_000 + i);
      if (i % 100 === 99) producer.flush();
    }
    // one flush about one instrument only
    for (let i = N; i < N + 10; i++) send(producer, 5, i);
    producer.flush();
    const col = collector();
    await pollUntil(consumer, col, () => col.records.length >= N + 10, `${N + 10} records`);
    expect(col.drops).toEqual([]);
    expect(col.records.map((r) => r.n)).toEqual(Array.from({ length: N + 10 }, (_, i) => i));
    for (const [i, r] of col.records.entries()) {
      expect(r.instrument).toBe(i < N ? i % 50 : 5);
      expect(r.kind).toBe(Body.StaleMark);
      if (i % 7 === 0 || i >= N) expect(r.origin).toBe(r.enq);
      else expect(r.origin).toBe(1_000_000 + i);
      expect(r.enq).toBeGreaterThanOrEqual(before - 1);
    }
    expect(consumer.counters.recordsOut).toBe(N + 10);
    expect(producer.counters.published).toBe(N + 10);
    const root = `tickline.${edgeToken(edge)}.p0`;
    if (batch === 1) {
      await until(() => seen.length >= N + 10, 'the wildcard tap');
      expect(producer.counters.messages).toBe(N + 10);
      expect(seen[0]).toBe(`${root}.0`);
      expect(seen[51]).toBe(`${root}.1`);
      expect(seen.slice(N)).toEqual(Array(10).fill(`${root}.5`));
    } else {
      // flushes of 100 records: messages of 64 and 36, mixed instruments; then one message of 10
      const messages = (N / 100) * 2 + 1;
      await until(() => seen.length >= messages, 'the wildcard tap');
      expect(producer.counters.messages).toBe(messages);
      expect(seen.slice(0, -1)).toEqual(Array(messages - 1).fill(`${root}.all`));
      expect(seen.at(-1)).toBe(`${root}.5`);
    }
    tap.unsubscribe();
    await producer.close();
    await consumer.close();
  });

  it('keeps partitions apart: each consumer gets its own subjects only', async () => {
    const spec = natsEdgeSpec({ url: server.url, edge: edgeName(), maxBytes: 1 << 22, partitions: 2 });
    const p0 = await NatsEdgeProducer.open(nc, spec, 0, { keyOf });
    const p1 = await NatsEdgeProducer.open(nc, spec, 1, { keyOf });
    const c0 = await NatsEdgeConsumer.open(nc, spec, 0);
    const c1 = await NatsEdgeConsumer.open(nc, spec, 1);
    for (let i = 0; i < 100; i++) send(i % 2 === 0 ? p0 : p1, i % 2, i);
    p0.flush();
    p1.flush();
    const a = collector();
    const b = collector();
    await pollUntil(c0, a, () => a.records.length >= 50, 'partition 0');
    await pollUntil(c1, b, () => b.records.length >= 50, 'partition 1');
    expect(a.records.every((r) => r.instrument === 0)).toBe(true);
    expect(b.records.every((r) => r.instrument === 1)).toBe(true);
    for (const x of [p0, p1, c0, c1]) await x.close();
  });
});

describe('NATS edge: limits and drops', () => {
  it.each([1, 10])(
    'drop-oldest: a stream filled past max_msgs discards its oldest, and the consumer counts exactly those (%i records per message)',
    async (batch) => {
      const maxMsgs = 100 / batch;
      const spec = natsEdgeSpec({ url: server.url, edge: edgeName(), policy: 'drop-oldest', maxBytes: 1 << 24, maxMsgs, batch });
      const producer = await NatsEdgeProducer.open(nc, spec, 0, { keyOf });
      const N = 1000;
      for (let i = 0; i < N; i++) send(producer, 7, i);
      await producer.drain();
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info(streamName('tickline', spec.edge));
      expect(info.state.messages).toBe(maxMsgs);
      const discarded = N - info.state.messages * batch;
      const consumer = await NatsEdgeConsumer.open(nc, spec, 0, { window: 16 });
      const col = collector();
      await pollUntil(consumer, col, () => col.records.length >= 100, '100 records');
      expect(col.drops).toEqual([[discarded, 'drop-oldest']]);
      expect(consumer.counters.dropped['drop-oldest']).toBe(900);
      // the survivors are the newest 100, in order, and the mark came before the first of them
      expect(col.records.map((r) => r.n)).toEqual(Array.from({ length: 100 }, (_, i) => 900 + i));
      // a second overflow while the consumer is behind: at most `window` (16) messages are on
      // their way to it, the stream keeps 100 records, the rest is discarded and counted
      for (let i = N; i < N + 300; i++) send(producer, 7, i);
      await producer.drain();
      await pollUntil(consumer, col, () => col.records.at(-1)?.n === N + 299, 'the last record');
      const dropped = dropTotal(col, 'drop-oldest');
      expect(col.records.length + dropped).toBe(N + 300);
      expect(dropped - 900).toBeGreaterThanOrEqual(300 - 100 - 16 * batch);
      expect(col.records.map((r) => r.n)).toEqual([...col.records.map((r) => r.n)].sort((a, b) => a - b));
      await producer.close();
      await consumer.close();
    },
  );

  it.each([1, 10])(
    'drop-newest: publishes the stream refuses are counted by the producer and marked by the consumer (%i records per message)',
    async (batch) => {
      const spec = natsEdgeSpec({
        url: server.url,
        edge: edgeName(),
        policy: 'drop-newest',
        maxBytes: 1 << 24,
        maxMsgs: 100 / batch,
        batch,
      });
      const producer = await NatsEdgeProducer.open(nc, spec, 0, { keyOf });
      for (let i = 0; i < 400; i++) send(producer, 3, i);
      await producer.drain();
      await until(() => producer.counters.refused === 300, 'producer refusals');
      const consumer = await NatsEdgeConsumer.open(nc, spec, 0);
      const col = collector();
      await pollUntil(consumer, col, () => col.records.length >= 100, 'the 100 stored');
      expect(col.records.map((r) => r.n)).toEqual(Array.from({ length: 100 }, (_, i) => i));
      send(producer, 3, 400);
      producer.flush();
      await pollUntil(consumer, col, () => col.records.length >= 101, 'the record after the refusals');
      expect(col.drops).toEqual([[300, 'drop-newest']]);
      expect(col.records.at(-1)?.n).toBe(400);
      await producer.close();
      await consumer.close();
    },
  );

  it('max_age: the stream expires what waits longer, the consumer marks the hole as stale and drops old records itself', async () => {
    const spec = natsEdgeSpec({ url: server.url, edge: edgeName(), policy: 'drop-oldest', maxBytes: 1 << 24, maxAgeMs: 300 });
    const producer = await NatsEdgeProducer.open(nc, spec, 0, { keyOf });
    for (let i = 0; i < 50; i++) send(producer, 1, i);
    await producer.drain();
    const jsm = await jetstreamManager(nc);
    const name = streamName('tickline', spec.edge);
    await until(async () => (await jsm.streams.info(name)).state.messages === 0, 'the server to expire the records', 5000);
    // one fresh record, and one whose data was born long ago (the consumer drops it as stale)
    send(producer, 1, 50);
    send(producer, 1, 51, Date.now() - 10_000);
    send(producer, 1, 52);
    producer.flush();
    const consumer = await NatsEdgeConsumer.open(nc, spec, 0);
    const col = collector();
    await pollUntil(consumer, col, () => col.records.length >= 2, 'the fresh records');
    expect(col.records.map((r) => r.n)).toEqual([50, 52]);
    expect(col.drops).toEqual([
      [50, 'stale'],
      [1, 'stale'],
    ]);
    await producer.close();
    await consumer.close();
  });

  it('counts and skips corrupt and oversized messages, never decoding them', async () => {
    const wide = natsEdgeSpec({ url: server.url, edge: edgeName(), policy: 'drop-oldest', maxBytes: 1 << 22, maxRecordBytes: 4096 });
    const producer = await NatsEdgeProducer.open(nc, wide, 0, { keyOf });
    const subject = recordSubject('tickline', wide.edge, 0, 9);
    const header = (length: number, magic = NATS_MAGIC) => {
      const b = new Uint8Array(NATS_HEADER_BYTES + length);
      const v = new DataView(b.buffer);
      v.setUint32(0, magic, true);
      v.setInt32(4, length, true);
      v.setInt32(8, Body.StaleMark, true);
      v.setUint32(12, 77, true);
      v.setFloat64(16, Date.now(), true);
      v.setFloat64(24, Date.now(), true);
      v.setFloat64(32, 1, true);
      return b;
    };
    nc.publish(subject, new Uint8Array(10)); // shorter than a header
    nc.publish(subject, header(16, 0x12345678)); // not our magic
    const mismatch = header(16);
    new DataView(mismatch.buffer).setInt32(4, 4000, true);
    nc.publish(subject, mismatch); // length field disagrees with the message
    const garbage = header(64);
    garbage.fill(0xff, NATS_HEADER_BYTES);
    nc.publish(subject, garbage); // header fine, payload not a FlatBuffer record
    nc.publish(subject, header(1000)); // bigger than the consumer's maxRecordBytes below
    send(producer, 9, 123);
    await producer.drain();
    const narrow = natsEdgeSpec({ ...wide, maxRecordBytes: 256, batch: 1 });
    const consumer = await NatsEdgeConsumer.open(nc, narrow, 0);
    const col = collector();
    await pollUntil(consumer, col, () => col.records.length >= 1, 'the good record');
    expect(col.records.map((r) => r.n)).toEqual([123]);
    expect(dropTotal(col, 'corrupt')).toBe(5);
    expect(consumer.counters.dropped.corrupt).toBe(5);
    // the stream now refuses messages over the narrow limit outright
    const reply = await nc.request(subject, header(1000), { timeout: 2000 });
    expect(new TextDecoder().decode(reply.data)).toMatch(/error/);
    await producer.close();
    await consumer.close();
  });

  it('in a message of several records: delivers those before a broken one, skips the rest, counts it once', async () => {
    const spec = natsEdgeSpec({ url: server.url, edge: edgeName(), policy: 'drop-oldest', maxBytes: 1 << 22 });
    const subject = recordSubject('tickline', spec.edge, 0, -1);
    /** Records n = seq (StaleMark of instrument 4, ageMs n), each padded to 8 bytes; `tail` bytes appended. */
    const message = (seqs: number[], opts: { badMagicAt?: number; tail?: number } = {}) => {
      const parts = seqs.map((seq, i) => {
        const payload = enc.staleMark(4, 1, seq);
        const b = new Uint8Array((NATS_HEADER_BYTES + payload.length + 7) & ~7);
        const v = new DataView(b.buffer);
        v.setUint32(0, i === opts.badMagicAt ? 0x0badf00d : NATS_MAGIC, true);
        v.setInt32(4, payload.length, true);
        v.setInt32(8, enc.kind, true);
        v.setUint32(12, 99, true);
        v.setFloat64(16, Date.now(), true);
        v.setFloat64(24, Date.now(), true);
        v.setFloat64(32, seq, true);
        b.set(payload, NATS_HEADER_BYTES);
        return i === seqs.length - 1 ? b.subarray(0, NATS_HEADER_BYTES + payload.length) : b;
      });
      const size = parts.reduce((a, b) => a + b.length, 0) + (opts.tail ?? 0);
      const out = new Uint8Array(size).fill(0xee);
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    };
    await ensureEdgeStream(nc, spec);
    const consumer = await NatsEdgeConsumer.open(nc, spec, 0);
    nc.publish(subject, message([1, 2, 3, 4], { badMagicAt: 2 })); // 1, 2 delivered; 3 broken: 3, 4 skipped
    nc.publish(subject, message([5], { tail: 5 })); // 5 bytes after the last record: broken
    nc.publish(subject, message([6, 7])); // fine: the hole 3-5 is counted before 6
    const col = collector();
    await pollUntil(consumer, col, () => col.records.length >= 4, '4 records');
    expect(col.records.map((r) => r.n)).toEqual([1, 2, 6, 7]);
    expect(consumer.counters.dropped.corrupt).toBe(2);
    expect(col.drops).toEqual([
      [1, 'corrupt'],
      [1, 'corrupt'],
      [3, 'drop-oldest'],
    ]);
    await consumer.close();
  });

  it('refuses to reuse a stream whose retention does not fit the edge', async () => {
    const edge = edgeName();
    const lossy = natsEdgeSpec({ url: server.url, edge, policy: 'drop-oldest', maxBytes: 1 << 20 });
    await ensureEdgeStream(nc, lossy);
    const block = natsEdgeSpec({ ...lossy, policy: 'block' });
    await expect(ensureEdgeStream(nc, block)).rejects.toMatchObject({
      code: 'ERR_NATS_STREAM',
      message: expect.stringMatching(/exists with retention interest, edge .* \(policy block\) needs workqueue/),
    });
  });

  it('empties a lossy stream at a new start, and keeps what a block stream owes', async () => {
    for (const policy of ['drop-oldest', 'block'] as const) {
      const spec = natsEdgeSpec({ url: server.url, edge: edgeName(), policy, maxBytes: 1 << 20, batch: 1 });
      const producer = await NatsEdgeProducer.open(nc, spec, 0, { keyOf });
      for (let i = 0; i < 10; i++) send(producer, 1, i);
      await producer.drain();
      await producer.close();
      expect(await purgeLossyStream(nc, spec)).toBe(policy === 'block' ? 0 : 10);
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(streamName('tickline', spec.edge))).state.messages).toBe(policy === 'block' ? 10 : 0);
    }
  });

  it('verifies a fresh record encoded by the wire encoder (sanity of the helpers)', () => {
    const bytes = enc.staleMark(5, 1, 9);
    expect(keyOf(bytes, 0, bytes.length)).toBe(5);
  });
});
