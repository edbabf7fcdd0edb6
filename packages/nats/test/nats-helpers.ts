/** Shared pieces of the NATS edge tests: records, a routing key, a polling loop. */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll } from 'vitest';
import type { DropReason } from '@tickline/ring';
import { Body, Encoder, RecordReader } from '@tickline/wire';
import { type NatsEdgeConsumer, type NatsEdgeProducer, type NatsServer, startNatsServer } from '../src/index.js';

export const enc = new Encoder();

/** Instrument of a StaleMark record (the test records), or -1. */
export function keyOf(data: Uint8Array, offset: number, length: number): number {
  const r = new RecordReader(data);
  return r.open(offset, length) === Body.StaleMark ? r.staleMark.instrument() : -1;
}

/** Writes one StaleMark record (instrument, ageMs = n) through a producer. */
export function send(p: NatsEdgeProducer, instrument: number, n: number, originMs = Number.NaN): void {
  const bytes = enc.staleMark(instrument, 1, n);
  const at = p.reserve(bytes.length, enc.kind, originMs);
  p.data.set(bytes, at);
}

export interface Got {
  instrument: number;
  n: number;
  kind: number;
  enq: number;
  origin: number;
}

export interface Collected {
  records: Got[];
  drops: [number, DropReason][];
}

export function collector(): Collected & { poll(c: NatsEdgeConsumer, max?: number): number } {
  const records: Got[] = [];
  const drops: [number, DropReason][] = [];
  let reader: RecordReader | null = null;
  return {
    records,
    drops,
    poll(c, max = 256) {
      if (reader === null) reader = new RecordReader(c.data);
      const r = reader;
      return c.poll(
        (_d, off, len, kind, enq, origin) => {
          if (r.open(off, len) !== Body.StaleMark) throw new Error(`record of kind ${kind} did not open as a StaleMark`);
          records.push({ instrument: r.staleMark.instrument(), n: r.staleMark.ageMs(), kind, enq, origin });
        },
        (n, reason) => drops.push([n, reason]),
        max,
      );
    },
  };
}

/** Polls until `done()` or `timeoutMs` (then throws with `what`). */
export async function pollUntil(
  c: NatsEdgeConsumer,
  col: ReturnType<typeof collector>,
  done: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${col.records.length} records, drops ${JSON.stringify(col.drops)}`);
    if (col.poll(c) === 0) await c.waitForRecords(50);
  }
}

export async function until(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function client(url: string): Promise<NatsConnection> {
  return connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}

export const dropTotal = (col: Collected, reason: DropReason) => col.drops.filter(([, r]) => r === reason).reduce((a, [n]) => a + n, 0);

/**
 * A real server for the file's tests with two connections to it (a publisher's and a
 * subscriber's, as two processes would have), started before and stopped after them.
 */
export function serverWithTwoClients(): { server: NatsServer; pubConn: NatsConnection; subConn: NatsConnection } {
  const env = {} as { server: NatsServer; pubConn: NatsConnection; subConn: NatsConnection };
  beforeAll(async () => {
    env.server = await startNatsServer();
    env.pubConn = await client(env.server.url);
    env.subConn = await client(env.server.url);
  });
  afterAll(async () => {
    env.server?.resume();
    await env.pubConn?.close();
    await env.subConn?.close();
    await env.server?.stop();
  });
  return env;
}
