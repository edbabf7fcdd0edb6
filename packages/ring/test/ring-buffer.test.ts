import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createRing, type DropReason, readCounters, RingConsumer, RingProducer } from '../src/index.js';

function bytes(n: number, fill: number): Uint8Array {
  return new Uint8Array(n).fill(fill);
}

function drain(consumer: RingConsumer, max = 1 << 20) {
  const records: { kind: number; bytes: number[] }[] = [];
  const drops: [number, DropReason][] = [];
  consumer.poll(
    (data, off, len, kind) => records.push({ kind, bytes: Array.from(data.subarray(off, off + len)) }),
    (n, reason) => drops.push([n, reason]),
    max,
  );
  return { records, drops };
}

describe('ring buffer: single thread', () => {
  it('rejects bad options with the option named', () => {
    expect(() => createRing({ capacity: 1000 })).toThrow(/options.capacity must be a power of two/);
    expect(() => createRing({ capacity: 1024, policy: 'nope' as never })).toThrow(/options.policy must be one of/);
    expect(() => createRing({ capacity: 1024, maxAgeMs: -1 })).toThrow(/options.maxAgeMs/);
  });

  it('publishes only on flush and delivers in order', () => {
    const h = createRing({ capacity: 1024 });
    const p = new RingProducer(h);
    const c = new RingConsumer(h);
    expect(p.write(bytes(3, 7), 11)).toBe(true);
    expect(drain(c).records).toEqual([]);
    p.flush();
    p.write(bytes(1, 9), 12);
    p.flush();
    expect(drain(c).records).toEqual([
      { kind: 11, bytes: [7, 7, 7] },
      { kind: 12, bytes: [9] },
    ]);
    expect(c.available).toBe(0);
  });

  it('wraps records around the end of the region without splitting them', () => {
    const h = createRing({ capacity: 1024 });
    const p = new RingProducer(h);
    const c = new RingConsumer(h);
    // 40 rounds of 3 x 100-byte records (~3.4 KiB per round of 1 KiB) force many wraps
    let expected = 0;
    for (let round = 0; round < 40; round++) {
      for (let k = 0; k < 3; k++) expect(p.write(bytes(100, (round * 3 + k) & 0xff), k)).toBe(true);
      p.flush();
      const { records, drops } = drain(c);
      expect(drops).toEqual([]);
      expect(records).toHaveLength(3);
      for (const r of records) {
        expect(r.bytes).toEqual(Array(100).fill(expected & 0xff));
        expected++;
      }
    }
    expect(readCounters(h).recordsOut).toBe(120);
  });

  it('drop-newest refuses records when full and reports the count before the next record', () => {
    const h = createRing({ capacity: 1024, policy: 'drop-newest' });
    const p = new RingProducer(h);
    const c = new RingConsumer(h);
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (p.write(bytes(100, i), i)) accepted++;
    p.flush();
    expect(accepted).toBe(8); // 8 records of 24 + 104 bytes fit in 1024
    const { records, drops } = drain(c);
    expect(drops).toEqual([[12, 'drop-newest']]);
    expect(records.map((r) => r.kind)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(readCounters(h).dropped['drop-newest']).toBe(12);
  });

  it('drop-oldest discards the unread backlog and keeps the newest record', () => {
    const h = createRing({ capacity: 1024, policy: 'drop-oldest' });
    const p = new RingProducer(h, { dropWaitMs: 0 });
    const c = new RingConsumer(h);
    for (let i = 0; i < 8; i++) expect(p.write(bytes(100, i), i)).toBe(true);
    // Full: the producer posts a drop request; with no consumer running it times out and the
    // record is refused rather than overwriting unread bytes.
    expect(p.write(bytes(100, 9), 9)).toBe(false);
    p.flush();
    const first = drain(c);
    expect(first.drops).toEqual([
      [1, 'drop-newest'],
      [8, 'drop-oldest'],
    ]);
    expect(first.records).toEqual([]);
    expect(p.write(bytes(100, 10), 10)).toBe(true);
    p.flush();
    expect(drain(c).records.map((r) => r.kind)).toEqual([10]);
    const counters = readCounters(h);
    expect(counters.dropped['drop-oldest']).toBe(8);
  });

  it('drops records older than maxAgeMs when consumed and says so', async () => {
    const h = createRing({ capacity: 4096, maxAgeMs: 20 });
    const p = new RingProducer(h);
    const c = new RingConsumer(h);
    p.write(bytes(8, 1), 1);
    p.write(bytes(8, 2), 2);
    p.flush();
    await new Promise((r) => setTimeout(r, 40));
    p.write(bytes(8, 3), 3);
    p.flush();
    const { records, drops } = drain(c);
    expect(drops).toEqual([[2, 'stale']]);
    expect(records.map((r) => r.kind)).toEqual([3]);
    expect(readCounters(h).dropped.stale).toBe(2);
  });

  it('measures age from the origin time the producer gives, and hands both times to the consumer', () => {
    const h = createRing({ capacity: 4096, maxAgeMs: 50 });
    const p = new RingProducer(h);
    const c = new RingConsumer(h);
    const now = performance.timeOrigin + performance.now();
    p.write(bytes(8, 1), 1, now - 200); // data received 200 ms ago: stale however fresh the batch
    p.write(bytes(8, 2), 2, now - 10);
    p.write(bytes(8, 3), 3); // no origin: the batch's own time
    p.flush();
    const seen: { kind: number; enq: number; origin: number }[] = [];
    const drops: [number, DropReason][] = [];
    c.poll(
      (_d, _o, _l, kind, enq, origin) => seen.push({ kind, enq, origin }),
      (n, r) => drops.push([n, r]),
    );
    expect(drops).toEqual([[1, 'stale']]);
    expect(seen.map((r) => r.kind)).toEqual([2, 3]);
    expect(seen[0]?.origin).toBe(now - 10);
    // one clock read per batch: every record of it carries the same enqueue time
    expect(seen[0]?.enq).toBe(seen[1]?.enq);
    expect(seen[1]?.origin).toBe(seen[1]?.enq);
    expect(c.polledAt).toBeGreaterThanOrEqual(seen[0]?.enq as number);
  });

  it('expires only the kinds listed in maxAgeKinds; the others arrive however old', () => {
    expect(() => createRing({ capacity: 1024, maxAgeKinds: [300] })).toThrow(/options.maxAgeKinds/);
    const h = createRing({ capacity: 4096, maxAgeMs: 50, maxAgeKinds: [7] });
    const p = new RingProducer(h);
    const c = new RingConsumer(h);
    const old = performance.timeOrigin + performance.now() - 1000;
    p.write(bytes(8, 1), 7, old); // a decision on old data: dropped
    p.write(bytes(8, 2), 3, old); // state (say, a mark): delivered
    p.flush();
    const { records, drops } = drain(c);
    expect(drops).toEqual([[1, 'stale']]);
    expect(records.map((r) => r.kind)).toEqual([3]);
  });

  it('block policy waits for space and gives up after blockTimeoutMs', () => {
    const h = createRing({ capacity: 1024, policy: 'block' });
    const p = new RingProducer(h, { blockTimeoutMs: 30 });
    for (let i = 0; i < 8; i++) expect(p.write(bytes(100, i), i)).toBe(true);
    const t0 = performance.now();
    expect(p.write(bytes(100, 9), 9)).toBe(false);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('refuses a record larger than half the ring with a stable code', () => {
    const h = createRing({ capacity: 1024 });
    const p = new RingProducer(h);
    expect(() => p.reserve(600, 0)).toThrow(expect.objectContaining({ code: 'TKL_ERR_RING_RECORD_TOO_LARGE' }));
  });

  for (const maxAgeMs of [0, 60_000]) {
    it(`a successor consumer redelivers the batch of one that died and skips the record it died on (maxAgeMs ${maxAgeMs})`, () => {
      const h = createRing({ capacity: 4096, maxAgeMs });
      const p = new RingProducer(h);
      for (let i = 0; i < 6; i++) p.write(bytes(4, i), i);
      p.flush();
      const dead = new RingConsumer(h);
      const seen: number[] = [];
      // the first consumer's thread "ends" while it handles record 3: nothing is released
      expect(() =>
        dead.poll(
          (_d, _o, _l, kind) => {
            if (kind === 3) throw new Error('thread gone');
            seen.push(kind);
          },
          () => {},
        ),
      ).toThrow('thread gone');
      expect(seen).toEqual([0, 1, 2]);
      const next = new RingConsumer(h);
      const { records, drops } = drain(next);
      expect(records.map((r) => r.kind)).toEqual([0, 1, 2, 4, 5]);
      expect(drops).toEqual([[1, 'corrupt']]);
      expect(readCounters(h).dropped.corrupt).toBe(1);
      // a later consumer after a clean release skips nothing
      p.write(bytes(4, 6), 6);
      p.flush();
      expect(drain(new RingConsumer(h)).records.map((r) => r.kind)).toEqual([6]);
    });
  }

  it('property: any interleaving of writes and partial polls preserves order and bytes', () => {
    let rng = 12345;
    const rand = (n: number) => {
      rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
      return rng % n;
    };
    for (let trial = 0; trial < 30; trial++) {
      // odd trials use a maxAgeMs ring (16-byte headers with batch times), even ones 8-byte headers
      const h = createRing({ capacity: 2048, policy: 'drop-newest', ...(trial % 2 === 1 ? { maxAgeMs: 60_000 } : {}) });
      const p = new RingProducer(h);
      const c = new RingConsumer(h);
      const sent: number[][] = [];
      const got: number[][] = [];
      let refused = 0;
      let reportedDrops = 0;
      for (let step = 0; step < 400; step++) {
        if (rand(3) > 0) {
          const len = rand(200);
          const b = Array.from({ length: len }, () => rand(256));
          if (p.write(Uint8Array.from(b), len)) sent.push(b);
          else refused++;
          if (rand(4) === 0) p.flush();
        } else {
          c.poll(
            (d, off, len) => got.push(Array.from(d.subarray(off, off + len))),
            (n) => (reportedDrops += n),
            1 + rand(5),
          );
        }
      }
      p.flush();
      c.poll(
        (d, off, len) => got.push(Array.from(d.subarray(off, off + len))),
        (n) => (reportedDrops += n),
        1 << 20,
      );
      expect(got).toEqual(sent);
      expect(reportedDrops).toBe(refused);
    }
  });
});

describe('ring buffer: two threads', () => {
  async function stress(count: number, capacity: number, batch: number, policy: 'block' | 'drop-newest') {
    const h = createRing({ capacity, policy });
    const worker = new Worker(new URL('./fixtures/ts-worker.mjs', import.meta.url), {
      workerData: { entry: new URL('./fixtures/stress-producer.ts', import.meta.url).href, handle: h, count, batch, seed: 99 },
    });
    const done = new Promise<{ dropped: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    const c = new RingConsumer(h);
    let nextSeq = 0;
    let received = 0;
    let dropped = 0;
    let bad = 0;
    let finished: { dropped: number } | null = null;
    let failed: unknown = null;
    done.then(
      (r) => (finished = r),
      (e) => (failed = e),
    );
    const onRecord = (d: Uint8Array, off: number, len: number, kind: number) => {
      const seq = (d[off] as number) | ((d[off + 1] as number) << 8) | ((d[off + 2] as number) << 16) | ((d[off + 3] as number) << 24);
      const expectLen = 4 + (((seq * 2654435761 + 99) >>> 0) % 61);
      if (seq < nextSeq || len !== expectLen || kind !== (seq & 0xffff)) bad++;
      for (let i = 4; i < len; i++) if (d[off + i] !== ((seq + i) & 0xff)) bad++;
      nextSeq = seq + 1;
      received++;
    };
    const onDrop = (n: number) => (dropped += n);
    while (finished === null || c.available > 0) {
      if (failed) throw failed;
      if (c.poll(onRecord, onDrop, 512) === 0) {
        if (finished === null) await new Promise((r) => setImmediate(r));
      }
    }
    c.poll(onRecord, onDrop, 1 << 30);
    await worker.terminate();
    return { received, dropped, bad, producerDropped: (finished as { dropped: number } | null)?.dropped ?? -1 };
  }

  it('carries 2 million records intact and in order under the block policy', async () => {
    const r = await stress(2_000_000, 1 << 16, 64, 'block');
    expect(r.bad).toBe(0);
    expect(r.received).toBe(2_000_000);
    expect(r.producerDropped).toBe(0);
  }, 60_000);

  it('accounts for every record under drop-newest: received + dropped = sent, order kept', async () => {
    const r = await stress(1_000_000, 1 << 12, 1, 'drop-newest');
    expect(r.bad).toBe(0);
    expect(r.received + r.dropped).toBe(1_000_000);
    expect(r.dropped).toBe(r.producerDropped);
  }, 60_000);
});
