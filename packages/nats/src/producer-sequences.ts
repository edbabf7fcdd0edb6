/**
 * Where each producer's sequence stands, as one consumer has seen it. Every record carries its
 * producer's id and sequence number (1, 2, 3...), so a hole is a count of lost records, and a
 * number already seen is a redelivery. A block edge does not report a hole at once: a record
 * delivered to a predecessor that died unacknowledged comes again after the ack wait, so its
 * holes are remembered and only counted as lost once that wait has passed (expire()).
 */
import type { DropReason } from '@tickline/ring';
import type { NatsEdgeSpec } from './edge-spec.js';

/** Block edge: holes up to this size wait for redeliveries; a larger one is reported at once. */
const MAX_AWAITED = 65_536;

export interface ProducerState {
  /** Lowest and highest sequence handled without a hole in between. */
  first: number;
  last: number;
  lastEnq: number;
  /** Block edge: sequences missing in [first, last], with the time a redelivery is due by. */
  missing: Map<number, number> | null;
}

export class ProducerSequences {
  /** Whether the durable consumer had delivered nothing when this end opened. */
  fresh = false;
  readonly #block: boolean;
  readonly #awaitMs: number;
  readonly #producers = new Map<number, ProducerState>();
  #lastId = -1;
  #last: ProducerState | null = null;

  /** `block`: wait `awaitMs` for a hole's records before counting them lost. */
  constructor(block: boolean, awaitMs: number) {
    this.#block = block;
    this.#awaitMs = awaitMs;
  }

  /** The state of the producer of the record place() saw last. */
  get current(): ProducerState {
    return this.#last as ProducerState;
  }

  /**
   * Places `seq` of producer `id` in its sequence: 0 in order, n > 0 after a hole of n records
   * (reported now), -1 a record already handled (a redelivery). A block edge reports no hole at
   * once: it waits for redeliveries until the ack wait has passed (see expire()).
   */
  place(id: number, seq: number, now: number): number {
    let st = id === this.#lastId ? this.#last : (this.#producers.get(id) ?? null);
    if (st === null) {
      // A producer seen for the first time: a fresh consumer has had everything it published
      // (from 1); a resumed one picks up where its predecessor left off. What came before is of
      // unknown age: a hole at the start counts as stale on an edge with a max age.
      const start = this.fresh ? 1 : seq;
      st = { first: start, last: start - 1, lastEnq: Number.NEGATIVE_INFINITY, missing: this.#block ? new Map() : null };
      this.#producers.set(id, st);
    }
    this.#lastId = id;
    this.#last = st;
    if (seq === st.last + 1) {
      st.last = seq;
      return 0;
    }
    if (seq > st.last + 1) {
      const hole = seq - st.last - 1;
      if (st.missing !== null && hole <= MAX_AWAITED) {
        const due = now + this.#awaitMs;
        for (let s = st.last + 1; s < seq; s++) st.missing.set(s, due);
        st.last = seq;
        return 0;
      }
      st.last = seq;
      return hole;
    }
    if (seq < st.first) {
      // from before this end started (redelivered after a predecessor died): handle it, and
      // expect what lies between it and the first one handled as well
      if (st.missing !== null && st.first - seq - 1 <= MAX_AWAITED) {
        const due = now + this.#awaitMs;
        for (let s = seq + 1; s < st.first; s++) st.missing.set(s, due);
      }
      st.first = seq;
      return 0;
    }
    if (st.missing?.delete(seq)) return 0;
    return -1;
  }

  /** Block edge: forgets holes whose wait has passed; returns how many records they held. */
  expire(now: number): number {
    if (!this.#block) return 0;
    let lost = 0;
    for (const st of this.#producers.values()) {
      if (st.missing === null) continue;
      for (const [seq, due] of st.missing) {
        if (due <= now) {
          st.missing.delete(seq);
          lost++;
        }
      }
    }
    return lost;
  }
}

/**
 * Why records in a hole were lost: `stale` when the edge has a max age and the record before the
 * hole is older than it (the stream's max_age expired them), else what the policy discards.
 */
export function holeReason(spec: NatsEdgeSpec, st: ProducerState, now: number): DropReason {
  if (spec.maxAgeMs > 0 && now - st.lastEnq >= spec.maxAgeMs) return 'stale';
  return spec.policy === 'drop-oldest' ? 'drop-oldest' : 'drop-newest';
}
