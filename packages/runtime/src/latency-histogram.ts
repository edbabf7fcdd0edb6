/**
 * A fixed-memory latency histogram: log-linear buckets (16 sub-buckets per power of two) from
 * 1 ns to ~1 minute, so recording is one Math.log2-free integer computation and an increment,
 * with at most 1/16 (6.25%) relative error on any quantile. No allocation after construction.
 */

const SUB = 16;
const SUB_BITS = 4;
const MAX_POW = 36; // 2^36 ns ≈ 68.7 s

export class LatencyHistogram {
  readonly counts = new Float64Array((MAX_POW + 1) * SUB);
  count = 0;
  min = Number.POSITIVE_INFINITY;
  max = 0;
  sum = 0;

  /** Records one value in nanoseconds (negative values count as 0). */
  record(ns: number): void {
    const v = Math.max(ns, 0);
    const b = bucketOf(v);
    this.counts[b] = (this.counts[b] as number) + 1;
    this.count++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }

  /** The value (ns) at quantile q in [0, 1]: the upper edge of the bucket holding it. */
  quantile(q: number): number {
    if (this.count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i] as number;
      if (seen >= rank) return Math.min(upperEdge(i), this.max);
    }
    return this.max;
  }

  /**
   * Flat stats for the control plane: `latencyNs.<name>.count|sum|max|b<i>` (non-zero buckets
   * only). Counts add up across partitions; the dashboard turns them into Prometheus histograms.
   */
  toStats(name: string, out: Record<string, number> = {}): Record<string, number> {
    const p = `latencyNs.${name}.`;
    out[`${p}count`] = this.count;
    out[`${p}sum`] = this.sum;
    out[`${p}max`] = this.max;
    for (let i = 0; i < this.counts.length; i++) if ((this.counts[i] as number) > 0) out[`${p}b${i}`] = this.counts[i] as number;
    return out;
  }

  /** The upper edge (ns) of bucket `i`, for readers of toStats() output. */
  static bucketUpperNs(i: number): number {
    return upperEdge(i);
  }

  merge(other: LatencyHistogram): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] = (this.counts[i] as number) + (other.counts[i] as number);
    this.count += other.count;
    this.sum += other.sum;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
    this.min = Number.POSITIVE_INFINITY;
    this.max = 0;
    this.sum = 0;
  }
}

function bucketOf(ns: number): number {
  const v = Math.floor(ns);
  if (v < SUB) return v;
  // exponent e such that 2^e <= v < 2^(e+1), via clz32 on the high and low 32-bit halves
  const hi = Math.floor(v / 4294967296);
  const e = hi > 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(v);
  if (e >= MAX_POW) return (MAX_POW + 1) * SUB - 1;
  const sub = Math.floor(v / 2 ** (e - SUB_BITS)) - SUB; // 0..15
  return (e - SUB_BITS + 1) * SUB + sub;
}

function upperEdge(bucket: number): number {
  if (bucket < SUB) return bucket;
  const e = Math.floor(bucket / SUB) + SUB_BITS - 1;
  const sub = bucket % SUB;
  return (SUB + sub + 1) * 2 ** (e - SUB_BITS) - 1;
}
