/** The closing summary's parts and the log format choice, on their own (test/run-summary.test.ts runs them in a real process). */

import { createLogger, resolveLogFormat, type WorkerEvent } from '@tickline/runtime';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { figure, haltLevel, haltText, sumAmounts, TradingStateLog, tradingLines, tradingSummary } from '../src/commands/run-summary.js';

const pickLine = (o: { level: number; msg: string }) => ({ level: o.level, msg: o.msg });

describe('log format', () => {
  it('is pretty on a terminal and JSON otherwise unless set', () => {
    expect(resolveLogFormat('auto', true)).toBe('pretty');
    expect(resolveLogFormat('auto', false)).toBe('json');
    expect(resolveLogFormat('json', true)).toBe('json');
    expect(resolveLogFormat('pretty', false)).toBe('pretty');
  });
});

describe('trading-state log lines and halts', () => {
  const event = (state: string, reason: string, partition = 0): WorkerEvent =>
    ({ stage: 'risk', partition, event: 'trading-state', data: { stage: 'risk', partition, state, reason } }) as WorkerEvent;

  it('logs one readable line per change (warn for a halt, error for a loss limit) and counts halts until frozen', () => {
    const lines: { level: number; msg: string }[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(pickLine(JSON.parse(s))) });
    const states = new TradingStateLog(log);
    states.onEvent(event('halted', 'feed_down:sim', 0));
    states.onEvent(event('halted', 'feed_down:sim', 1)); // the same change from a second partition
    states.onEvent(event('active', 'feed up: venue 1'));
    states.onEvent(event('halted', 'daily_loss'));
    states.onEvent({ stage: 'risk', partition: 0, event: 'log', data: {} } as WorkerEvent);
    states.freeze();
    states.onEvent(event('halted', 'feed_down:sim'));
    expect(lines).toEqual([
      { level: 40, msg: 'trading HALTED: feed down on sim' },
      { level: 30, msg: 'trading ACTIVE (feed up: venue 1)' },
      { level: 50, msg: 'trading HALTED: daily loss limit reached' },
    ]);
    expect(states.halts()).toEqual([
      { reason: 'feed_down:sim', text: 'feed down on sim', count: 1 },
      { reason: 'daily_loss', text: 'daily loss limit reached', count: 1 },
    ]);
    expect(haltText('kill_switch')).toBe('kill switch');
    expect(haltLevel('kill_switch')).toBe('warn');
  });

  it('sums the partitions of the execution report and takes the most restrictive risk state', () => {
    const states = new TradingStateLog(createLogger('silent'));
    const exec = (fills: number, realized: number, fees: number, qty: number) => ({
      counters: { ordersSent: fills + 1, fills },
      openOrders: [{}],
      positions: [{ quantity: qty, realizedPnl: realized, unrealizedPnl: 0.5, fees }],
    });
    const t = tradingSummary([exec(2, 1.25, 0.1, 0), exec(3, -0.5, 0.2, 0.013)], [{ state: 'active' }, { state: 'reducing' }], states);
    expect(t).toMatchObject({ orders: 7, fills: 5, openOrders: 2, positions: 1, state: 'reducing', halts: [] });
    expect(figure(t.realizedPnl as string)).toBe('0.75');
    expect(figure(t.fees as string)).toBe('0.3');
    expect(figure(t.netPnl as string)).toBe('1.45');
    // no execution report in time: counters still there, P&L said to be unread
    const late = tradingSummary([], [], states);
    expect(late).toMatchObject({ orders: 0, realizedPnl: null, fees: null, netPnl: null });
    expect(tradingLines(late, undefined).slice(1, 2)).toEqual(['  P&L        not read (the execution stage did not answer in time)']);
    // amounts add exactly; numbers (reports from before exact decimals) count at 8 decimals
    expect(sumAmounts(['0.1', '0.2'])).toBe('0.3');
    expect(sumAmounts(['-0.00007', '0.013', 'n/a', null])).toBe('0.01293');
    expect(sumAmounts([0.1 + 0.2, -1e-12])).toBe('0.3');
  });
});
