/**
 * A lossy edge with a max age whose server stops reading (the process frozen with SIGSTOP, its
 * connections open, as a server stalled on its host): the producer's probe goes unanswered, so
 * past the max age it holds records back and keeps only the newest per instrument; once the
 * server reads again the consumer gets each instrument's newest record, fresh, and every record
 * the producer wrote is accounted for (delivered, or counted as dropped by its reason).
 */
import { describe, expect, it } from 'vitest';
import { NatsEdgeConsumer, NatsEdgeProducer, natsEdgeSpec } from '../src/index.js';
import { collector, keyOf, pollUntil, send, serverWithTwoClients } from './nats-helpers.js';

const env = serverWithTwoClients();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('NATS lossy edge: a time bound on the producer side', () => {
  it('holds back and conflates per instrument while the server is behind; the consumer then gets each newest record, fresh', async () => {
    const INSTRUMENTS = 10;
    const spec = natsEdgeSpec({ url: env.server.url, edge: 'book->signals', policy: 'drop-oldest', maxBytes: 1 << 24, maxAgeMs: 200 });
    const producer = await NatsEdgeProducer.open(env.pubConn, spec, 0, { keyOf });
    const consumer = await NatsEdgeConsumer.open(env.subConn, spec, 0);
    const col = collector();
    let n = 0;
    const round = () => {
      for (let i = 0; i < INSTRUMENTS; i++) send(producer, i, n++, Date.now());
      producer.flush();
    };

    // the server keeps up: everything arrives, nothing is held
    round();
    await pollUntil(consumer, col, () => col.records.length >= INSTRUMENTS, 'the first round');
    expect(producer.counters.held + producer.counters.conflated).toBe(0);

    // the server stops reading for 1.2 s while the producer writes a round every 20 ms
    env.server.pause();
    const stalledAt = Date.now();
    while (Date.now() - stalledAt < 1200) {
      round();
      await sleep(20);
    }
    // past the bound the producer holds: at most one record per instrument waits
    expect(producer.counters.conflated).toBeGreaterThan(0);
    expect(producer.counters.held).toBeLessThanOrEqual(INSTRUMENTS);
    const lastRound = n - INSTRUMENTS;
    env.server.resume();

    await pollUntil(consumer, col, () => col.records.filter((r) => r.n >= lastRound).length >= INSTRUMENTS, 'the newest round', 20_000);
    // each instrument's newest record arrived, and none of them was older than the bound
    const newest = col.records.filter((r) => r.n >= lastRound);
    expect(newest.map((r) => r.instrument).sort((a, b) => a - b)).toEqual(Array.from({ length: INSTRUMENTS }, (_, i) => i));
    // far fewer records crossed than were written, and every one is accounted for
    // (the newest round holds the highest numbers: every hole before them is counted by now)
    expect(col.records.length).toBeLessThan(n / 2);
    expect(col.records.length + col.drops.reduce((a, [k]) => a + k, 0)).toBe(n);
    // records the producer never sent: replaced by a newer one of their instrument, or expired while held
    expect(producer.counters.conflated + producer.counters.expired).toBeGreaterThan(0);
    expect(producer.counters.published + producer.counters.conflated + producer.counters.expired).toBe(n);
    // in order, per instrument
    for (let i = 0; i < INSTRUMENTS; i++) {
      const seq = col.records.filter((r) => r.instrument === i).map((r) => r.n);
      expect(seq).toEqual([...seq].sort((a, b) => a - b));
    }
    await producer.close();
    await consumer.close();
  }, 60_000);
});
