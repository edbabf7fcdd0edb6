import { VENUES, type VenueName } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { inferInstruments, Normalizer, registryOf } from '../src/index.js';
import { loadCapture } from './helpers/capture.js';
import { rng } from './helpers/rng.js';

/**
 * Structural fuzzing: real capture messages with one JSON node replaced by a value of another type
 * (or removed) must never make a parser throw; every frame ends as output, control, ignored or a
 * counted reject.
 */

const REPLACEMENTS: unknown[] = [
  null,
  0,
  -1,
  1.5,
  2 ** 60,
  '',
  'x',
  '-0.1',
  'NaN',
  '1e9',
  [],
  [[]],
  [['1']],
  {},
  { a: 1 },
  true,
  undefined,
];

function mutate(v: unknown, next: () => number): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (x: unknown) => {
    if (Array.isArray(x)) {
      x.forEach((c, i) => {
        nodes.push({ parent: x, key: i });
        walk(c);
      });
    } else if (typeof x === 'object' && x !== null) {
      for (const k of Object.keys(x)) {
        nodes.push({ parent: x as Record<string, unknown>, key: k });
        walk((x as Record<string, unknown>)[k]);
      }
    }
  };
  walk(v);
  const n = nodes[Math.floor(next() * nodes.length)];
  if (n === undefined) return v;
  const r = REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)];
  if (r === undefined && !Array.isArray(n.parent)) delete (n.parent as Record<string, unknown>)[n.key as string];
  else (n.parent as Record<string, unknown>)[n.key as string] = r;
  return v;
}

const CASES: [VenueName, string][] = [
  ['binance-spot', 'binance-spot-depth-2021-10-12.cap'],
  ['binance-usdm', 'binance-usdm-depth-2021-07-22.cap'],
  ['coinbase-legacy', 'coinbase-legacy-level2-2021-04-17.cap'],
  ['kraken-v1', 'kraken-v1-book-2021-04-17.cap'],
  ['okx', 'okx-v5-books-2022-05-13.cap'],
];

describe('parsers never throw on mutated venue messages', () => {
  it.each(CASES)('%s', (venue, file) => {
    const frames = loadCapture(file);
    const registry = registryOf(inferInstruments(venue, frames));
    const next = rng(venue.length);
    // Every parser is also fed the other venues' messages.
    const others = CASES.flatMap(([, f]) => loadCapture(f).slice(0, 40));
    const n = new Normalizer({ registry });
    let outputs = 0;
    const sink = {
      bookDelta: () => void outputs++,
      bookSnapshot: () => void outputs++,
      trades: () => void outputs++,
      quotes: () => void outputs++,
      reject() {},
    };
    let fed = 0;
    for (let k = 0; k < 2500; k++) {
      const f = frames[Math.floor(next() * frames.length)];
      if (f === undefined) continue;
      for (let m = 0; m < 2; m++) {
        const text = JSON.stringify(mutate(JSON.parse(f.text), next)) ?? 'null';
        expect(() => n.handleFrame(VENUES[venue], f.kind, f.context, Buffer.from(text), 0, 0, sink), text).not.toThrow();
        fed++;
      }
    }
    for (const f of others) {
      for (const kind of [0, 2]) {
        expect(() => n.handleFrame(VENUES[venue], kind, '/x?symbol=Y', f.bytes, 0, 0, sink)).not.toThrow();
        fed++;
      }
    }
    const s = n.stats();
    expect(s.frames).toBe(fed);
    expect(s.deltas + s.snapshots + s.tradeBatches + s.quoteBatches + s.control + s.ignored + s.rejectedTotal).toBeGreaterThanOrEqual(fed);
    expect(outputs).toBeGreaterThan(0);
  });
});
