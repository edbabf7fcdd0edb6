/**
 * `malformed`: a million mutated venue frames (at 60 s; scaled with --seconds) through the
 * normalize core the stage runs: bit flips, truncation, values of the wrong type, huge numbers,
 * deep nesting and prototype-pollution keys, made from the embedded exchange's own stream. None may
 * throw, every one must end as output or a counted reject (by reason), Object.prototype stays
 * clean, and clean frames afterwards go through at least half as fast as through a fresh normalizer
 * measured beside it.
 */

import { Prng } from '@tickline/exchange';
import { Normalizer } from '@tickline/normalize';
import { simStream } from '@tickline/normalize/bench';
import { type CanonicalSink, VENUES } from '@tickline/wire';
import { type ChaosContext, type ChaosResult, scaled, Verdict } from './harness.js';

/** The same kind of values the normalize fuzz test swaps in, plus the extremes. */
const REPLACEMENTS: unknown[] = [null, 0, -1, 1.5, 2 ** 60, '', 'x', '-0.1', 'NaN', '1e9', [], [[]], [['1']], {}, { a: 1 }, true];
const HUGE = ['1e400', '-1e400', '99999999999999999999999999999999', '1e-400', '0.000000000000000000000000000001', '-0'];

type Node = { parent: Record<string, unknown> | unknown[]; key: string | number };

function nodes(v: unknown): Node[] {
  const out: Node[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) {
      x.forEach((c, i) => {
        out.push({ parent: x, key: i });
        walk(c);
      });
    } else if (typeof x === 'object' && x !== null) {
      for (const k of Object.keys(x)) {
        out.push({ parent: x as Record<string, unknown>, key: k });
        walk((x as Record<string, unknown>)[k]);
      }
    }
  };
  walk(v);
  return out;
}

const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)] as T;

export const MUTATIONS = ['bit-flip', 'truncate', 'wrong-type', 'huge-number', 'deep-nesting', 'proto-pollution'] as const;
export type Mutation = (typeof MUTATIONS)[number];

/** One mutated copy of `text` (a JSON frame). */
export function mutate(kind: Mutation, text: string, r: () => number): Uint8Array {
  switch (kind) {
    case 'bit-flip': {
      const b = Buffer.from(text);
      for (let n = 1 + Math.floor(r() * 3); n > 0; n--) {
        const i = Math.floor(r() * b.length);
        b[i] = (b[i] as number) ^ (1 << Math.floor(r() * 8));
      }
      return b;
    }
    case 'truncate':
      return Buffer.from(text.slice(0, Math.floor(r() * text.length)));
    case 'wrong-type':
    case 'huge-number': {
      const v = JSON.parse(text) as unknown;
      const n = pick(nodes(v), r);
      const value = kind === 'wrong-type' ? pick(REPLACEMENTS, r) : r() < 0.5 ? pick(HUGE, r) : Number(pick(HUGE, r));
      (n.parent as Record<string, unknown>)[n.key as string] = value;
      // numbers JSON cannot hold (Infinity) are written as literals, as a broken venue would
      return Buffer.from(JSON.stringify(v, (_k, x) => (x === Number.POSITIVE_INFINITY ? '__INF__' : x)).replaceAll('"__INF__"', '1e999'));
    }
    case 'deep-nesting': {
      // deeper than any venue nests (a frame of 20,000 levels costs a millisecond to reject, all of it JSON.parse)
      const depth = 64 + Math.floor(r() * 1000);
      const open = r() < 0.5 ? '['.repeat(depth) : '{"a":'.repeat(depth);
      const close = open.startsWith('[') ? ']'.repeat(depth) : '}'.repeat(depth);
      // the nesting where a level list is expected, or as the whole frame
      return Buffer.from(r() < 0.5 ? text.replace('"bids":[', `"bids":[${open}1${close},`) : `${open}1${close}`);
    }
    case 'proto-pollution': {
      const key = pick(['__proto__', 'constructor', 'prototype'], r);
      const evil = key === 'constructor' ? '{"prototype":{"polluted":"yes","type":"delta"}}' : '{"polluted":"yes","type":"delta","seq":1}';
      return Buffer.from(r() < 0.5 ? `{"${key}":${evil},${text.slice(1)}` : text.replace('"bids":', `"bids":{"${key}":${evil}},"x":`));
    }
  }
}

class CountingSink implements Pick<CanonicalSink, 'bookDelta' | 'bookSnapshot' | 'trades' | 'quotes' | 'reject'> {
  outputs = 0;
  rejects = 0;
  bookDelta() {
    this.outputs++;
  }
  bookSnapshot() {
    this.outputs++;
  }
  trades() {
    this.outputs++;
  }
  quotes() {
    this.outputs++;
  }
  reject() {
    this.rejects++;
  }
}

/** Clean frames per second through `n`: one pass over `frames`. */
function cleanPass(n: Normalizer, frames: readonly Uint8Array[], sink: CanonicalSink): number {
  const t0 = performance.now();
  for (const f of frames) n.handleFrame(VENUES.sim, 0, null, f, 0, 0, sink);
  return frames.length / ((performance.now() - t0) / 1000);
}

/**
 * Clean frames per second through the normalizer that took the bad frames and through a fresh one,
 * measured side by side: passes alternate between the two, and each keeps its best of three (a
 * busy machine slows both alike, not one of them).
 */
function cleanRates(used: Normalizer, fresh: Normalizer, frames: readonly Uint8Array[]): { used: number; fresh: number } {
  const sink = new CountingSink() as unknown as CanonicalSink;
  const best = { used: 0, fresh: 0 };
  for (let pass = 0; pass < 3; pass++) {
    best.fresh = Math.max(best.fresh, cleanPass(fresh, frames, sink));
    best.used = Math.max(best.used, cleanPass(used, frames, sink));
  }
  return best;
}

export async function malformed(ctx: ChaosContext): Promise<ChaosResult> {
  const v = new Verdict();
  const total = scaled(ctx, 1_000_000, 20_000);
  const { registry, frames, snapshots } = simStream({ frames: 20_000, instruments: 200 });
  const texts = [...snapshots, ...frames];
  const clean = texts.map((t) => Buffer.from(t));
  const normalizer = new Normalizer({ registry });
  const sink = new CountingSink();
  const seeded = new Prng(12);
  const r = () => seeded.next();
  const byMutation: Record<string, number> = {};
  const crashes: string[] = [];
  let fed = 0;
  let busyMs = 0;
  const batch: Uint8Array[] = [];
  while (fed < total) {
    batch.length = 0;
    for (let i = 0; i < 10_000 && fed + batch.length < total; i++) {
      const kind = MUTATIONS[(fed + i) % MUTATIONS.length] as Mutation;
      batch.push(mutate(kind, pick(texts, r), r));
      byMutation[kind] = (byMutation[kind] ?? 0) + 1;
    }
    const t0 = performance.now();
    for (const f of batch) {
      try {
        normalizer.handleFrame(VENUES.sim, 0, null, f, 0, 0, sink as unknown as CanonicalSink);
      } catch (err) {
        if (crashes.length < 10)
          crashes.push(`${err instanceof Error ? err.message : String(err)}: ${Buffer.from(f).toString().slice(0, 120)}`);
        else crashes.push('');
      }
    }
    busyMs += performance.now() - t0;
    fed += batch.length;
    // let the event loop breathe (progress, signals) between batches
    await new Promise((res) => setImmediate(res));
  }
  const rates = cleanRates(normalizer, new Normalizer({ registry }), clean);
  const before = rates.fresh;
  const after = rates.used;
  const s = normalizer.stats();
  const rejectedByReason = Object.fromEntries(Object.entries(s.rejected).filter(([, n]) => n > 0));
  const accounted = s.deltas + s.snapshots + s.tradeBatches + s.quoteBatches + s.control + s.ignored + s.rejectedTotal;
  const polluted = ({} as Record<string, unknown>).polluted !== undefined || ({} as Record<string, unknown>).type !== undefined;
  const mutatedPerSec = fed / (busyMs / 1000);
  v.set({
    frames: fed,
    byMutation,
    crashes: crashes.length,
    ...(crashes.length > 0 ? { crashSamples: crashes.filter(Boolean) } : {}),
    outputs: sink.outputs,
    rejected: s.rejectedTotal,
    rejectedByReason,
    ignored: s.ignored,
    control: s.control,
    unaccounted: Math.max(0, fed + clean.length * 3 - accounted),
    prototypePolluted: polluted,
    cleanFramesPerSecFresh: Math.round(before),
    mutatedFramesPerSec: Math.round(mutatedPerSec),
    cleanFramesPerSecAfter: Math.round(after),
  });
  v.check(crashes.length === 0, `${crashes.length} frames threw`);
  v.check(accounted >= fed + clean.length * 3, `${fed + clean.length * 3 - accounted} frames neither output nor counted`);
  v.check(s.rejectedTotal > 0 && Object.keys(rejectedByReason).length > 1, 'rejects were not counted by reason');
  v.check(!polluted, 'Object.prototype was polluted');
  // "Throughput held": after a million bad frames, clean frames go through at least half as fast
  // as on a fresh normalizer measured beside it
  v.check(after >= before * 0.5, `clean throughput fell from ${Math.round(before)} to ${Math.round(after)} frames/s`);
  return v.result('malformed');
}
