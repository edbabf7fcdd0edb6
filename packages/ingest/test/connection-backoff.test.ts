import { describe, expect, it } from 'vitest';
import { Backoff, parseRetryAfter, RateLimiter, seededRandom, validateIngestConfig } from '../src/connection/index.js';
import { HeartbeatMonitor } from '../src/connection/heartbeat.js';

const cfg = { baseMs: 100, factor: 2, capMs: 10_000, floorMs: 25, resetAfterMs: 1000 };

describe('backoff with full jitter', () => {
  it('never draws below its floor nor above its ceiling or cap (200,000 seeded draws)', () => {
    const violations: string[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const b = new Backoff(cfg, seededRandom(seed));
      const perAttempt = new Map<number, { min: number; max: number }>();
      for (let i = 0; i < 10_000; i++) {
        if (i % 25 === 0) b.reset();
        const n = b.attempt;
        const d = b.next();
        const ceiling = Math.min(cfg.capMs, cfg.baseMs * cfg.factor ** n);
        if (d < cfg.floorMs || d > ceiling || d > cfg.capMs) violations.push(`seed ${seed} attempt ${n}: ${d}`);
        const s = perAttempt.get(n) ?? { min: Infinity, max: -Infinity };
        perAttempt.set(n, { min: Math.min(s.min, d), max: Math.max(s.max, d) });
      }
      // Full jitter: each attempt's draws spread over the whole window, not just its top.
      for (const [n, s] of perAttempt) {
        const ceiling = Math.min(cfg.capMs, cfg.baseMs * cfg.factor ** n);
        expect(s.min).toBeLessThan(cfg.floorMs + (ceiling - cfg.floorMs) * 0.1 + 1);
        expect(s.max).toBeGreaterThan(cfg.floorMs + (ceiling - cfg.floorMs) * 0.9 - 1);
      }
    }
    expect(violations).toEqual([]);
  });

  it('is reproducible from a seed and honours a retry hint above the cap', () => {
    const a = new Backoff(cfg, seededRandom(7));
    const b = new Backoff(cfg, seededRandom(7));
    const da = Array.from({ length: 50 }, () => a.next());
    const db = Array.from({ length: 50 }, () => b.next());
    expect(da).toEqual(db);
    const c = new Backoff(cfg, seededRandom(3));
    expect(Array.from({ length: 1000 }, () => c.next(60_000)).every((d) => d === 60_000)).toBe(true);
    expect(c.ceiling(1000)).toBe(cfg.capMs); // factor^n overflow stays capped
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(undefined)).toBe(0);
    expect(parseRetryAfter('soon')).toBe(0);
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(parseRetryAfter('Mon, 01 Jan 2024 00:00:03 GMT', now)).toBe(3000);
  });
});

describe('rate limiter (sliding window)', () => {
  it('never allows more than N sends in any window, over random send attempts', () => {
    const rnd = seededRandom(11);
    const lim = new RateLimiter([
      { messages: 5, windowMs: 1000 },
      { messages: 20, windowMs: 10_000 },
    ]);
    const sent: number[] = [];
    let t = 0;
    for (let i = 0; i < 5000; i++) {
      t += Math.floor(rnd() * 150);
      if (lim.waitMs(t) === 0) {
        lim.record(t);
        sent.push(t);
      }
    }
    for (let i = 0; i < sent.length; i++) {
      expect(sent.filter((x) => x > (sent[i] ?? 0) - 1000 && x <= (sent[i] ?? 0)).length).toBeLessThanOrEqual(5);
      expect(sent.filter((x) => x > (sent[i] ?? 0) - 10_000 && x <= (sent[i] ?? 0)).length).toBeLessThanOrEqual(20);
    }
    expect(sent.length).toBeGreaterThan(100);
  });

  it('pauses on a venue hint', () => {
    const lim = new RateLimiter([{ messages: 5, windowMs: 1000 }]);
    lim.pauseUntil(500);
    expect(lim.waitMs(100)).toBe(400);
    expect(lim.waitMs(600)).toBe(0);
  });
});

describe('heartbeat monitor', () => {
  it('pings after the interval of silence and declares death at the timeout', () => {
    const h = new HeartbeatMonitor(100, 300);
    h.reset(0);
    expect(h.check(50)).toBe('ok');
    expect(h.check(100)).toBe('ping');
    expect(h.check(150)).toBe('ok'); // one ping per interval
    expect(h.check(200)).toBe('ping');
    h.touch(250);
    expect(h.check(500)).toBe('ping');
    expect(h.check(549)).toBe('ok');
    expect(h.check(550)).toBe('dead');
  });
});

describe('IngestConfig validation', () => {
  it('accepts {} with defaults', () => {
    const r = validateIngestConfig({});
    expect(r.ok).toBe(true);
  });

  it('rejects unknown keys and reports every violation with path and allowed values', () => {
    const r = validateIngestConfig(
      {
        heartbeatIntervalMs: 5000,
        heartbeatTimeoutMs: 1000,
        backoff: { baseMs: 10, floorMs: 50, capMs: 'x', jitter: true },
        staleAfterMs: -1,
        seeding: 'magic',
        colour: 'red',
      },
      'ingest',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const msgs = r.issues.map((i) => `${i.path}: ${i.message}`);
    expect(msgs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ingest\.colour: is not a known setting \(allowed here: maxInstrumentsPerConnection, /),
        expect.stringMatching(
          /^ingest\.backoff\.jitter: is not a known setting \(allowed here: baseMs, factor, capMs, floorMs, resetAfterMs\)/,
        ),
        'ingest.backoff.capMs: must be an integer from 1 to 3600000, got "x"',
        'ingest.staleAfterMs: must be an integer from 0 to 86400000, got -1',
        'ingest.seeding: must be one of "venue", "rest", "subscribe", got "magic"',
        'ingest.heartbeatTimeoutMs: must be greater than heartbeatIntervalMs (5000), got 1000',
        'ingest.backoff.floorMs: must be at most backoff.baseMs (10), got 50',
      ]),
    );
    expect(msgs.length).toBe(7);
  });
});
