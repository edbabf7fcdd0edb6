/**
 * Queue-position models: how much of the displayed size at a price level is ahead of a resting
 * order (`front`, a size mantissa of the market's own orders; our other orders ahead are counted
 * separately by the venue), and how it moves.
 *
 * - Trades at the order's price always consume the front: `front -= qty` (every model). What
 *   goes past the front fills the order (the venue does that part).
 * - A decrease of the level's size (a cancel somewhere in the queue, or the print of a trade the
 *   feed already showed) is where the models differ:
 *   - `risk-averse` (hftbacktest's RiskAdverseQueueModel): the order never advances on a
 *     decrease; only the cap holds: the queue ahead cannot be larger than the level,
 *     `front = min(front, newSize)`.
 *   - `prob-*` (hftbacktest's ProbQueueModel family): a decrease of `chg` (net of the trade size
 *     already taken off the front since the last change, so a trade is not counted twice) is
 *     split between ahead and behind: with `back = prev - front` and `p = prob(front, back)` the
 *     probability that the decrease came from behind, the expected new front is
 *     `front - (1 - p) * chg + min(back - p * chg, 0)`, capped at the new size.
 *   - An increase never moves the order (new orders join behind it).
 *
 * - `sampling: 'draw'` replaces the expected value by a seeded draw per decrease (QUEUE_SAMPLING).
 *
 * The front is a double (expected values are fractional in the prob models); fills are whole lots.
 */

import { Prng } from '@tickline/exchange';

/** A trade through a resting order's price fills it completely, or up to the trade's size (venue-matching.ts). */
export const THROUGH_TRADE_RULES = ['full', 'trade-size'] as const;
export type ThroughTradeRule = (typeof THROUGH_TRADE_RULES)[number];

export const QUEUE_MODELS = ['risk-averse', 'prob-power', 'prob-power2', 'prob-power3', 'prob-log', 'prob-log2'] as const;
export type QueueModelName = (typeof QUEUE_MODELS)[number];

/** The queue state the models read and write; the venue's resting order implements it. */
export interface QueuePosition {
  /** Market size ahead of the order (mantissa, may be fractional in the prob models). */
  front: number;
  /** Trade size at the order's price since the last level change (prob models subtract it). */
  tradedSinceChange: number;
}

/**
 * How a prob model applies p: `expected` moves the front by the expected value (hftbacktest);
 * `draw` draws, per decrease, whether it happened behind the order (probability p: the front
 * moves only by what the queue behind could not hold) or ahead of it (the front moves by the
 * whole decrease, down to 0), from a seeded stream.
 */
export const QUEUE_SAMPLING = ['expected', 'draw'] as const;
export type QueueSampling = (typeof QUEUE_SAMPLING)[number];

export interface QueueModel {
  readonly name: QueueModelName;
  /** Exponent n of the power variants (ignored by the others). */
  readonly n: number;
  readonly sampling: QueueSampling;
  /** Seed of the draws (`draw` only). */
  readonly seed: number;
  /** A trade of `qty` at the order's price. */
  trade(q: QueuePosition, qty: number): void;
  /** The level at the order's price went from `prev` to `next` (displayed market size). */
  depth(q: QueuePosition, prev: number, next: number): void;
}

/** The probability that a decrease at the level happened behind the order. */
export type QueueProbability = (front: number, back: number) => number;

export function queueProbability(name: Exclude<QueueModelName, 'risk-averse'>, n: number): QueueProbability {
  switch (name) {
    case 'prob-power':
      return (front, back) => back ** n / (back ** n + front ** n);
    case 'prob-power2':
      return (front, back) => back ** n / (back + front) ** n;
    case 'prob-power3':
      return (front, back) => 1 - (front / (front + back)) ** n;
    case 'prob-log':
      return (front, back) => Math.log1p(back) / (Math.log1p(back) + Math.log1p(front));
    case 'prob-log2':
      return (front, back) => Math.log1p(back) / Math.log1p(back + front);
  }
}

class RiskAverseQueue implements QueueModel {
  readonly name = 'risk-averse' as const;
  readonly n = 0;
  readonly sampling = 'expected' as const;
  readonly seed = 0;
  trade(q: QueuePosition, qty: number): void {
    q.front -= qty;
  }
  depth(q: QueuePosition, _prev: number, next: number): void {
    if (q.front > next) q.front = next;
  }
}

class ProbQueue implements QueueModel {
  readonly name: QueueModelName;
  readonly n: number;
  readonly sampling: QueueSampling;
  readonly seed: number;
  readonly #prob: QueueProbability;
  readonly #rng: Prng | null;
  constructor(name: Exclude<QueueModelName, 'risk-averse'>, n: number, sampling: QueueSampling, seed: number) {
    this.name = name;
    this.n = n;
    this.sampling = sampling;
    this.seed = sampling === 'draw' ? seed >>> 0 : 0;
    this.#prob = queueProbability(name, n);
    this.#rng = sampling === 'draw' ? new Prng(seed) : null;
  }
  trade(q: QueuePosition, qty: number): void {
    q.front -= qty;
    q.tradedSinceChange += qty;
  }
  depth(q: QueuePosition, prev: number, next: number): void {
    const chg = prev - next - q.tradedSinceChange;
    q.tradedSinceChange = 0;
    if (chg <= 0) {
      if (q.front > next) q.front = next;
      return;
    }
    const front = Math.max(q.front, 0);
    const back = Math.max(prev - front, 0);
    let p = this.#prob(front, back);
    // 0/0 (empty level) or an infinite ratio: hftbacktest takes the decrease as behind the order.
    if (!Number.isFinite(p)) p = 1;
    let est: number;
    if (this.#rng === null) est = front - (1 - p) * chg + Math.min(back - p * chg, 0);
    else if (this.#rng.next() < p) est = front - Math.max(chg - back, 0);
    else est = front - chg;
    if (est > next) est = next;
    q.front = Math.max(est, 0);
  }
}

/** A queue model; `sampling` and `seed` only matter to the prob models. */
export function createQueueModel(name: QueueModelName, n = 3, sampling: QueueSampling = 'expected', seed = 1): QueueModel {
  if (!QUEUE_MODELS.includes(name)) throw new RangeError(`queue model must be one of ${QUEUE_MODELS.join(', ')}, got ${String(name)}`);
  if (!(Number.isFinite(n) && n > 0)) throw new RangeError(`queue model exponent n must be a positive number, got ${n}`);
  if (!QUEUE_SAMPLING.includes(sampling))
    throw new RangeError(`queue sampling must be one of ${QUEUE_SAMPLING.join(', ')}, got ${String(sampling)}`);
  return name === 'risk-averse' ? new RiskAverseQueue() : new ProbQueue(name, n, sampling, seed);
}
