/**
 * Latency models: a constant, or draws (uniform, seeded, with replacement) from a recorded
 * distribution of samples in ms. Three are configured separately: feed (market data from the
 * venue to the strategy; the driver applies it), order entry (strategy to venue) and response
 * (venue to strategy: acks, fills, cancels, rejects). Deterministic for a seed: the same seed and
 * the same sequence of draws give the same values.
 */

import { readFileSync } from 'node:fs';
import { Prng } from '@tickline/exchange';
import { LatencyFileError } from './errors.js';

/** Upper bound of any latency value, ms (one minute). */
export const MAX_LATENCY_MS = 60_000;

export type LatencySpec =
  | { readonly kind: 'constant'; readonly ms: number }
  /** `source`: where the samples came from (a file path, or "inline"). */
  | { readonly kind: 'samples'; readonly source: string; readonly samples: readonly number[] };

export interface LatencyModel {
  /** The next latency, ms (>= 0). */
  sample(): number;
  /** The smallest value `sample()` can return. */
  readonly min: number;
  readonly max: number;
  /** Plain settings for reports. */
  describe(): LatencySettings;
}

export type LatencySettings =
  | { readonly kind: 'constant'; readonly ms: number }
  | {
      readonly kind: 'samples';
      readonly source: string;
      readonly count: number;
      readonly min: number;
      readonly p50: number;
      readonly max: number;
      readonly seed: number;
    };

class ConstantLatency implements LatencyModel {
  readonly min: number;
  readonly max: number;
  constructor(readonly ms: number) {
    this.min = ms;
    this.max = ms;
  }
  sample(): number {
    return this.ms;
  }
  describe(): LatencySettings {
    return { kind: 'constant', ms: this.ms };
  }
}

class SampledLatency implements LatencyModel {
  readonly #samples: Float64Array;
  readonly #prng: Prng;
  readonly min: number;
  readonly max: number;
  readonly #p50: number;
  constructor(
    readonly source: string,
    samples: readonly number[],
    readonly seed: number,
  ) {
    this.#samples = Float64Array.from(samples);
    this.#prng = new Prng(seed);
    const sorted = Float64Array.from(samples).sort();
    this.min = sorted[0] as number;
    this.max = sorted[sorted.length - 1] as number;
    this.#p50 = sorted[(sorted.length - 1) >> 1] as number;
  }
  sample(): number {
    return this.#samples[this.#prng.int(this.#samples.length)] as number;
  }
  describe(): LatencySettings {
    return {
      kind: 'samples',
      source: this.source,
      count: this.#samples.length,
      min: this.min,
      p50: this.#p50,
      max: this.max,
      seed: this.seed,
    };
  }
}

/** A latency model for a validated spec; `seed` drives the draws of a sampled one. */
export function createLatencyModel(spec: LatencySpec, seed: number): LatencyModel {
  if (spec.kind === 'constant') {
    if (!(Number.isFinite(spec.ms) && spec.ms >= 0 && spec.ms <= MAX_LATENCY_MS))
      throw new RangeError(`latency ms must be a number from 0 to ${MAX_LATENCY_MS}, got ${spec.ms}`);
    return new ConstantLatency(spec.ms);
  }
  if (spec.samples.length === 0) throw new RangeError(`latency samples from ${spec.source} must not be empty`);
  for (const [i, v] of spec.samples.entries())
    if (!(Number.isFinite(v) && v >= 0 && v <= MAX_LATENCY_MS))
      throw new RangeError(`latency sample ${i} from ${spec.source} must be a number from 0 to ${MAX_LATENCY_MS}, got ${v}`);
  return new SampledLatency(spec.source, spec.samples, seed >>> 0);
}

/**
 * Parses latency samples, ms: a JSON array of numbers, or one number per line (blank lines and
 * lines starting with # are skipped). Every value must be a number from 0 to MAX_LATENCY_MS.
 */
export function parseLatencySamples(text: string, file: string): number[] {
  const bad = (where: string, got: string): LatencyFileError =>
    new LatencyFileError(file, `${file}${where}: must be a latency in ms (a number from 0 to ${MAX_LATENCY_MS}), got ${got}`);
  const trimmed = text.trim();
  const out: number[] = [];
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch (err) {
      throw new LatencyFileError(file, `${file}: not a JSON array of numbers (${(err as Error).message})`);
    }
    if (!Array.isArray(arr)) throw new LatencyFileError(file, `${file}: not a JSON array of numbers`);
    for (const [i, v] of arr.entries()) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_LATENCY_MS) throw bad(` [${i}]`, JSON.stringify(v) ?? String(v));
      out.push(v);
    }
  } else {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] as string).trim();
      if (line === '' || line.startsWith('#')) continue;
      const v = Number(line);
      if (!Number.isFinite(v) || v < 0 || v > MAX_LATENCY_MS) throw bad(` line ${i + 1}`, JSON.stringify(line.slice(0, 40)));
      out.push(v);
    }
  }
  if (out.length === 0) throw new LatencyFileError(file, `${file}: holds no latency samples (one number of ms per line, or a JSON array)`);
  return out;
}

/** Reads and parses a samples file (see parseLatencySamples). */
export function loadLatencySamples(file: string): number[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new LatencyFileError(
      file,
      `${file}: cannot read latency samples (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parseLatencySamples(text, file);
}
