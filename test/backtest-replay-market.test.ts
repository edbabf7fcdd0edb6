/**
 * The backtest's fill model: the embedded exchange with its books driven by replayed frames.
 * Orders over the normal WebSocket protocol take the replayed liquidity level by level (partial
 * fills, taker fees), a resting order fills as maker when a replayed trade goes through it, and
 * the replay's next update of a level replaces what an order took.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ReplayExchangeHandle, startReplayExchange } from '@tickline/exchange';

let ex: ReplayExchangeHandle;
let ws: WebSocket;
const frames: Record<string, unknown>[] = [];

function waitFor(pred: (f: Record<string, unknown>) => boolean, count = 1): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for frames')), 5000);
    const check = () => {
      const hits = frames.filter(pred);
      if (hits.length >= count) {
        clearTimeout(timer);
        ws.off('message', check);
        resolve(hits);
      }
    };
    ws.on('message', check);
    check();
  });
}

const send = (o: object) => ws.send(JSON.stringify(o));
const book = (type: 'snapshot' | 'delta', seq: number, bids: [string, string][], asks: [string, string][]) =>
  JSON.stringify({ type, channel: 'book:AAA', seq, ts: 1, bids, asks });

describe('replay-driven exchange (backtest fill model)', () => {
  beforeAll(async () => {
    ex = await startReplayExchange({ heartbeatMs: 0, pingIntervalMs: 0, makerFeeBps: 1, takerFeeBps: 2 }, [
      { symbol: 'AAA', priceScale: 2, sizeScale: 0, tickSize: 1, lotSize: 1 },
    ]);
    ws = new WebSocket(`${ex.wsUrl}?account=bt`);
    ws.on('message', (d) => frames.push(JSON.parse(String(d)) as Record<string, unknown>));
    await new Promise((r) => ws.once('open', r));
    send({ action: 'subscribe', id: 1, channels: ['orders'] });
    await waitFor((f) => f.type === 'ack' && f.id === 1);
  });
  afterAll(async () => {
    ws.close();
    await ex.close();
  });

  it('lists only the recording instruments and starts with empty books', async () => {
    expect(ex.instruments.map((i) => i.symbol)).toEqual(['AAA']);
    const res = await fetch(`${ex.httpUrl}/v1/book/AAA`);
    const b = (await res.json()) as { bids: unknown[]; asks: unknown[] };
    expect(b.bids).toEqual([]);
    expect(b.asks).toEqual([]);
    expect(ex.applyFrame(JSON.stringify({ type: 'snapshot', channel: 'book:ZZZ', seq: 1, bids: [], asks: [] }))).toBe(false);
    expect(ex.marketStats().unknown).toBe(1);
  });

  it('fills a marketable order level by level against the replayed book, with taker fees', async () => {
    expect(
      ex.applyFrame(
        book(
          'snapshot',
          5,
          [['99.00', '10']],
          [
            ['100.00', '5'],
            ['100.01', '7'],
            ['100.05', '9'],
          ],
        ),
      ),
    ).toBe(true);
    send({
      action: 'new_order',
      id: 2,
      clientOrderId: 'c1',
      instrument: 'AAA',
      side: 'buy',
      type: 'limit',
      timeInForce: 'IOC',
      price: '100.01',
      size: '15',
    });
    const trades = await waitFor(
      (f) => f.type === 'execution' && f.event === 'trade' && (f.order as { clientOrderId: string }).clientOrderId === 'c1',
      2,
    );
    const fills = trades.map((t) => t.fill as { price: string; size: string; fee: string; liquidity: string });
    expect(fills.map((f) => [f.price, f.size, f.liquidity, f.fee])).toEqual([
      ['100.00', '5', 'taker', '0.10000000'],
      ['100.01', '7', 'taker', '0.14001400'],
    ]);
    const [end] = await waitFor((f) => f.type === 'execution' && f.event === 'canceled');
    expect(end?.reason).toBe('ioc_remainder');
    // the taken levels are gone until the replay sets them again
    const after = (await (await fetch(`${ex.httpUrl}/v1/book/AAA`)).json()) as { asks: string[][] };
    expect(after.asks).toEqual([['100.05', '9']]);
    ex.applyFrame(book('delta', 6, [], [['100.00', '4']]));
    const restored = (await (await fetch(`${ex.httpUrl}/v1/book/AAA`)).json()) as { asks: string[][]; seq: number };
    expect(restored.asks[0]).toEqual(['100.00', '4']);
  });

  it('fills a resting order as maker when a replayed trade goes through its price', async () => {
    send({
      action: 'new_order',
      id: 3,
      clientOrderId: 'c2',
      instrument: 'AAA',
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      price: '99.50',
      size: '4',
    });
    await waitFor((f) => f.type === 'ack' && f.id === 3);
    // a trade above the order's price does not touch it; one below goes through it
    ex.applyFrame(
      JSON.stringify({ type: 'trade', channel: 'trades:AAA', ts: 1, trades: [{ id: 1, price: '99.60', size: '3', side: 'sell' }] }),
    );
    expect(ex.account('bt').fills.filter((f) => f.clientOrderId === 'c2')).toEqual([]);
    ex.applyTrades('AAA', [{ price: 9940, size: 1, aggressor: 'sell' }]);
    const [t] = await waitFor(
      (f) => f.type === 'execution' && f.event === 'trade' && (f.order as { clientOrderId: string }).clientOrderId === 'c2',
    );
    expect(t?.fill).toMatchObject({ price: '99.50', size: '4', liquidity: 'maker', fee: '0.03980000' });
    const acct = ex.account('bt');
    expect(acct.fills).toHaveLength(3);
    expect(acct.feesPaid).toBe('0.27981400');
    expect(acct.positions.AAA).toBe('16');
  });
});
