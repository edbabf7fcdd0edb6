import { Checker, isRecord } from './check.js';
import { Prng } from './prng.js';

/** A sequence fault (skip, duplicate or reorder delta frames). */
export interface SeqFault {
  /** Symbols it applies to; null = any instrument. */
  instruments: string[] | null;
  /** Inject on the next `count` delta frames of each listed instrument (of any instrument when null). */
  count: number;
  /** Or inject at random on this share (0..1) of eligible delta frames. */
  rate: number;
}

export interface RateLimitFault {
  /** At most `max` events per fixed window of `windowMs`... */
  max: number;
  windowMs: number;
  /** ...then refuse, telling the client to wait this long. */
  retryAfterMs: number;
}

export interface FaultConfig {
  /** Instruments whose market data is withheld (deltas and trades); sequence numbers keep counting. */
  stall: string[];
  skip: SeqFault;
  duplicate: SeqFault;
  reorder: SeqFault;
  /** Malformed text frames: `count` to each target connection on the next tick, or at `rate` per tick. */
  malformed: { count: number; rate: number; connection: number | null };
  /** Per-connection limit on subscribe requests; excess requests get a `rate_limited` error frame. */
  subscribeLimit: RateLimitFault | null;
  /** Server-wide limit on WebSocket upgrades; excess upgrades get HTTP 429 with Retry-After. */
  upgradeLimit: RateLimitFault | null;
  /** Refuse (reset) new connections until this many ms after the fault was set. */
  refuseConnectionsMs: number;
  /** Stop answering WebSocket pings and `ping` requests. */
  ignorePings: boolean;
}

export type FaultKind = 'skip' | 'duplicate' | 'reorder' | 'malformed' | 'drop' | 'refuse' | 'upgrade_429' | 'rate_limited';

export interface InjectedFault {
  kind: FaultKind;
  instrument?: string;
  /** For skip: the missing seq. For duplicate: the repeated seq. For reorder: the seq sent late. */
  seq?: number;
  connectionId?: number;
  ts: number;
}

/** A control request: fault settings to change plus one-shot actions. */
export interface FaultPatch extends Partial<FaultConfig> {
  /** Close connections abruptly: 'all' or connection ids. */
  drop?: 'all' | number[];
  /** Reset every fault to its default before applying the rest. */
  reset?: boolean;
}

const noSeq = (): SeqFault => ({ instruments: null, count: 0, rate: 0 });

export function defaultFaults(): FaultConfig {
  return {
    stall: [],
    skip: noSeq(),
    duplicate: noSeq(),
    reorder: noSeq(),
    malformed: { count: 0, rate: 0, connection: null },
    subscribeLimit: null,
    upgradeLimit: null,
    refuseConnectionsMs: 0,
    ignorePings: false,
  };
}

export const FAULT_KEYS = [
  'stall',
  'skip',
  'duplicate',
  'reorder',
  'malformed',
  'subscribeLimit',
  'upgradeLimit',
  'refuseConnectionsMs',
  'ignorePings',
] as const;

function checkSeq(c: Checker, raw: unknown): SeqFault | undefined {
  if (!isRecord(raw)) {
    c.errors.push(`${c.path('')} must be null or an object with instruments, count, rate`);
    return undefined;
  }
  c.unknownKeys(raw, ['instruments', 'count', 'rate']);
  const out = noSeq();
  if (raw.instruments !== null && raw.instruments !== undefined) {
    const list = c.strings(raw, 'instruments', 100_000);
    if (list !== undefined) out.instruments = list;
  }
  out.count = c.int(raw, 'count', 0, 1_000_000) ?? 0;
  out.rate = c.num(raw, 'rate', 0, 1) ?? 0;
  return out;
}

function checkLimit(c: Checker, raw: unknown): RateLimitFault | null | undefined {
  if (raw === null) return null;
  if (!isRecord(raw)) {
    c.errors.push(`${c.path('')} must be null or an object with max, windowMs, retryAfterMs`);
    return undefined;
  }
  c.unknownKeys(raw, ['max', 'windowMs', 'retryAfterMs']);
  return {
    max: c.int(raw, 'max', 0, 1_000_000) ?? 0,
    windowMs: c.int(raw, 'windowMs', 1, 3_600_000) ?? 1000,
    retryAfterMs: c.int(raw, 'retryAfterMs', 1, 3_600_000) ?? 1000,
  };
}

/**
 * Validates a fault patch (options.faults or a POST /v1/control/faults body). Reports every
 * violation with its path. `allowActions` admits the one-shot keys `drop` and `reset`.
 */
export function validateFaultPatch(
  raw: unknown,
  prefix: string,
  allowActions: boolean,
): { ok: true; value: FaultPatch } | { ok: false; errors: string[] } {
  const c = new Checker(prefix);
  if (!isRecord(raw)) return { ok: false, errors: [`${prefix || 'body'} must be a JSON object`] };
  c.unknownKeys(raw, allowActions ? [...FAULT_KEYS, 'drop', 'reset'] : FAULT_KEYS);
  const out: FaultPatch = {};
  const stall = c.strings(raw, 'stall', 100_000);
  if (stall !== undefined) out.stall = stall;
  for (const k of ['skip', 'duplicate', 'reorder'] as const) {
    if (raw[k] === undefined) continue;
    const child = c.child(k);
    const v = raw[k] === null ? noSeq() : checkSeq(child, raw[k]);
    c.absorb(child);
    if (v !== undefined) out[k] = v;
  }
  if (raw.malformed !== undefined) {
    const child = c.child('malformed');
    if (raw.malformed === null) out.malformed = { count: 0, rate: 0, connection: null };
    else if (!isRecord(raw.malformed)) child.errors.push(`${child.path('')} must be an object with count, rate, connection`);
    else {
      child.unknownKeys(raw.malformed, ['count', 'rate', 'connection']);
      const conn = raw.malformed.connection === null ? undefined : child.int(raw.malformed, 'connection', 1, 2 ** 31);
      out.malformed = {
        count: child.int(raw.malformed, 'count', 0, 10_000) ?? 0,
        rate: child.num(raw.malformed, 'rate', 0, 1) ?? 0,
        connection: conn ?? null,
      };
    }
    c.absorb(child);
  }
  for (const k of ['subscribeLimit', 'upgradeLimit'] as const) {
    if (raw[k] === undefined) continue;
    const child = c.child(k);
    const v = checkLimit(child, raw[k]);
    c.absorb(child);
    if (v !== undefined) out[k] = v;
  }
  const refuse = c.int(raw, 'refuseConnectionsMs', 0, 3_600_000);
  if (refuse !== undefined) out.refuseConnectionsMs = refuse;
  const ignore = c.bool(raw, 'ignorePings');
  if (ignore !== undefined) out.ignorePings = ignore;
  if (allowActions) {
    if (raw.drop !== undefined) {
      if (raw.drop === 'all') out.drop = 'all';
      else if (typeof raw.drop === 'number' && Number.isInteger(raw.drop)) out.drop = [raw.drop];
      else if (Array.isArray(raw.drop) && raw.drop.every((x) => Number.isInteger(x))) out.drop = raw.drop as number[];
      else c.fail('drop', "'all', a connection id or an array of connection ids", raw.drop);
    }
    const reset = c.bool(raw, 'reset');
    if (reset !== undefined) out.reset = reset;
  }
  return c.errors.length > 0 ? { ok: false, errors: c.errors } : { ok: true, value: out };
}

interface SeqState {
  cfg: SeqFault;
  set: Set<string> | null;
  left: Map<string, number>;
  leftAny: number;
}

function seqState(cfg: SeqFault): SeqState {
  const left = new Map<string, number>();
  if (cfg.instruments !== null) for (const s of cfg.instruments) left.set(s, cfg.count);
  return { cfg, set: cfg.instruments === null ? null : new Set(cfg.instruments), left, leftAny: cfg.count };
}

export type DeltaFate = 'send' | 'skip' | 'duplicate' | 'reorder';

const LOG_CAP = 10_000;

/** Live fault state: decisions for the server's hot path plus a log of what was injected. */
export class Faults {
  config: FaultConfig = defaultFaults();
  readonly stalled = new Set<string>();
  refuseUntil = 0;
  readonly log: InjectedFault[] = [];
  injectedTotal = 0;
  /** True when any per-frame sequence fault is active (lets the hot path skip the checks). */
  seqActive = false;
  private seq: Record<'skip' | 'duplicate' | 'reorder', SeqState>;
  private readonly prng: Prng;

  constructor(seed: number) {
    this.prng = new Prng(seed ^ 0x0fa0175);
    this.seq = { skip: seqState(noSeq()), duplicate: seqState(noSeq()), reorder: seqState(noSeq()) };
  }

  /** Applies a validated patch. Actions (drop) are returned for the server to carry out. */
  apply(patch: FaultPatch, now: number): void {
    if (patch.reset === true) {
      this.config = defaultFaults();
      this.refuseUntil = 0;
    }
    const next: FaultConfig = { ...this.config };
    for (const k of FAULT_KEYS) {
      const v = patch[k];
      if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
    }
    this.config = next;
    this.stalled.clear();
    for (const s of next.stall) this.stalled.add(s);
    if (patch.refuseConnectionsMs !== undefined) this.refuseUntil = now + patch.refuseConnectionsMs;
    for (const k of ['skip', 'duplicate', 'reorder'] as const) {
      // Counters restart only for the faults this patch sets (or all of them on reset).
      if (patch[k] !== undefined || patch.reset === true) this.seq[k] = seqState(next[k]);
    }
    this.seqActive = [next.skip, next.duplicate, next.reorder].some((f) => f.count > 0 || f.rate > 0);
  }

  /** What to do with the next delta frame of an instrument. */
  deltaFate(symbol: string): DeltaFate {
    if (!this.seqActive) return 'send';
    for (const kind of ['skip', 'duplicate', 'reorder'] as const) {
      const st = this.seq[kind];
      if (st.set !== null && !st.set.has(symbol)) continue;
      if (st.cfg.count > 0) {
        if (st.set !== null) {
          const left = st.left.get(symbol) ?? 0;
          if (left > 0) {
            st.left.set(symbol, left - 1);
            return kind;
          }
        } else if (st.leftAny > 0) {
          st.leftAny--;
          return kind;
        }
      }
      if (st.cfg.rate > 0 && this.prng.next() < st.cfg.rate) return kind;
    }
    return 'send';
  }

  /** Number of malformed frames to send to a connection on this tick. */
  malformedFor(connectionId: number): number {
    const m = this.config.malformed;
    if (m.connection !== null && m.connection !== connectionId) return 0;
    let n = m.count;
    if (m.rate > 0 && this.prng.next() < m.rate) n++;
    return n;
  }

  /** Called once per tick after malformedFor() was asked for every connection. */
  malformedDone(): void {
    if (this.config.malformed.count > 0) this.config = { ...this.config, malformed: { ...this.config.malformed, count: 0 } };
  }

  record(f: InjectedFault): void {
    this.injectedTotal++;
    if (this.log.length >= LOG_CAP) this.log.shift();
    this.log.push(f);
  }
}

/** Fixed-window counter used for the subscribe and upgrade limits. */
export class WindowCounter {
  private start = 0;
  private count = 0;

  /** Returns 0 when allowed, else the ms to wait. */
  hit(limit: RateLimitFault, now: number): number {
    if (now - this.start >= limit.windowMs) {
      this.start = now;
      this.count = 0;
    }
    if (this.count >= limit.max) return limit.retryAfterMs;
    this.count++;
    return 0;
  }
}
