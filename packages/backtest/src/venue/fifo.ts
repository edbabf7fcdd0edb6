/**
 * A first-in first-out queue of timed items whose times never decrease (the venue enforces
 * that: one connection delivers in order), so the earliest item is always at the head. Amortized
 * O(1) push and shift, no allocation per item beyond the item itself.
 */
export class TimedFifo<T extends { readonly at: number }> {
  #items: (T | undefined)[] = [];
  #head = 0;

  get length(): number {
    return this.#items.length - this.#head;
  }

  /** Time of the head item, Infinity when empty. */
  get nextAt(): number {
    const h = this.#items[this.#head];
    return h === undefined ? Number.POSITIVE_INFINITY : h.at;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  shift(): T | undefined {
    const items = this.#items;
    const h = items[this.#head];
    if (h === undefined) return undefined;
    items[this.#head++] = undefined;
    if (this.#head === items.length) {
      items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= items.length) {
      items.splice(0, this.#head);
      this.#head = 0;
    }
    return h;
  }

  /** The items still queued, oldest first (a copy). */
  toArray(): T[] {
    return this.#items.slice(this.#head) as T[];
  }
}
