import { formatDecimal, InstrumentRegistry, parseDecimal } from '@tickline/wire';
import { describe, expect, it } from 'vitest';
import { parseDecimalRange } from '../src/core/decimal-range.js';
import { ParseContext } from '../src/core/context.js';
import { numberMantissa } from '../src/core/fields.js';
import { SymbolCache } from '../src/core/scan.js';
import { isoInto, msInto, secFracInto } from '../src/core/time.js';
import { rng } from './helpers/rng.js';

describe('decimals (property tests)', () => {
  it('formatDecimal -> parseDecimal / parseDecimalRange round-trips every mantissa exactly', () => {
    const next = rng(42);
    for (let i = 0; i < 20000; i++) {
      const scale = Math.floor(next() * 13);
      const m = Math.floor(next() * 2 ** Math.floor(next() * 53));
      const text = formatDecimal(m, scale);
      expect(parseDecimal(text, scale)).toBe(m);
      const padded = text.includes('.') ? `xx${text}000yy` : `xx${text}yy`; // trailing zeros are exact
      expect(parseDecimalRange(Buffer.from(padded), 2, padded.length - 2, scale)).toBe(m);
    }
  });

  it('parseDecimalRange agrees with parseDecimal on random text', () => {
    const next = rng(7);
    const alphabet = '0123456789.-+e é\u0000';
    for (let i = 0; i < 20000; i++) {
      let s = '';
      const len = Math.floor(next() * 14);
      for (let k = 0; k < len; k++) s += alphabet[Math.floor(next() * alphabet.length)];
      const scale = Math.floor(next() * 10);
      const bytes = Buffer.from(`[${s}]`);
      expect(Object.is(parseDecimalRange(bytes, 1, bytes.length - 1, scale), parseDecimal(s, scale)), s).toBe(true);
    }
  });

  it('numberMantissa is exact for decimals written with at most `scale` places', () => {
    const next = rng(9);
    for (let i = 0; i < 20000; i++) {
      const scale = Math.floor(next() * 9);
      const m = Math.floor(next() * 1e12);
      const x = Number(formatDecimal(m, scale));
      expect(numberMantissa(x, scale)).toBe(m);
    }
    expect(numberMantissa(0.1 + 0.2, 1)).toBeNaN();
    expect(numberMantissa(45283.45, 1)).toBeNaN();
  });
});

describe('venue times', () => {
  const t = { s: 0, ns: 0 };
  it('reads epoch ms, numbers and strings', () => {
    expect(msInto(1633998512068, t) && t).toEqual({ s: 1633998512, ns: 68_000_000 });
    expect(msInto('1652459225381', t) && t).toEqual({ s: 1652459225, ns: 381_000_000 });
    expect(msInto('12a', t)).toBe(false);
    expect(msInto(-1, t)).toBe(false);
  });
  it('reads Kraken decimal seconds exactly', () => {
    expect(secFracInto('1618678133.136361', t) && t).toEqual({ s: 1618678133, ns: 136_361_000 });
    expect(secFracInto('1618678133', t) && t).toEqual({ s: 1618678133, ns: 0 });
    expect(secFracInto('16186.78.1', t)).toBe(false);
  });
  it('reads RFC 3339 to the nanosecond', () => {
    expect(isoInto('2021-04-17T16:43:37.075687Z', t) && t).toEqual({ s: Date.parse('2021-04-17T16:43:37Z') / 1000, ns: 75_687_000 });
    expect(isoInto('2023-02-09T20:32:50.714964855Z', t) && t).toEqual({ s: Date.parse('2023-02-09T20:32:50Z') / 1000, ns: 714_964_855 });
    expect(isoInto('2000-02-29T00:00:00+01:00', t) && t).toEqual({ s: Date.parse('2000-02-28T23:00:00Z') / 1000, ns: 0 });
    expect(isoInto('1970-01-01T00:00:00Z', t) && t).toEqual({ s: 0, ns: 0 });
    expect(isoInto('2021-13-17T16:43:37Z', t)).toBe(false);
    expect(isoInto('not a time at all!!', t)).toBe(false);
  });
});

describe('SymbolCache', () => {
  it('resolves symbols in place exactly as the registry does, through growth, and keeps no unknown symbol', () => {
    const registry = new InstrumentRegistry();
    const next = rng(5);
    const symbols: string[] = [];
    for (let i = 0; i < 3000; i++) {
      let s = '';
      const len = 1 + Math.floor(next() * 8);
      for (let k = 0; k < len; k++) s += String.fromCharCode(45 + Math.floor(next() * 46));
      symbols.push(s);
      registry.add({ venue: 'sim', symbol: s, priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
    }
    const ctx = new ParseContext(registry);
    const cache = new SymbolCache(ctx);
    let lookups = 0;
    const counted = registry.lookup.bind(registry);
    registry.lookup = (venue, symbol) => {
      lookups++;
      return counted(venue, symbol);
    };
    const seen = new Set<string>();
    let unknown = 0;
    for (let i = 0; i < 20000; i++) {
      const known = next() < 0.8;
      const s = known ? (symbols[Math.floor(next() * symbols.length)] as string) : `${symbols[i % symbols.length]}~`;
      if (known) seen.add(s);
      else unknown++;
      const text = `${'x'.repeat(i % 7)}"${s}"yy`;
      const start = (i % 7) + 1;
      expect(cache.resolve(Buffer.from(text), start, start + s.length)).toBe(counted('sim', s));
    }
    // The registry is asked once per known symbol, and for an unknown one every time.
    expect(lookups).toBe(seen.size + unknown);
    // Bytes outside printable ASCII never resolve (the JSON path reads those frames).
    for (const symbol of ['Ä', 'A\u0000', 'A\\u0041']) {
      registry.add({ venue: 'sim', symbol, priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 });
      const bytes = Buffer.from(symbol);
      expect(cache.resolve(bytes, 0, bytes.length), symbol).toBeUndefined();
    }
  });
});
