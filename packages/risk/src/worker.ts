/**
 * The risk stage as the runtime runs it. Rejections (rate-limited by the core) and trading-state
 * changes go to the supervisor as control-plane events, which logs them.
 */

import { type StageContext, type StageCore, withFreshness } from '@tickline/runtime';
import { resolveRiskConfig } from './config.js';
import { RiskCore, TRADING_STATE_NAMES } from './core/risk-core.js';

export default function createRiskStage(ctx: StageContext): StageCore {
  const core = new RiskCore(resolveRiskConfig(withFreshness(ctx)), ctx.registry, {
    ...(ctx.clock ? { clock: ctx.clock } : {}),
    log: {
      reject: (reason, detail, suppressed) =>
        ctx.notify('log', { level: 'warn', stage: 'risk', msg: 'intent rejected', reason, detail, suppressed }),
      state: (state, reason) =>
        ctx.notify('trading-state', { stage: 'risk', partition: ctx.partition, state: TRADING_STATE_NAMES[state], reason, ts: Date.now() }),
      input: (reason, detail) => ctx.notify('log', { level: 'warn', stage: 'risk', msg: 'bad feedback record', reason, detail }),
    },
  });
  return {
    onBookView: (v, emit) => core.onBookView(v, emit),
    onMark: (m, emit) => core.onMark(m, emit),
    onOrderIntent: (o, emit) => core.onOrderIntent(o, emit),
    onOrderEvent: (e, emit) => core.onOrderEvent(e, emit),
    onFill: (f, emit) => core.onFill(f, emit),
    onPosition: (p, emit) => core.onPosition(p, emit),
    tick: (now, emit) => core.tick(now, emit),
    control: (command, args) => core.control(command, args),
    stats: () => core.stats(),
  };
}
