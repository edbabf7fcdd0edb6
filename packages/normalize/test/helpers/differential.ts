import { type InstrumentRegistry, VENUES, type VenueName } from '@tickline/wire';
import { Normalizer } from '../../src/index.js';
import { CollectSink, type Out } from './collect.js';
import { pick } from './rng.js';

/**
 * The same frame through two normalize cores, one with the venue fast paths and one forced onto
 * the JSON path (`fastPaths: false`), for tests that the fast path is an exact shortcut.
 */
export interface FastAndJson {
  /** Both cores' output for one frame (text, or raw bytes that need not be UTF-8): [fast path, JSON path]. */
  run(frame: string | Uint8Array, kind?: number, context?: string | null): readonly [Out[], Out[]];
  readonly fast: Normalizer;
  readonly json: Normalizer;
}

export function fastAndJson(venue: VenueName, registry: InstrumentRegistry): FastAndJson {
  const fast = new Normalizer({ registry });
  const json = new Normalizer({ registry, fastPaths: false });
  const a = new CollectSink();
  const b = new CollectSink();
  let n = 0;
  return {
    fast,
    json,
    run(frame, kind = 0, context = null) {
      a.clear();
      b.clear();
      const bytes = typeof frame === 'string' ? Buffer.from(frame, 'utf8') : frame;
      n++;
      // Receive times and connection ids vary per frame so the header copy is checked too.
      fast.handleFrame(VENUES[venue], kind, context, bytes, 1_700_000_000 + n, n * 7, a, n & 3);
      json.handleFrame(VENUES[venue], kind, context, bytes, 1_700_000_000 + n, n * 7, b, n & 3);
      return [a.out, b.out] as const;
    },
  };
}

/** Text edits for random corruption: what a broken or hostile frame may hold. */
export const MUTATIONS = [
  '\n',
  '\u0001',
  '"',
  ',',
  ']',
  '[',
  '}',
  '{',
  '\\',
  '-',
  '.',
  '0',
  '9',
  'e',
  ' ',
  ':',
  'null',
  '"x"',
  '1e5',
  '-1',
  '99999999999999999',
];

/** One to three random replacements, insertions or deletions of MUTATIONS at random places. */
export function corrupt(text: string, next: () => number): string {
  let t = text;
  const edits = 1 + Math.floor(next() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * t.length);
    const op = next();
    const ins = pick(next, MUTATIONS);
    if (op < 0.4) t = t.slice(0, at) + ins + t.slice(at + 1);
    else if (op < 0.7) t = t.slice(0, at) + ins + t.slice(at);
    else t = t.slice(0, at) + t.slice(at + 1 + Math.floor(next() * 5));
  }
  return t;
}
