/**
 * Control routes (POST, token + same-origin + JSON enforced by the router): kill switch, trading
 * state, subscriptions, strategies. Each validates its body, calls one stage command, records
 * the operator action in the event log, and answers with what the stages returned.
 */

import type { DashboardContext } from '../context.js';
import { badField, DashboardError } from '../errors.js';
import type { Router } from '../router.js';
import { body, bool, onlyKeys, oneOf, text } from './validate.js';

const STATES = ['active', 'reducing', 'halted'] as const;
const ACTIONS = ['subscribe', 'unsubscribe'] as const;
const MAX_SYMBOLS = 10_000;

export function controlRoutes(ctx: DashboardContext) {
  const audit = (stage: string, text: string, data: unknown) => {
    ctx.events.add({ kind: 'info', stage, partition: -1, event: 'operator', text, data });
    ctx.opts.log.info({ stage, action: text }, `operator action: ${text}`);
  };

  return (r: Router) => {
    r.add({
      method: 'POST',
      path: '/api/kill-switch',
      access: 'token',
      handler: async (req) => {
        const b = body(req.body);
        onlyKeys(b, ['on', 'reason']);
        const on = bool(b, 'on');
        const reason = text(b, 'reason', { optional: true, max: 200 });
        const results = await ctx.runCommand('risk', 'kill-switch', reason === undefined ? { on } : { on, reason });
        results.forEach((x, i) => {
          const s = (x as { state?: unknown } | null)?.state;
          if (typeof s === 'string') ctx.trading.noteState(i, s);
        });
        audit('risk', `kill switch ${on ? 'ON' : 'off'}${reason ? ` (${reason})` : ''}`, { on });
        return { json: { ok: true, state: ctx.trading.state(), results } };
      },
    });

    r.add({
      method: 'POST',
      path: '/api/trading-state',
      access: 'token',
      handler: async (req) => {
        const b = body(req.body);
        onlyKeys(b, ['state']);
        const raw = b.state;
        const state = oneOf({ state: typeof raw === 'string' ? raw.toLowerCase() : raw }, 'state', STATES);
        const results = await ctx.runCommand('risk', 'trading-state', { state });
        results.forEach((x, i) => {
          const s = (x as { state?: unknown } | null)?.state;
          if (typeof s === 'string') ctx.trading.noteState(i, s);
        });
        audit('risk', `trading state set to ${state.toUpperCase()}`, { state });
        return { json: { ok: true, state: ctx.trading.state(), results } };
      },
    });

    r.add({
      method: 'POST',
      path: '/api/subscriptions',
      access: 'token',
      handler: async (req) => {
        const b = body(req.body);
        onlyKeys(b, ['action', 'symbols']);
        const action = oneOf(b, 'action', ACTIONS);
        const list = b.symbols;
        if (!Array.isArray(list) || list.length === 0 || list.length > MAX_SYMBOLS)
          throw badField('symbols', `an array of 1 to ${MAX_SYMBOLS} instrument symbols`, list);
        const symbols = list.map((s, i) => {
          const spec = typeof s === 'string' ? ctx.instrument(s) : undefined;
          if (!spec) throw badField(`symbols[${i}]`, `a known ${ctx.opts.venue} symbol (see GET /api/instruments)`, s);
          return spec.symbol;
        });
        const results = await ctx.runCommand('ingest', action, { symbols });
        audit('ingest', `${action} ${symbols.length} symbol(s)`, { action, symbols: symbols.slice(0, 20) });
        return { json: { ok: true, action, symbols: symbols.length, results } };
      },
    });

    r.add({
      method: 'POST',
      path: '/api/strategies',
      access: 'token',
      handler: async (req) => {
        const b = body(req.body);
        onlyKeys(b, ['name', 'enabled']);
        const name = text(b, 'name', { max: 100, pattern: /^[\w.:-]+$/, hint: 'a strategy name (letters, digits, _ . : -)' }) as string;
        const enabled = bool(b, 'enabled');
        const results = await ctx.runCommand('signals', 'strategy', { name, enabled });
        audit('signals', `strategy ${name} ${enabled ? 'enabled' : 'disabled'}`, { name, enabled });
        return { json: { ok: true, name, enabled, results } };
      },
    });

    r.add({
      method: 'POST',
      path: '/api/resync',
      access: 'token',
      handler: async (req) => {
        const b = body(req.body);
        onlyKeys(b, ['symbol']);
        const symbol = text(b, 'symbol', { max: 100 }) as string;
        const spec = ctx.instrument(symbol);
        if (!spec)
          throw new DashboardError('TKL_DASH_ERR_UNKNOWN_INSTRUMENT', `unknown instrument '${symbol.slice(0, 100)}'`, { field: 'symbol' });
        const results = await ctx.runCommand('ingest', 'resync', { instrument: spec.id });
        audit('ingest', `resync ${spec.symbol} requested`, { instrument: spec.id });
        return { json: { ok: true, results } };
      },
    });
  };
}
