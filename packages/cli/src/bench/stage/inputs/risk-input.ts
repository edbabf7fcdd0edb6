/**
 * The risk stage's input: the book stage's output (book-output.ts) with, after every third book
 * view, one order scenario, and what execution sends back for it. Two in three scenarios are
 * approvals: a passive limit order (one lot at the bid, with an edge estimate) on the viewed
 * instrument, then its order events from execution (accepted, then cancelled; or, one in four,
 * a fill, filled and the position; an instrument whose lot is worth over 10,000 is replaced by
 * the fixed-price one). The third is a rejection, cycling through every reject
 * reason risk has (see REJECT_REASONS): each is set up the way it happens in a run (a stale
 * intent, a feed going down and up again, a session with no market orders, 64 orders left open,
 * and so on). `rate_limited` comes last: the order-rate bucket holds a token for all but the
 * last approvals of the tape.
 *
 * Seven instruments at the end of the universe are kept out of the market stream, with books
 * of their own at a price of 100: closed, limit-only, never booked, not live, stale, unlimited
 * position, and one with a position limit of one unit.
 */

import { REJECT_REASONS, type RejectReason } from '@tickline/risk';
import type { Mark } from '@tickline/runtime';
import { type BookViewLike, type InstrumentSpec, LevelBuffer, type OrderIntentRecord, pow10, splitMs, VENUES } from '@tickline/wire';
import type { StagePlan, StageSizes } from '../plan.js';
import { TapeWriter } from '../tape.js';
import { emitBookOutput } from './book-output.js';
import { intentRecord } from './intents.js';
import type { SimUniverse } from './sim-universe.js';

type Scenario = Exclude<RejectReason, 'rate_limited'>;
/** Reject reasons set up by a scenario (rate_limited comes from the bucket). */
const SCENARIOS = REJECT_REASONS.filter((r): r is Scenario => r !== 'rate_limited');

const MAX_OPEN = 64;
const HOUR_MS = 3_600_000;

interface Specials {
  closed: InstrumentSpec;
  limitOnly: InstrumentSpec;
  noBook: InstrumentSpec;
  notLive: InstrumentSpec;
  stale: InstrumentSpec;
  big: InstrumentSpec;
  onePosition: InstrumentSpec;
}

/** A book view at a price of 100 (quote units), one tick either side. */
function fixedView(spec: InstrumentSpec, state: number, recvMs: number): BookViewLike {
  const unit = pow10(spec.priceScale);
  const bids = new LevelBuffer(1);
  const asks = new LevelBuffer(1);
  bids.push(100 * unit - spec.tickSize, 10 * spec.lotSize);
  asks.push(100 * unit + spec.tickSize, 10 * spec.lotSize);
  const t = splitMs(recvMs, { s: 0, ns: 0 });
  return {
    instrument: spec.id,
    venue: VENUES.sim,
    priceScale: spec.priceScale,
    sizeScale: spec.sizeScale,
    recvS: t.s,
    recvNs: t.ns,
    state,
    seq: 1,
    mid: 100,
    microprice: 100,
    imbalance: 0,
    spread: (2 * spec.tickSize) / unit,
    bids,
    asks,
  };
}

/** Writes the book stage's output and, after every third view, an order scenario. */
class RiskTape extends TapeWriter {
  approvals = 0;
  #views = 0;
  #slot = 0;
  #reject = 0;
  #id = 1;
  #seq = 0;
  #scenarios = false;
  readonly #t = { s: 0, ns: 0 };
  readonly #now = Date.now();

  constructor(readonly sp: Specials) {
    super();
  }

  /** Scenarios start with the body (the set-up is the books' snapshots). */
  startScenarios(): void {
    const now = this.#now;
    for (const s of [this.sp.big, this.sp.onePosition]) super.bookView(fixedView(s, 1, now));
    super.bookView(fixedView(this.sp.notLive, 0, now));
    super.bookView(fixedView(this.sp.stale, 1, now - HOUR_MS));
    this.endPrime();
    this.#scenarios = true;
  }

  override bookView(v: BookViewLike): void {
    super.bookView(v);
    if (!this.#scenarios || ++this.#views % 3 !== 0 || v.bids.length === 0 || v.asks.length === 0) return;
    if (this.#slot++ % 3 === 2) this.#rejectScenario(SCENARIOS[this.#reject++ % SCENARIOS.length] as Scenario, v);
    else {
      // one lot of the viewed instrument, unless that is a large order (then one of `big`)
      const bid = v.bids.price(0);
      const lot = this.#lotOf(v.instrument);
      if ((bid / pow10(v.priceScale)) * (lot / pow10(v.sizeScale)) <= 10_000)
        this.#approve(v.instrument, v.priceScale, v.sizeScale, bid, { lot });
      else this.#approveBig();
    }
  }

  #approveBig(release = true): OrderIntentRecord {
    const big = this.sp.big;
    return this.#approve(big.id, big.priceScale, big.sizeScale, 100 * pow10(big.priceScale) - big.tickSize, { lot: big.lotSize }, release);
  }

  readonly #lots = new Map<number, number>();
  setLots(specs: readonly InstrumentSpec[]): void {
    for (const s of specs) this.#lots.set(s.id, s.lotSize);
  }
  #lotOf(id: number): number {
    return this.#lots.get(id) ?? 1;
  }

  #intent(instrument: number, priceScale: number, sizeScale: number, over: Partial<OrderIntentRecord>): OrderIntentRecord {
    return intentRecord(this.#id++, { id: instrument, priceScale, sizeScale }, splitMs(this.#now, this.#t), over);
  }

  /** An approvable intent (passive buy, one lot at `bid`), then what execution reports for it. */
  #approve(instrument: number, ps: number, ss: number, bid: number, o: { lot: number }, release = true): OrderIntentRecord {
    const intent = this.#intent(instrument, ps, ss, { price: bid, size: o.lot });
    this.orderIntent(intent);
    this.approvals++;
    if (release) this.#release(intent);
    return intent;
  }

  #release(o: OrderIntentRecord): void {
    const cid = `i${o.intentId.toString(36)}`;
    const t = this.#t;
    const event = (status: number, filled: number) =>
      this.orderEvent({
        clientOrderId: cid,
        venueOrderId: `v${o.intentId}`,
        instrument: o.instrument,
        status,
        side: o.side,
        price: o.price,
        size: o.size,
        filled,
        priceScale: o.priceScale,
        sizeScale: o.sizeScale,
        reason: '',
        venueSeq: ++this.#seq,
        tsS: t.s,
        tsNs: t.ns,
      });
    event(1, 0); // accepted
    if (o.intentId % 4 !== 0) {
      event(5, 0); // cancelled
      return;
    }
    this.fill({
      clientOrderId: cid,
      venueOrderId: `v${o.intentId}`,
      fillId: `f${o.intentId}`,
      instrument: o.instrument,
      side: o.side,
      price: o.price,
      size: o.size,
      priceScale: o.priceScale,
      sizeScale: o.sizeScale,
      fee: 1_000_000, // 0.01 at 10^-8
      feeScale: 8,
      liquidityMaker: true,
      venueSeq: this.#seq,
      tsS: t.s,
      tsNs: t.ns,
    });
    event(3, o.size); // filled
    this.position({
      instrument: o.instrument,
      sizeScale: o.sizeScale,
      priceScale: o.priceScale,
      quantity: 0,
      avgPrice: 0,
      realizedPnl: 5_000_000, // 0.05 at 10^-8
      unrealizedPnl: 0,
      fees: 1_000_000,
      moneyScale: 8,
      tsS: t.s,
      tsNs: t.ns,
    });
  }

  /** An intent on one of the fixed-price instruments (price 100, bid 100 - tick). */
  #fixed(spec: InstrumentSpec, over: Partial<OrderIntentRecord>): void {
    const bid = 100 * pow10(spec.priceScale) - spec.tickSize;
    this.orderIntent(this.#intent(spec.id, spec.priceScale, spec.sizeScale, { price: bid, size: spec.lotSize, ...over }));
  }

  #rejectScenario(reason: Scenario, v: BookViewLike): void {
    const sp = this.sp;
    const big = sp.big;
    const units = (spec: InstrumentSpec, n: number) => Math.ceil((n * pow10(spec.sizeScale)) / spec.lotSize) * spec.lotSize;
    const old = splitMs(this.#now - HOUR_MS, { s: 0, ns: 0 });
    switch (reason) {
      case 'bad_input':
        return this.#fixed(big, { size: 0 });
      case 'unknown_instrument':
        return this.orderIntent(this.#intent(0xfffffff, v.priceScale, v.sizeScale, { price: v.bids.price(0), size: 1 }));
      case 'stale_intent':
        return this.#fixed(big, { createdS: old.s, createdNs: old.ns });
      case 'halted': {
        const feed = (up: boolean): Mark => ({ type: 'feed', venue: VENUES.sim, connId: 0, up, reason: 'bench', tsS: old.s, tsNs: 0 });
        this.mark(feed(false));
        this.#fixed(big, {});
        this.mark(feed(true));
        return;
      }
      case 'reducing_only':
        return this.#fixed(big, { reduceOnly: true });
      case 'session_closed':
        return this.#fixed(sp.closed, {});
      case 'session_market_order':
        return this.#fixed(sp.limitOnly, { type: 1, tif: 1, price: 0 });
      case 'no_book':
        return this.#fixed(sp.noBook, {});
      case 'book_not_live':
        return this.#fixed(sp.notLive, {});
      case 'stale_data':
        // an intent made on that instrument's hour-old data carries the data's receive time
        return this.#fixed(sp.stale, { recvS: old.s, recvNs: old.ns });
      case 'price_band':
        return this.#fixed(big, { price: 120 * pow10(big.priceScale) });
      case 'max_order_qty':
        return this.#fixed(big, { size: units(big, 2_000_000) });
      case 'max_order_notional':
        return this.#fixed(big, { size: units(big, 2_000) });
      case 'max_position':
        return this.#fixed(sp.onePosition, { size: units(sp.onePosition, 2) });
      case 'max_gross_exposure':
        return this.#fixed(big, { size: units(big, 750) });
      case 'max_open_orders': {
        const open: OrderIntentRecord[] = [];
        for (let i = 0; i < MAX_OPEN; i++) open.push(this.#approveBig(false));
        this.#fixed(big, {});
        for (const o of open) this.#release(o);
        return;
      }
      case 'no_edge_estimate':
        return this.#fixed(big, { inputs: [] });
      case 'min_edge':
        return this.#fixed(big, { inputs: [{ name: 'edgeBps', value: 1 }] });
    }
  }
}

export async function riskPlan(u: SimUniverse, z: StageSizes): Promise<StagePlan> {
  const n = u.specs.length;
  const at = (k: number) => u.specs[n - k] as InstrumentSpec;
  const sp: Specials = {
    closed: at(1),
    limitOnly: at(2),
    noBook: at(3),
    notLive: at(4),
    stale: at(5),
    big: at(6),
    onePosition: at(7),
  };
  const market: SimUniverse = { ...u, instruments: u.instruments.slice(0, n - 7), specs: u.specs.slice(0, n - 7) };
  const w = new RiskTape(sp);
  w.setLots(u.specs);
  // scenario records (intents, order events, fills, positions, marks) are about twice the views
  await emitBookOutput(market, Math.ceil((z.burst + z.paced) * 0.3), w, () => w.startScenarios());
  // the last 0.5% of approvals find the order-rate bucket empty
  const tokens = w.approvals - Math.max(1, Math.floor(w.approvals / 200));
  const name = (s: InstrumentSpec) => `sim:${s.symbol}`;
  const config = {
    maxOpenOrders: MAX_OPEN,
    maxGrossExposure: 50_000,
    orderRate: { perSecond: 0.001, burst: tokens },
    requireEdgeEstimate: true,
    maxDataAgeMs: 600_000,
    maxIntentAgeMs: 600_000,
    sessionClasses: {
      closed: { utcOffsetMinutes: 0, weekdaysOnly: false, preMarket: null, regular: null, afterHours: null },
      'limit-only': { regular: '00:00-24:00', rules: { regular: { allowMarketOrders: false } } },
    },
    instruments: {
      [name(sp.closed)]: { class: 'closed' },
      [name(sp.limitOnly)]: { class: 'limit-only' },
      [name(sp.big)]: { maxPosition: 1e9 },
      [name(sp.onePosition)]: { maxPosition: 1 },
    },
  };
  return {
    stage: 'risk',
    registry: u.specs,
    tape: w.finish(),
    burst: z.burst,
    paced: z.paced,
    pacedRate: z.pacedRate,
    params: { instruments: n, approvals: w.approvals, rejectScenarios: SCENARIOS.length + 1 },
    open: async () => ({ config, close: async () => {} }),
    extras(before, after) {
      let intents = 0;
      let reasons = 0;
      for (const [k, v] of Object.entries(after)) {
        if (!k.startsWith('rejected.')) continue;
        const d = v - (before[k] ?? 0);
        intents += d;
        if (d > 0) reasons++;
      }
      const approved = (after.approved ?? 0) - (before.approved ?? 0);
      return { approvedShare: approved / (approved + intents), rejectReasons: reasons };
    },
  };
}
