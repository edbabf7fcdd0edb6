/**
 * What a lossy NATS edge's producer holds back while its connection is behind (the records it
 * wrote before are still waiting to reach the server, for longer than the edge's max age): the
 * newest record of each instrument and kind for the kinds the max age applies to (a newer one
 * replaces the one held: it is conflated), and every other record in order. When the connection
 * has caught up they go out in the order they came, minus those that aged past the bound while
 * held, packed into messages as a flush's records are.
 *
 * A record replaced or expired here is never sent: the consumer sees the hole in the producer's
 * sequence and counts it as the policy's loss (or as stale), as for anything else the edge drops.
 */
import { NATS_HEADER_BYTES, pad8 } from './edge-spec.js';

const HDR = NATS_HEADER_BYTES;

interface Held {
  /** Header and payload, as written (a slice of the producer's chunk, never rewritten). */
  readonly bytes: Uint8Array;
  readonly key: number;
  readonly perishable: boolean;
  readonly origin: number;
}

export interface HeldMessage {
  /** Instrument of every record in it, or -1. */
  readonly key: number;
  readonly bytes: Uint8Array;
  readonly records: number;
}

export class HeldRecords {
  #items: (Held | null)[] = [];
  #live = 0;
  /** (instrument, kind) of a perishable record -> its place in #items. */
  readonly #latest = new Map<number, number>();

  /** Records held now. */
  get size(): number {
    return this.#live;
  }

  /**
   * Holds a record. A perishable one replaces the held record of the same instrument and kind;
   * returns 1 when it did (one record conflated), else 0.
   */
  add(bytes: Uint8Array, key: number, kind: number, perishable: boolean): number {
    const origin = new DataView(bytes.buffer, bytes.byteOffset, HDR).getFloat64(24, true);
    const at = this.#items.length;
    this.#items.push({ bytes, key, perishable, origin });
    this.#live++;
    if (!perishable) return 0;
    const slot = (key + 1) * 256 + (kind & 255);
    const before = this.#latest.get(slot);
    this.#latest.set(slot, at);
    if (before === undefined) return 0;
    this.#items[before] = null;
    this.#live--;
    return 1;
  }

  /**
   * Takes everything held, in order, except perishable records born before `cutoff` (counted in
   * `expired`), packed into messages of at most `most` records within `maxBytes` (records 8-byte
   * aligned, the last one ending the message, as the producer writes them).
   */
  drain(cutoff: number, most: number, maxBytes: number): { messages: HeldMessage[]; expired: number } {
    const keep: Held[] = [];
    let expired = 0;
    for (const h of this.#items) {
      if (h === null) continue;
      if (h.perishable && h.origin < cutoff) expired++;
      else keep.push(h);
    }
    this.#items = [];
    this.#live = 0;
    this.#latest.clear();
    const messages: HeldMessage[] = [];
    let i = 0;
    while (i < keep.length) {
      const first = keep[i] as Held;
      let size = first.bytes.length;
      let key = first.key < 0 ? -1 : first.key;
      let j = i + 1;
      while (j < keep.length && j - i < most) {
        const h = keep[j] as Held;
        if (pad8(size) + h.bytes.length > maxBytes) break;
        size = pad8(size) + h.bytes.length;
        if (h.key !== key) key = -1;
        j++;
      }
      const out = new Uint8Array(size);
      let at = 0;
      for (let k = i; k < j; k++) {
        const b = (keep[k] as Held).bytes;
        out.set(b, at);
        at = pad8(at + b.length);
      }
      messages.push({ key, bytes: out, records: j - i });
      i = j;
    }
    return { messages, expired };
  }
}
