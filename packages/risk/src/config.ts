/**
 * Risk stage config. Limits are in human units: quantities in the instrument's base units
 * (decimal, e.g. 0.5 BTC or 100 shares), money in the quote currency. Validated up front:
 * unknown keys are rejected and every violation is reported with its path and allowed values.
 */

import { bool, check, type ConfigIssue, formatIssues, int, isRecord, map, num, obj, oneOf, str } from '@tickline/runtime/config-rules';

export const SESSION_NAMES = ['preMarket', 'regular', 'afterHours'] as const;
export type SessionName = (typeof SESSION_NAMES)[number] | 'closed';

export interface SessionRules {
  /** Trading allowed at all in this session. */
  readonly enabled: boolean;
  readonly allowMarketOrders: boolean;
  /** Multiplies maxOrderNotional in this session (e.g. 0.25 outside regular hours). */
  readonly notionalFactor: number;
  /** Overrides priceBandBps in this session (0 = use the global band). */
  readonly priceBandBps: number;
}

export interface SessionClass {
  /** Offset of the exchange's local time from UTC in minutes (e.g. -300 for New York winter). */
  readonly utcOffsetMinutes: number;
  /** No sessions on Saturday and Sunday (local time). */
  readonly weekdaysOnly: boolean;
  /** 'HH:MM-HH:MM' local time, or null when the class has no such session. */
  readonly preMarket: string | null;
  readonly regular: string | null;
  readonly afterHours: string | null;
  readonly rules: Readonly<Record<(typeof SESSION_NAMES)[number], SessionRules>>;
}

export interface CostModel {
  /** Fee for orders that take liquidity (marketable), bps of notional. */
  readonly takerFeeBps: number;
  /** Fee for resting orders (negative = rebate), bps of notional. */
  readonly makerFeeBps: number;
  /** Fixed commission per order, quote currency. */
  readonly commissionPerOrder: number;
  /** Expected slippage per side, bps. */
  readonly slippageBps: number;
}

export interface InstrumentLimits {
  readonly maxOrderQty?: number;
  readonly maxOrderNotional?: number;
  readonly maxPosition?: number;
  readonly class?: string;
}

export interface RiskConfig {
  readonly maxOrderQty: number;
  readonly maxOrderNotional: number;
  readonly maxPosition: number;
  readonly maxGrossExposure: number;
  readonly maxOpenOrders: number;
  readonly orderRate: { readonly perSecond: number; readonly burst: number };
  /** Fat-finger band: a limit price further than this from mid is refused. */
  readonly priceBandBps: number;
  /** Required expected edge beyond round-trip costs (fees, spread, slippage), bps. */
  readonly minEdgeBps: number;
  /** Refuse intents that carry no `edgeBps` input (otherwise the edge check is skipped for them). */
  readonly requireEdgeEstimate: boolean;
  readonly costs: CostModel;
  /** Loss (quote currency) since the start of the UTC day that halts trading; 0 = off. */
  readonly dailyLossLimit: number;
  /** Peak-to-trough equity drop (quote currency) that halts trading; 0 = off. */
  readonly maxDrawdown: number;
  /**
   * No approval for an intent made on market data received longer ago than this (ms; 0 = no
   * bound). Unset: the run's `freshness.maxDataAgeMs`.
   */
  readonly maxDataAgeMs: number;
  /** An intent older than this (by creation time) is refused. */
  readonly maxIntentAgeMs: number;
  /** An approved intent counts as pending exposure until execution reports it, or this long. */
  readonly pendingTimeoutMs: number;
  /** Resume the previous state when every feed that went down is up again (P&L halts latch). */
  readonly resumeOnFeedUp: boolean;
  readonly initialState: 'active' | 'reducing' | 'halted';
  /** At most one log line per reject reason per this many ms (the rest are counted). */
  readonly rejectLogIntervalMs: number;
  /** Session class of instruments not listed in `instruments` (must exist in sessionClasses). */
  readonly defaultClass: string;
  readonly sessionClasses: Readonly<Record<string, SessionClass>>;
  /** Per instrument (`<venue>:<symbol>`) overrides and class. */
  readonly instruments: Readonly<Record<string, InstrumentLimits>>;
}

const OPEN_RULES: SessionRules = Object.freeze({ enabled: true, allowMarketOrders: true, notionalFactor: 1, priceBandBps: 0 });
const EXTENDED_RULES: SessionRules = Object.freeze({ enabled: true, allowMarketOrders: false, notionalFactor: 0.25, priceBandBps: 0 });

export const RISK_DEFAULTS: RiskConfig = Object.freeze({
  maxOrderQty: 1_000_000,
  maxOrderNotional: 100_000,
  maxPosition: 1_000_000,
  maxGrossExposure: 1_000_000,
  maxOpenOrders: 100,
  orderRate: Object.freeze({ perSecond: 50, burst: 100 }),
  priceBandBps: 500,
  minEdgeBps: 0,
  requireEdgeEstimate: false,
  costs: Object.freeze({ takerFeeBps: 2, makerFeeBps: 1, commissionPerOrder: 0, slippageBps: 1 }),
  dailyLossLimit: 0,
  maxDrawdown: 0,
  maxDataAgeMs: 50,
  maxIntentAgeMs: 1_000,
  pendingTimeoutMs: 10_000,
  resumeOnFeedUp: true,
  initialState: 'active',
  rejectLogIntervalMs: 10_000,
  defaultClass: 'always',
  sessionClasses: Object.freeze({
    always: Object.freeze({
      utcOffsetMinutes: 0,
      weekdaysOnly: false,
      preMarket: null,
      regular: '00:00-24:00',
      afterHours: null,
      rules: Object.freeze({ preMarket: EXTENDED_RULES, regular: OPEN_RULES, afterHours: EXTENDED_RULES }),
    }),
    'us-equity': Object.freeze({
      utcOffsetMinutes: -300,
      weekdaysOnly: true,
      preMarket: '04:00-09:30',
      regular: '09:30-16:00',
      afterHours: '16:00-20:00',
      rules: Object.freeze({ preMarket: EXTENDED_RULES, regular: OPEN_RULES, afterHours: EXTENDED_RULES }),
    }),
  }),
  instruments: Object.freeze({}),
});

const WINDOW = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const windowRule = {
  kind: 'custom',
  check: (v: unknown, path: string, issues: ConfigIssue[]) => {
    if (v !== null && (typeof v !== 'string' || !WINDOW.test(v)))
      issues.push({ path, message: `must be 'HH:MM-HH:MM' (local time) or null, got ${JSON.stringify(v)}` });
  },
} as const;
const RULES = obj({ enabled: bool, allowMarketOrders: bool, notionalFactor: num(0, 1000), priceBandBps: num(0, 100_000) });
const CLASS = obj({
  utcOffsetMinutes: int(-840, 840),
  weekdaysOnly: bool,
  preMarket: windowRule,
  regular: windowRule,
  afterHours: windowRule,
  rules: obj({ preMarket: RULES, regular: RULES, afterHours: RULES }),
});
const MONEY = num(0, 1e15);
const TOP = obj({
  maxOrderQty: MONEY,
  maxOrderNotional: MONEY,
  maxPosition: MONEY,
  maxGrossExposure: MONEY,
  maxOpenOrders: int(0, 1_000_000),
  orderRate: obj({ perSecond: num(0.001, 1_000_000), burst: int(1, 1_000_000) }),
  priceBandBps: num(0, 100_000),
  minEdgeBps: num(-10_000, 10_000),
  requireEdgeEstimate: bool,
  costs: obj({ takerFeeBps: num(-100, 1000), makerFeeBps: num(-100, 1000), commissionPerOrder: num(0, 1e6), slippageBps: num(0, 10_000) }),
  dailyLossLimit: MONEY,
  maxDrawdown: MONEY,
  maxDataAgeMs: int(0, 3_600_000),
  maxIntentAgeMs: int(1, 3_600_000),
  pendingTimeoutMs: int(1, 3_600_000),
  resumeOnFeedUp: bool,
  initialState: oneOf(['active', 'reducing', 'halted']),
  rejectLogIntervalMs: int(0, 3_600_000),
  defaultClass: str(),
  sessionClasses: map(CLASS),
  instruments: map(obj({ maxOrderQty: MONEY, maxOrderNotional: MONEY, maxPosition: MONEY, class: str() }), (k) =>
    /^[a-z0-9-]+:.+$/.test(k) ? null : `key must be a canonical instrument name '<venue>:<symbol>'`,
  ),
});

/** Every violation in `raw` (empty when valid). */
export function validateRiskConfig(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (raw === undefined) return issues;
  check(raw, TOP, '', issues);
  if (!isRecord(raw)) return issues;
  const classes = new Set([
    ...Object.keys(RISK_DEFAULTS.sessionClasses),
    ...(isRecord(raw.sessionClasses) ? Object.keys(raw.sessionClasses) : []),
  ]);
  const allowed = [...classes].map((c) => `'${c}'`).join(', ');
  if (typeof raw.defaultClass === 'string' && !classes.has(raw.defaultClass))
    issues.push({ path: 'defaultClass', message: `must be one of ${allowed}, got '${raw.defaultClass}'` });
  if (isRecord(raw.instruments))
    for (const [k, v] of Object.entries(raw.instruments))
      if (isRecord(v) && typeof v.class === 'string' && !classes.has(v.class))
        issues.push({ path: `instruments.${k}.class`, message: `must be one of ${allowed}, got '${v.class}'` });
  return issues;
}

export class RiskConfigError extends Error {
  readonly code = 'TKL_RISK_ERR_CONFIG';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`invalid risk config:\n${formatIssues(issues)}`);
    this.name = 'RiskConfigError';
  }
}

function mergeClass(base: SessionClass | undefined, over: Record<string, unknown>): SessionClass {
  const b = base ?? (RISK_DEFAULTS.sessionClasses.always as SessionClass);
  const rulesIn = (isRecord(over.rules) ? over.rules : {}) as Record<string, Partial<SessionRules>>;
  const rules = Object.fromEntries(
    SESSION_NAMES.map((s) => [s, Object.freeze({ ...b.rules[s], ...(rulesIn[s] ?? {}) })]),
  ) as SessionClass['rules'];
  return Object.freeze({ ...b, ...over, rules: Object.freeze(rules) } as SessionClass);
}

/** Validates and fills defaults; throws RiskConfigError listing every violation. */
export function resolveRiskConfig(raw: unknown): RiskConfig {
  const issues = validateRiskConfig(raw);
  if (issues.length > 0) throw new RiskConfigError(issues);
  const r = (raw ?? {}) as Record<string, unknown>;
  const classes: Record<string, SessionClass> = { ...RISK_DEFAULTS.sessionClasses };
  for (const [k, v] of Object.entries((r.sessionClasses ?? {}) as Record<string, Record<string, unknown>>))
    classes[k] = mergeClass(classes[k], v);
  return Object.freeze({
    ...RISK_DEFAULTS,
    ...r,
    orderRate: Object.freeze({ ...RISK_DEFAULTS.orderRate, ...((r.orderRate ?? {}) as object) }),
    costs: Object.freeze({ ...RISK_DEFAULTS.costs, ...((r.costs ?? {}) as object) }),
    sessionClasses: Object.freeze(classes),
    instruments: Object.freeze({ ...((r.instruments ?? {}) as object) }),
  }) as RiskConfig;
}
