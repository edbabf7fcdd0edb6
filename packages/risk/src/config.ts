/**
 * Risk stage config. Limits are in human units: quantities in the instrument's base units
 * (decimal, e.g. 0.5 BTC or 100 shares), money in the quote currency. Validated up front:
 * unknown keys are rejected and every violation is reported with its path and allowed values.
 */

import {
  bool,
  deepFreeze,
  formatIssues,
  given,
  type Infer,
  type Issue,
  int,
  joinPath,
  map,
  nullable,
  num,
  obj,
  oneOf,
  optional,
  parseConfig,
  refine,
  str,
  violation,
} from '@tickline/runtime/config-schema';

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

/** The built-in session classes; a configured class of the same name is merged onto its default. */
const DEFAULT_CLASSES: Readonly<Record<string, SessionClass>> = Object.freeze({
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
});

const WINDOW = /^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
// Session classes are overrides: an absent field keeps the class's default, null means no such session.
const window = optional(nullable(str('', WINDOW, "'HH:MM-HH:MM' (local time)")));
const RULES = optional(
  obj({
    enabled: optional(bool(true)),
    allowMarketOrders: optional(bool(true)),
    notionalFactor: optional(num(0, 1000, 1)),
    priceBandBps: optional(num(0, 100_000, 0)),
  }),
);
const CLASS = obj({
  utcOffsetMinutes: optional(int(-840, 840, 0)),
  weekdaysOnly: optional(bool(false)),
  preMarket: window,
  regular: window,
  afterHours: window,
  rules: optional(obj({ preMarket: RULES, regular: RULES, afterHours: RULES })),
});
const money = (def: number) => num(0, 1e15, def);
const INSTRUMENT = /^[a-z0-9-]+:.+$/;

const SCHEMA = refine(
  obj({
    maxOrderQty: money(1_000_000),
    maxOrderNotional: money(100_000),
    maxPosition: money(1_000_000),
    maxGrossExposure: money(1_000_000),
    maxOpenOrders: int(0, 1_000_000, 100),
    orderRate: obj({ perSecond: num(0.001, 1_000_000, 50), burst: int(1, 1_000_000, 100) }),
    priceBandBps: num(0, 100_000, 500),
    minEdgeBps: num(-10_000, 10_000, 0),
    requireEdgeEstimate: bool(false),
    costs: obj({
      takerFeeBps: num(-100, 1000, 2),
      makerFeeBps: num(-100, 1000, 1),
      commissionPerOrder: num(0, 1e6, 0),
      slippageBps: num(0, 10_000, 1),
    }),
    dailyLossLimit: money(0),
    maxDrawdown: money(0),
    maxDataAgeMs: int(0, 3_600_000, 50),
    maxIntentAgeMs: int(1, 3_600_000, 1_000),
    pendingTimeoutMs: int(1, 3_600_000, 10_000),
    resumeOnFeedUp: bool(true),
    initialState: oneOf(['active', 'reducing', 'halted'], 'active'),
    rejectLogIntervalMs: int(0, 3_600_000, 10_000),
    defaultClass: str('always'),
    sessionClasses: map(CLASS),
    instruments: map(
      obj({
        maxOrderQty: optional(money(0)),
        maxOrderNotional: optional(money(0)),
        maxPosition: optional(money(0)),
        class: optional(str('')),
      }),
      { pattern: INSTRUMENT, allowed: "a canonical instrument name '<venue>:<symbol>'" },
    ),
  }),
  (c, path, issues) => {
    const classes = [...new Set([...Object.keys(DEFAULT_CLASSES), ...Object.keys(c.sessionClasses)])];
    const allowed = `one of ${classes.map((x) => JSON.stringify(x)).join(', ')}`;
    if (!classes.includes(c.defaultClass)) violation(issues, joinPath(path, 'defaultClass'), allowed, c.defaultClass, null);
    for (const [k, v] of Object.entries(c.instruments))
      if (v.class !== undefined && !classes.includes(v.class))
        violation(issues, joinPath(path, `instruments.${k}.class`), allowed, v.class, null);
  },
);

/** Every violation in `raw` (empty when valid), paths under `path`. */
export function validateRiskConfig(raw: unknown, path = ''): Issue[] {
  return parseConfig(SCHEMA, raw, path).issues;
}

export class RiskConfigError extends Error {
  readonly code = 'TKL_RISK_ERR_CONFIG';
  constructor(readonly issues: readonly Issue[]) {
    super(`invalid risk config:\n${formatIssues(issues)}`);
    this.name = 'RiskConfigError';
  }
}

type ClassOverride = Infer<typeof CLASS>;

function mergeClass(base: SessionClass | undefined, over: ClassOverride): SessionClass {
  const b = base ?? (DEFAULT_CLASSES.always as SessionClass);
  const rules = Object.fromEntries(
    SESSION_NAMES.map((s) => [s, { ...b.rules[s], ...given(over.rules?.[s] ?? {}) }]),
  ) as SessionClass['rules'];
  const { rules: _, ...fields } = over;
  return { ...b, ...given(fields), rules };
}

/** Validates and fills defaults; throws RiskConfigError listing every violation. */
export function resolveRiskConfig(raw: unknown): RiskConfig {
  const { value, issues } = parseConfig(SCHEMA, raw);
  if (issues.length > 0) throw new RiskConfigError(issues);
  const classes: Record<string, SessionClass> = { ...DEFAULT_CLASSES };
  for (const [k, v] of Object.entries(value.sessionClasses)) classes[k] = mergeClass(classes[k], v);
  const instruments = Object.fromEntries(Object.entries(value.instruments).map(([k, v]) => [k, given(v)]));
  return deepFreeze({ ...value, sessionClasses: classes, instruments });
}

export const RISK_DEFAULTS: RiskConfig = resolveRiskConfig({});
