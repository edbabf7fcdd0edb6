/**
 * A block edge's publishing side: messages (the records of a flush, up to the edge's batch)
 * stored in order, one in flight at a time, each with a Nats-Msg-Id so a retry is never stored twice. A refusal because the stream is
 * full is retried with a growing pause (counted as waits) until it is stored, or until the edge's
 * blockTimeoutMs passes (then its records are dropped and counted as refused, like a ring's
 * drop-newest).
 */
import { headers, type NatsConnection } from '@nats-io/transport-node';
import { type NatsEdgeSpec, nowMs } from './edge-spec.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const DECODER = new TextDecoder();

export interface BlockMessage {
  readonly subject: string;
  readonly bytes: Uint8Array;
  readonly records: number;
  /** Nats-Msg-Id: `<producer id>-<record seq>`. */
  readonly id: string;
  /** When it was queued (epoch ms). */
  readonly since: number;
}

/** What the queue counts into (the producer's counters). */
export interface BlockCounters {
  published: number;
  messages: number;
  refused: number;
  waits: number;
  pending: number;
}

export class BlockQueue {
  readonly #nc: NatsConnection;
  readonly #spec: NatsEdgeSpec;
  readonly #counters: BlockCounters;
  readonly #queue: BlockMessage[] = [];
  #pumping = false;
  #closed = false;

  constructor(nc: NatsConnection, spec: NatsEdgeSpec, counters: BlockCounters) {
    this.#nc = nc;
    this.#spec = spec;
    this.#counters = counters;
  }

  get length(): number {
    return this.#queue.length;
  }

  /** How long the oldest message has waited (ms), 0 when none waits. */
  backlogMs(now: number): number {
    const head = this.#queue[0];
    return head === undefined ? 0 : now - head.since;
  }

  push(m: BlockMessage): void {
    this.#queue.push(m);
  }

  /** Starts storing what is queued, unless that is under way. */
  kick(): void {
    this.#counters.pending = this.#queue.length;
    if (!this.#pumping && !this.#closed) void this.#pump();
  }

  /** Resolves once everything queued is stored, or at `deadline` (epoch ms); true if empty. */
  async settled(deadline: number): Promise<boolean> {
    while (this.#queue.length > 0 && nowMs() < deadline) await sleep(5);
    return this.#queue.length === 0;
  }

  /** Stops storing; returns the records of the messages still queued (never to be stored). */
  close(): number {
    this.#closed = true;
    let records = 0;
    for (const m of this.#queue) records += m.records;
    this.#queue.length = 0;
    this.#counters.pending = 0;
    return records;
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    const c = this.#counters;
    let backoff = 1;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const m = this.#queue[0] as BlockMessage;
        const h = headers();
        h.set('Nats-Msg-Id', m.id);
        let stored = false;
        let full = false;
        try {
          const reply = await this.#nc.request(m.subject, m.bytes, { timeout: 2000, headers: h });
          const text = DECODER.decode(reply.data);
          stored = text.startsWith('{"stream"');
          full = !stored && /maximum (messages|bytes)|resource limits/i.test(text);
        } catch {
          // no responders (stream not there yet) or a timeout (server restarting): retry
        }
        if (stored) {
          this.#queue.shift();
          c.published += m.records;
          c.messages++;
          backoff = 1;
        } else {
          if (full) c.waits++;
          if (nowMs() - m.since >= this.#spec.blockTimeoutMs) {
            this.#queue.shift();
            c.refused += m.records;
          } else {
            await sleep(full ? backoff : 50);
            backoff = Math.min(50, backoff * 2);
          }
        }
        c.pending = this.#queue.length;
      }
    } finally {
      this.#pumping = false;
    }
  }
}
