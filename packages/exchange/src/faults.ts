import {
  bool,
  describeValue,
  given,
  type Infer,
  type Issue,
  int,
  issueLines,
  isRecord,
  list,
  nullable,
  num,
  obj,
  optional,
  parseConfig,
  type Schema,
  str,
  violation,
} from '@tickline/runtime/config-schema';
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

const SEQ = nullable(
  obj({
    /** null or absent = any instrument. */
    instruments: nullable(list(str(''), [], 100_000)),
    count: int(0, 1_000_000, 0),
    rate: num(0, 1, 0),
  }),
);
const LIMIT = nullable(obj({ max: int(0, 1_000_000, 0), windowMs: int(1, 3_600_000, 1000), retryAfterMs: int(1, 3_600_000, 1000) }));
const MALFORMED = nullable(obj({ count: int(0, 10_000, 0), rate: num(0, 1, 0), connection: nullable(int(1, 2 ** 31, 1)) }));

/** `drop`: 'all', a connection id or a list of them. */
const DROP: Schema<'all' | number[]> = {
  allowed: '"all", a connection id or a list of connection ids',
  parse(v, path, issues) {
    if (v === 'all') return 'all';
    if (Number.isInteger(v)) return [v as number];
    if (Array.isArray(v) && v.every((x) => Number.isInteger(x))) return v as number[];
    return violation(issues, path, DROP.allowed, v, []);
  },
};

const FAULT_FIELDS = {
  stall: optional(list(str(''), [], 100_000)),
  skip: optional(SEQ),
  duplicate: optional(SEQ),
  reorder: optional(SEQ),
  malformed: optional(MALFORMED),
  subscribeLimit: optional(LIMIT),
  upgradeLimit: optional(LIMIT),
  refuseConnectionsMs: optional(int(0, 3_600_000, 0)),
  ignorePings: optional(bool(false)),
};
const PATCH = obj(FAULT_FIELDS);
const PATCH_WITH_ACTIONS = obj({ ...FAULT_FIELDS, drop: optional(DROP), reset: optional(bool(false)) });

/** The patch's fields as given: null restores a fault's default ("off"). */
function toPatch(p: Infer<typeof PATCH> & { drop?: 'all' | number[] | undefined; reset?: boolean | undefined }): FaultPatch {
  const out: FaultPatch = given({
    ...p,
    skip: p.skip === null ? noSeq() : p.skip,
    duplicate: p.duplicate === null ? noSeq() : p.duplicate,
    reorder: p.reorder === null ? noSeq() : p.reorder,
    malformed: p.malformed === null ? { count: 0, rate: 0, connection: null } : p.malformed,
  });
  return out;
}

/** The fault patch schema (options.faults; with the one-shot actions drop and reset, the control body). */
export function faultPatchSchema(allowActions: boolean): Schema<FaultPatch> {
  const schema = allowActions ? PATCH_WITH_ACTIONS : PATCH;
  return { allowed: schema.allowed, parse: (v, path, issues) => toPatch(schema.parse(v, path, issues)) };
}

/**
 * Validates a fault patch (options.faults or a POST /v1/control/faults body). Reports every
 * violation as `<path>: <message>` (paths under `prefix`). `allowActions` admits the one-shot keys
 * `drop` and `reset`.
 */
export function validateFaultPatch(
  raw: unknown,
  prefix: string,
  allowActions: boolean,
): { ok: true; value: FaultPatch } | { ok: false; errors: string[]; issues: Issue[] } {
  if (!isRecord(raw)) {
    const issues = [{ path: prefix || 'body', message: `must be a JSON object, got ${describeValue(raw)}` }];
    return { ok: false, errors: issueLines(issues), issues };
  }
  const { value, issues } = parseConfig(faultPatchSchema(allowActions), raw, prefix);
  return issues.length > 0 ? { ok: false, errors: issueLines(issues), issues } : { ok: true, value };
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
