/**
 * The journal port: every order state and fill is written here (durably, by the real
 * implementation) before the core acts on it downstream. A journal commits each `record()` at
 * once, or, once `group()` was called, queues the rows of a unit of work until `commit()` writes
 * them in one transaction (group commit, see core/group-commit.ts). `MemoryJournal` is the
 * in-process implementation for tests and journal-less runs.
 */

export type OrderPurpose = 'entry' | 'exit' | 'reprice' | 'external';

export interface JournalOrder {
  clientOrderId: string;
  venueOrderId: string;
  intentId: number;
  instrument: number;
  side: number;
  type: number;
  tif: number;
  price: number;
  size: number;
  filled: number;
  /** wire OrderStatus */
  status: number;
  purpose: OrderPurpose;
  strategy: string;
  reason: string;
  createdMs: number;
  updatedMs: number;
}

export interface JournalFill {
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly instrument: number;
  readonly side: number;
  readonly price: number;
  readonly size: number;
  /** Mantissa at feeScale, quote currency (negative = rebate). */
  readonly fee: number;
  readonly feeScale: number;
  readonly maker: boolean;
  readonly venueSeq: number;
  readonly tsMs: number;
  /** Learned from a reconciliation query rather than a live report. */
  readonly synthesized: boolean;
}

export interface JournalState {
  readonly orders: JournalOrder[];
  /** In the order they were journaled. */
  readonly fills: JournalFill[];
  readonly lastSeq: number;
}

export interface JournalPort {
  load(): JournalState;
  /**
   * One atomic write: order rows (upserted, also appended to their history), at most one fill,
   * and the last applied venue sequence (null = unchanged). Durable when it returns, unless the
   * journal is grouping: then durable at the next `commit()`, in the same transaction as every
   * other row of the unit. Returns false, synchronously and in both modes, if the fill was
   * journaled before (in an earlier unit, an earlier run, or earlier in this unit); then nothing
   * of this call is written and the caller must not apply the fill again.
   */
  record(orders: readonly JournalOrder[], fill: JournalFill | null, lastSeq: number | null): boolean;
  /** From now on `record()` queues its rows for `commit()` (one-way). */
  group(): void;
  /** Writes every queued row in one transaction; returns how many `record()` calls it covered. */
  commit(): number;
  /** `record()` calls waiting for `commit()`. */
  readonly pending: number;
  /** `record()` calls written, and the transactions that wrote them. */
  readonly records: number;
  readonly commits: number;
  /** Commits what is pending, then releases the journal. */
  close(): void;
}

interface Queued {
  readonly orders: readonly JournalOrder[];
  readonly fill: JournalFill | null;
  readonly lastSeq: number | null;
}

export class MemoryJournal implements JournalPort {
  readonly orders = new Map<string, JournalOrder>();
  readonly fills: JournalFill[] = [];
  readonly #fillIds = new Set<string>();
  readonly #queue: Queued[] = [];
  #grouping = false;
  lastSeq = 0;
  records = 0;
  commits = 0;

  load(): JournalState {
    return { orders: [...this.orders.values()].map((o) => ({ ...o })), fills: [...this.fills], lastSeq: this.lastSeq };
  }

  record(orders: readonly JournalOrder[], fill: JournalFill | null, lastSeq: number | null): boolean {
    if (fill) {
      if (this.#fillIds.has(fill.fillId)) return false;
      this.#fillIds.add(fill.fillId);
    }
    // Rows are copied now: what is committed is the state at the call.
    this.#queue.push({ orders: orders.map((o) => ({ ...o })), fill, lastSeq });
    if (!this.#grouping) this.commit();
    return true;
  }

  group(): void {
    this.#grouping = true;
  }

  get pending(): number {
    return this.#queue.length;
  }

  commit(): number {
    const n = this.#queue.length;
    if (n === 0) return 0;
    for (const q of this.#queue) {
      for (const o of q.orders) this.orders.set(o.clientOrderId, o);
      if (q.fill) this.fills.push(q.fill);
      if (q.lastSeq !== null && q.lastSeq > this.lastSeq) this.lastSeq = q.lastSeq;
    }
    this.#queue.length = 0;
    this.records += n;
    this.commits++;
    return n;
  }

  close(): void {
    this.commit();
  }
}
