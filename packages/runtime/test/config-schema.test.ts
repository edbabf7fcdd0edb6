import { describe, expect, it } from 'vitest';
import {
  anyObject,
  bool,
  deepFreeze,
  formatIssues,
  given,
  type Issue,
  int,
  joinPath,
  list,
  map,
  nullable,
  num,
  obj,
  oneOf,
  optional,
  parseConfig,
  record,
  refine,
  required,
  type Schema,
  str,
} from '../src/config/schema.js';

/** Parses `v` with `s` at path `x` and returns the value and each issue as `path: message`. */
function run<T>(s: Schema<T>, v: unknown): { value: T; text: string[] } {
  const { value, issues } = parseConfig(s, v, 'x');
  return { value, text: issues.map((i) => `${i.path}: ${i.message}`) };
}

describe('config schema combinators', () => {
  it('int: integers in range (and numeric strings, as flags give them); anything else is named with the range', () => {
    const s = int(1, 10, 5);
    expect(run(s, undefined)).toEqual({ value: 5, text: [] });
    expect(run(s, 1)).toEqual({ value: 1, text: [] });
    expect(run(s, '10')).toEqual({ value: 10, text: [] });
    expect(run(s, 0)).toEqual({ value: 5, text: ['x: must be an integer from 1 to 10, got 0'] });
    expect(run(s, 2.5).text).toEqual(['x: must be an integer from 1 to 10, got 2.5']);
    expect(run(s, '3x').text).toEqual(['x: must be an integer from 1 to 10, got "3x"']);
    expect(run(s, '').text).toEqual(['x: must be an integer from 1 to 10, got ""']);
    expect(run(s, null).text).toEqual(['x: must be an integer from 1 to 10, got null']);
    expect(run(s, [1]).text).toEqual(['x: must be an integer from 1 to 10, got [1]']);
  });

  it('num: finite numbers in range', () => {
    const s = num(-1, 1, 0);
    expect(run(s, -0.5)).toEqual({ value: -0.5, text: [] });
    expect(run(s, '0.25')).toEqual({ value: 0.25, text: [] });
    expect(run(s, Number.NaN).text).toEqual(['x: must be a number from -1 to 1, got NaN']);
    expect(run(s, Number.POSITIVE_INFINITY).text).toEqual(['x: must be a number from -1 to 1, got Infinity']);
    expect(run(s, 1.5)).toEqual({ value: 0, text: ['x: must be a number from -1 to 1, got 1.5'] });
  });

  it('bool: true/false (and their strings)', () => {
    const s = bool(true);
    expect(run(s, false)).toEqual({ value: false, text: [] });
    expect(run(s, 'false')).toEqual({ value: false, text: [] });
    expect(run(s, undefined)).toEqual({ value: true, text: [] });
    expect(run(s, 1).text).toEqual(['x: must be true or false, got 1']);
    expect(run(s, 'yes').text).toEqual(['x: must be true or false, got "yes"']);
  });

  it('str: non-empty without a pattern; with one, described by `what`', () => {
    expect(run(str('d'), 'a')).toEqual({ value: 'a', text: [] });
    expect(run(str('d'), '')).toEqual({ value: 'd', text: ['x: must be a non-empty string, got ""'] });
    expect(run(str('d'), 5).text).toEqual(['x: must be a non-empty string, got 5']);
    const url = str('', /^wss?:\/\//, 'a ws:// or wss:// URL');
    expect(run(url, 'ws://h').text).toEqual([]);
    expect(run(url, 'http://h').text).toEqual(['x: must be a ws:// or wss:// URL, got "http://h"']);
    expect(run(str('', /^a+$/), 'b').text).toEqual(['x: must be a string matching /^a+$/, got "b"']);
  });

  it('oneOf: lists every allowed value', () => {
    const s = oneOf(['a', 'b'], 'a');
    expect(run(s, 'b')).toEqual({ value: 'b', text: [] });
    expect(run(s, 'c')).toEqual({ value: 'a', text: ['x: must be one of "a", "b", got "c"'] });
    expect(run(s, 1).text).toEqual(['x: must be one of "a", "b", got 1']);
  });

  it('optional stays absent; nullable takes null and says so when rejecting; required reports absence', () => {
    expect(run(optional(int(0, 1, 0)), undefined)).toEqual({ value: undefined, text: [] });
    expect(run(optional(int(0, 1, 0)), 2).text).toEqual(['x: must be an integer from 0 to 1, got 2']);
    const n = nullable(str(''));
    expect(run(n, undefined)).toEqual({ value: null, text: [] });
    expect(run(n, null)).toEqual({ value: null, text: [] });
    expect(run(n, 'p')).toEqual({ value: 'p', text: [] });
    expect(run(n, '')).toEqual({ value: null, text: ['x: must be a non-empty string or null, got ""'] });
    // A violation inside a nullable object keeps its own path.
    const no = nullable(obj({ r: num(0, 1, 0) }));
    expect(run(no, { r: 2 }).text).toEqual(['x.r: must be a number from 0 to 1, got 2']);
    expect(run(no, 5).text).toEqual(['x: must be an object with keys r or null, got 5']);
    const r = required(oneOf(['a'], 'a'));
    expect(run(r, 'a').text).toEqual([]);
    expect(run(r, undefined).text).toEqual(['x: is required (one of "a")']);
    expect(run(r, 'b').text).toEqual(['x: must be one of "a", got "b"']);
  });

  it('anyObject: any object, unchecked; not a list or a scalar', () => {
    const o = { k: [1] };
    expect(run(anyObject(), o).value).toBe(o);
    expect(run(anyObject(), undefined)).toEqual({ value: {}, text: [] });
    expect(run(anyObject(), [1]).text).toEqual(['x: must be an object, got [1]']);
  });

  it('list: items get indexed paths; a string is a comma-separated list; the length is bounded', () => {
    const s = list(int(0, 9, 0), [1], 3);
    expect(run(s, undefined)).toEqual({ value: [1], text: [] });
    expect(run(s, '1, 2')).toEqual({ value: [1, 2], text: [] });
    expect(run(s, [1, 'z', 12]).text).toEqual([
      'x[1]: must be an integer from 0 to 9, got "z"',
      'x[2]: must be an integer from 0 to 9, got 12',
    ]);
    expect(run(s, [1, 2, 3, 4]).text).toEqual(['x: must be a list (at most 3) of an integer from 0 to 9, got [1,2,3,4]']);
    expect(run(s, { a: 1 }).text).toEqual(['x: must be a list (at most 3) of an integer from 0 to 9, got {"a":1}']);
  });

  it('obj: fills defaults, rejects unknown keys naming the allowed ones, reports nested paths, all at once', () => {
    const s = obj({ a: int(0, 5, 1), inner: obj({ b: bool(false), c: oneOf(['p', 'q'], 'p') }) });
    expect(run(s, undefined)).toEqual({ value: { a: 1, inner: { b: false, c: 'p' } }, text: [] });
    expect(run(s, { a: 9, zz: 1, inner: { b: 'no', c: 'r', d: 0 } })).toEqual({
      value: { a: 1, inner: { b: false, c: 'p' } },
      text: [
        'x.zz: is not a known setting (allowed here: a, inner)',
        'x.a: must be an integer from 0 to 5, got 9',
        'x.inner.d: is not a known setting (allowed here: b, c)',
        'x.inner.b: must be true or false, got "no"',
        'x.inner.c: must be one of "p", "q", got "r"',
      ],
    });
    expect(run(s, 42).text).toEqual(['x: must be an object with keys a, inner, got 42']);
    // At the root the path reads "(config)".
    const root: Issue[] = [];
    s.parse('text', '', root);
    expect(root).toEqual([{ path: '(config)', message: 'must be an object with keys a, inner, got "text"' }]);
  });

  it('record: only the listed keys; map: free keys, optionally checked', () => {
    const r = record(['e1', 'e2'], int(0, 1, 0));
    expect(run(r, { e1: 1 })).toEqual({ value: { e1: 1 }, text: [] });
    expect(run(r, { e3: 1, e2: 2 }).text).toEqual([
      'x.e3: is not a known setting (allowed here: e1, e2)',
      'x.e2: must be an integer from 0 to 1, got 2',
    ]);
    const m = map(obj({ q: num(0, 1, 0) }), { pattern: /^[a-z]+:.+$/, allowed: "'<venue>:<symbol>'" });
    expect(run(m, { 'sim:A': { q: 1 } })).toEqual({ value: { 'sim:A': { q: 1 } }, text: [] });
    expect(run(m, { A: { q: 2 } }).text).toEqual([
      "x.A: is not a valid key: must be '<venue>:<symbol>'",
      'x.A.q: must be a number from 0 to 1, got 2',
    ]);
    expect(run(m, 'no').text).toEqual([`x: must be an object of an object with keys q keyed by '<venue>:<symbol>', got "no"`]);
  });

  it('refine: checks across fields on parsed values, after the fields, and not on a field that was bad', () => {
    const s = refine(obj({ lo: int(0, 100, 0), hi: int(0, 100, 100), o: obj({ n: int(0, 9, 9) }) }), (v, path, issues, valid) => {
      if (valid('lo') && valid('hi') && v.lo > v.hi)
        issues.push({ path: joinPath(path, 'lo'), message: `must be at most hi (${v.hi}), got ${v.lo}` });
      if (valid('o.n') && v.lo > v.o.n)
        issues.push({ path: joinPath(path, 'o.n'), message: `must be at least lo (${v.lo}), got ${v.o.n}` });
    });
    expect(run(s, { lo: '5', hi: 6, o: { n: 7 } })).toEqual({ value: { lo: 5, hi: 6, o: { n: 7 } }, text: [] });
    expect(run(s, { lo: 7, hi: 6, no: 1 }).text).toEqual([
      'x.no: is not a known setting (allowed here: lo, hi, o)',
      'x.lo: must be at most hi (6), got 7',
    ]);
    expect(parseConfig(s, { lo: 7, hi: 6 }).issues).toEqual([{ path: 'lo', message: 'must be at most hi (6), got 7' }]);
    // hi was bad and stands at its default 100: no check against a value the user never gave;
    // o itself was bad, so o.n counts as bad too.
    expect(run(s, { lo: 50, hi: 'x', o: 3 }).text).toEqual([
      'x.hi: must be an integer from 0 to 100, got "x"',
      'x.o: must be an object with keys n, got 3',
    ]);
  });

  it('formats issues one per line and freezes parsed values deeply', () => {
    expect(
      formatIssues([
        { path: 'a.b', message: 'm' },
        { path: '', message: 'n' },
      ]),
    ).toBe('  a.b: m\n  (config): n');
    const v = deepFreeze(parseConfig(obj({ o: obj({ l: list(int(0, 9, 0), [1]) }) }), {}).value);
    expect(Object.isFrozen(v.o.l)).toBe(true);
    expect(given({ a: 1, b: undefined, c: null })).toEqual({ a: 1, c: null });
    expect(Object.keys(given({ a: undefined }))).toEqual([]);
  });
});
