/**
 * The sharding rule: which shard an instrument belongs to. A pure function of the instrument's
 * canonical text id (`<venue>:<symbol>`, as `canonicalName` in @tickline/wire spells it) and the
 * shard count, so every node computes the same assignment from nothing but the config, whatever
 * order its venue lists instruments in (numeric ids depend on that order; names do not).
 *
 * shard = jumpHash(fnv1a64(utf8(id)), count)
 *
 * - FNV-1a, 64 bits (offset basis 0xcbf29ce484222325, prime 0x100000001b3) over the id's UTF-8
 *   bytes: simple, specified bit for bit, and the same in any language.
 * - Jump consistent hash (Lamping and Veach, 2014): keys spread evenly, and growing the count
 *   from n to n+1 moves only about 1/(n+1) of the instruments (each to the new shard).
 *
 * A config may pin instruments to shards (`cluster.shards.pin`); pins win over the hash.
 */

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = (1n << 64n) - 1n;
const LCG_MUL = 2862933555777941757n;
const encoder = new TextEncoder();

/** FNV-1a, 64 bits, of a string's UTF-8 bytes. */
export function fnv1a64(text: string): bigint {
  let h = FNV_OFFSET;
  for (const b of encoder.encode(text)) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK64;
  return h;
}

/** Jump consistent hash: a bucket in [0, buckets) for a 64-bit key. */
export function jumpHash(key: bigint, buckets: number): number {
  if (!Number.isInteger(buckets) || buckets < 1) throw new RangeError(`buckets must be a positive integer, got ${buckets}`);
  let k = key & MASK64;
  let b = -1;
  let j = 0;
  while (j < buckets) {
    b = j;
    k = (k * LCG_MUL + 1n) & MASK64;
    j = Math.floor((b + 1) * (2 ** 31 / (Number(k >> 33n) + 1)));
  }
  return b;
}

/** The shard of an instrument by its canonical id, ignoring pins. */
export function shardOf(canonicalId: string, shards: number): number {
  if (typeof canonicalId !== 'string' || canonicalId === '') throw new TypeError('canonicalId must be a non-empty string');
  return jumpHash(fnv1a64(canonicalId), shards);
}

/** The sharding of one cluster: the count and the pinned instruments. */
export interface ShardRule {
  readonly count: number;
  /** Canonical id -> shard, overriding the hash. */
  readonly pins: ReadonlyMap<string, number>;
}

/** The shard of an instrument under a rule (its pin, else the hash). */
export function assignShard(rule: ShardRule, canonicalId: string): number {
  return rule.pins.get(canonicalId) ?? shardOf(canonicalId, rule.count);
}

/** Partitions instruments (canonical ids) into `rule.count` lists, each in the input's order. */
export function partition(rule: ShardRule, canonicalIds: readonly string[]): string[][] {
  const out = Array.from({ length: rule.count }, () => [] as string[]);
  for (const id of canonicalIds) (out[assignShard(rule, id)] as string[]).push(id);
  return out;
}
