import { describe, expect, it } from 'vitest';
import { validateFaultPatch } from '../src/faults.js';
import { DEFAULT_OPTIONS, startExchange, validateExchangeOptions } from '../src/index.js';

describe('validateExchangeOptions', () => {
  it('fills defaults for missing keys', () => {
    const r = validateExchangeOptions({});
    expect(r).toEqual({ ok: true, value: { ...DEFAULT_OPTIONS, tokens: {}, faults: {} } });
    expect(validateExchangeOptions(undefined).ok).toBe(true);
    const v = validateExchangeOptions({ instruments: 10, profile: 'open', makerFeeBps: -0.5, tokens: { alice: 's' } });
    expect(v.ok && v.value).toMatchObject({ instruments: 10, profile: 'open', makerFeeBps: -0.5, tokens: { alice: 's' }, port: 0 });
  });

  it('reports every violation at once, with path and allowed values', () => {
    const r = validateExchangeOptions({
      instruments: 0,
      port: 70000,
      profile: 'closing',
      eventsPerSecond: 1.5,
      paused: 'yes',
      bogus: 1,
      makerFeeBps: Number.NaN,
      tokens: { 'bad name': 'x', bob: '' },
      faults: { skip: { rate: 2 }, wat: true },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      expect.stringMatching(/^exchange\.bogus: is not a known setting \(allowed here: host, port, instruments, /),
      'exchange.port: must be an integer from 0 to 65535, got 70000',
      'exchange.instruments: must be an integer from 1 to 100000, got 0',
      'exchange.profile: must be one of "steady", "open", got "closing"',
      'exchange.eventsPerSecond: must be an integer from 0 to 5000000, got 1.5',
      'exchange.paused: must be true or false, got "yes"',
      'exchange.makerFeeBps: must be a number from -100 to 1000, got NaN',
      'exchange.tokens.bad name: is not a valid key: must be an account name matching /^[A-Za-z0-9_.-]{1,64}$/',
      'exchange.tokens.bob: must be a non-empty string, got ""',
      'exchange.faults.wat: is not a known setting (allowed here: stall, skip, duplicate, reorder, malformed, subscribeLimit, upgradeLimit, refuseConnectionsMs, ignorePings)',
      'exchange.faults.skip.rate: must be a number from 0 to 1, got 2',
    ]);
  });

  it('checks cross-field rules and non-object input', () => {
    const r = validateExchangeOptions({ minLevels: 30, maxLevels: 20, maxFrameBytes: 2_000_000, maxPayloadBytes: 1_000_000 });
    expect(r.ok ? [] : r.errors).toEqual([
      'exchange.minLevels: must be at most maxLevels (20), got 30',
      'exchange.maxFrameBytes: must be at most maxPayloadBytes (1000000), got 2000000',
    ]);
    for (const bad of [42, []])
      expect(validateExchangeOptions(bad).ok ? [] : (validateExchangeOptions(bad) as { errors: string[] }).errors).toEqual([
        expect.stringMatching(/^exchange: must be an object with keys host, port, .*, got (42|\[\])$/),
      ]);
  });

  it('startExchange rejects invalid options with a RangeError naming them', async () => {
    await expect(startExchange({ instruments: -1 } as never)).rejects.toThrow(
      'exchange.instruments: must be an integer from 1 to 100000, got -1',
    );
  });
});

describe('validateFaultPatch', () => {
  it('accepts a full patch and actions only where allowed', () => {
    const patch = {
      stall: ['AAPL'],
      skip: { instruments: ['AAPL'], count: 2 },
      duplicate: { rate: 0.01 },
      reorder: null,
      malformed: { count: 1, connection: 3 },
      subscribeLimit: { max: 5, windowMs: 1000, retryAfterMs: 500 },
      upgradeLimit: null,
      refuseConnectionsMs: 100,
      ignorePings: true,
    };
    const r = validateFaultPatch({ ...patch, drop: 'all', reset: true }, '', true);
    expect(r.ok && r.value).toMatchObject({
      skip: { instruments: ['AAPL'], count: 2, rate: 0 },
      duplicate: { instruments: null, count: 0, rate: 0.01 },
      reorder: { instruments: null, count: 0, rate: 0 },
      malformed: { count: 1, rate: 0, connection: 3 },
      drop: 'all',
      reset: true,
    });
    const noActions = validateFaultPatch({ drop: 'all' }, 'exchange.faults', false);
    expect(noActions.ok ? [] : noActions.errors[0]).toMatch(/^exchange\.faults\.drop: is not a known setting \(allowed here: stall, /);
  });

  it('names every bad field', () => {
    const r = validateFaultPatch(
      { stall: 5, skip: 5, malformed: { count: -1 }, subscribeLimit: { max: 'x' }, drop: 'some', ignorePings: 1 },
      '',
      true,
    );
    expect(r.ok ? [] : r.errors).toEqual([
      'stall: must be a list (at most 100000) of a non-empty string, got 5',
      'skip: must be an object with keys instruments, count, rate or null, got 5',
      'malformed.count: must be an integer from 0 to 10000, got -1',
      'subscribeLimit.max: must be an integer from 0 to 1000000, got "x"',
      'ignorePings: must be true or false, got 1',
      'drop: must be "all", a connection id or a list of connection ids, got "some"',
    ]);
    expect(validateFaultPatch('x', '', true)).toMatchObject({ ok: false, errors: ['body: must be a JSON object, got "x"'] });
  });
});
