/**
 * Fills through a real execution core for the dashboard and decimals tests: market orders go in
 * as intents, and the venue's reports come back the way the WebSocket gateway delivers them
 * (fees parsed from the exchange's 10^-8 text at the instrument's money scale). A dashboard
 * pipeline answers `execution report` from the cores, one partition each.
 */

import { type DashboardHandle, startDashboard } from '@tickline/dashboard';
import { FakePipeline, recordingLogger } from '@tickline/dashboard/testing';
import { type ExecutionCore, executionReport, type NewOrderRequest, type VenueOrderState, type VenuePort } from '@tickline/execution';
import { MarketViewTable } from '@tickline/runtime';
import { intent, Recorder } from '@tickline/runtime/testing';
import { type InstrumentRegistry, type InstrumentSpec, moneyScale, parseDecimal } from '@tickline/wire';

export const NOW = 1_700_000_000_000;

/** A venue port that takes every order (the fills come in as venue reports). */
export class AcceptingVenue implements VenuePort {
  connected = true;
  readonly sent: NewOrderRequest[] = [];
  newOrder(o: NewOrderRequest): boolean {
    this.sent.push(o);
    return true;
  }
  cancel = () => true;
  cancelAll = () => true;
  openOrders = () => true;
  fills = () => true;
}

export class FillDriver {
  readonly rec = new Recorder();
  #seq = 0;
  #fills = 0;

  constructor(public core: ExecutionCore) {}

  /** Sends market order `n` through the core as an intent, then the venue's 'new' report. */
  order(spec: InstrumentSpec, n: number, side: number, size: number): VenueOrderState {
    const o = intent(
      { intentId: n, instrument: spec.id, side, type: 1, size, priceScale: spec.priceScale, sizeScale: spec.sizeScale },
      NOW,
    );
    this.core.onOrderIntent(o, this.rec);
    const state = {
      clientOrderId: `i${n.toString(36)}`,
      venueOrderId: `v${n}`,
      instrument: spec.id,
      side,
      type: 1,
      price: 0,
      size,
      filled: 0,
    };
    const order = { ...state, status: 'open' as const };
    this.core.onVenue({ kind: 'report', seq: ++this.#seq, event: 'new', order, fill: null, reason: '', tsMs: NOW }, this.rec);
    return order;
  }

  /** A fill of `order` at `price` for `size` (mantissas), its fee as the exchange's text. */
  fill(order: VenueOrderState, spec: InstrumentSpec, price: number, size: number, feeText: string, maker = false): void {
    const seq = ++this.#seq;
    const fee = parseDecimal(feeText, moneyScale(spec));
    if (Number.isNaN(fee)) throw new RangeError(`fee ${feeText} is finer than the money scale`);
    const { clientOrderId, venueOrderId, side } = order;
    const fill = {
      fillId: `f${++this.#fills}`,
      seq,
      clientOrderId,
      venueOrderId,
      instrument: spec.id,
      side,
      price,
      size,
      maker,
      tsMs: NOW,
    };
    const report = { kind: 'report', seq, event: 'trade', order, reason: '', tsMs: NOW } as const;
    this.core.onVenue({ ...report, fill: { ...fill, fee, feeScale: moneyScale(spec) } }, this.rec);
  }
}

/** A dashboard pipeline whose execution stage is the given cores (as JSON, like the control plane). */
export class ExecutionReportPipeline extends FakePipeline {
  cores: ExecutionCore[] = [];
  override async command(stage: string, command: string, args: unknown): Promise<unknown[]> {
    if (stage === 'execution' && command === 'report') return this.cores.map((c) => JSON.parse(JSON.stringify(executionReport(c))));
    return super.command(stage, command, args);
  }
}

/** A dashboard on loopback whose execution stage is `pipeline.cores`. */
export function startTradingDashboard(registry: InstrumentRegistry, pipeline: ExecutionReportPipeline): Promise<DashboardHandle> {
  return startDashboard({
    host: '127.0.0.1',
    port: 0,
    pipeline,
    marketView: new MarketViewTable(registry.size + 1),
    registry,
    events: pipeline.events,
    log: recordingLogger().log,
    venue: 'sim',
    announce: false,
  });
}
