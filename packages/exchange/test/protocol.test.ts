import { describe, expect, it } from 'vitest';
import { parseRequest } from '../src/protocol.js';

const p = (o: unknown): ReturnType<typeof parseRequest> => parseRequest(typeof o === 'string' ? o : JSON.stringify(o));

describe('parseRequest', () => {
  it('parses every action', () => {
    expect(p({ action: 'subscribe', id: 1, channels: ['book:AAPL'] })).toEqual({
      action: 'subscribe',
      id: 1,
      channels: ['book:AAPL'],
      snapshot: true,
    });
    expect(p({ action: 'subscribe', channels: ['book:AAPL'], snapshot: false })).toMatchObject({ id: null, snapshot: false });
    expect(p({ action: 'unsubscribe', id: 'x', channels: ['trades:AAPL'] })).toEqual({
      action: 'unsubscribe',
      id: 'x',
      channels: ['trades:AAPL'],
    });
    expect(p({ action: 'snapshot', channels: ['book:A'] })).toMatchObject({ action: 'snapshot' });
    expect(p({ action: 'ping', id: 2 })).toEqual({ action: 'ping', id: 2 });
    expect(p({ action: 'new_order', id: 3, clientOrderId: 'c1', instrument: 'AAPL', side: 'buy', price: '1.00', size: '1' })).toEqual({
      action: 'new_order',
      id: 3,
      clientOrderId: 'c1',
      instrument: 'AAPL',
      side: 'buy',
      type: 'limit',
      timeInForce: 'GTC',
      price: '1.00',
      size: '1',
    });
    expect(p({ action: 'new_order', clientOrderId: 'c', instrument: 'A', side: 'sell', type: 'market', size: '1' })).toMatchObject({
      timeInForce: 'IOC',
      price: undefined,
    });
    expect(p({ action: 'cancel_order', orderId: '5' })).toEqual({
      action: 'cancel_order',
      id: null,
      orderId: '5',
      clientOrderId: undefined,
    });
    expect(p({ action: 'cancel_all', instrument: 'AAPL' })).toEqual({ action: 'cancel_all', id: null, instrument: 'AAPL' });
    expect(p({ action: 'open_orders' })).toEqual({ action: 'open_orders', id: null, instrument: undefined });
    expect(p({ action: 'fills', sinceSeq: 4 })).toEqual({ action: 'fills', id: null, sinceSeq: 4, limit: 1000 });
    expect(p({ action: 'account' })).toEqual({ action: 'account', id: null });
  });

  const bad: Array<[string, unknown, string, string | undefined]> = [
    ['not JSON', '{"action":', 'bad_json', undefined],
    ['an array', [1], 'bad_request', undefined],
    ['no action', { id: 1 }, 'bad_request', 'action'],
    ['unknown action', { action: 'launch' }, 'unknown_action', 'action'],
    ['object id', { action: 'ping', id: {} }, 'bad_request', 'id'],
    ['empty channels', { action: 'subscribe', channels: [] }, 'bad_request', 'channels'],
    ['non-string channel', { action: 'subscribe', channels: [1] }, 'bad_request', 'channels'],
    ['snapshot not boolean', { action: 'subscribe', channels: ['x'], snapshot: 1 }, 'bad_request', 'snapshot'],
    [
      'bad client id',
      { action: 'new_order', clientOrderId: 'a b', instrument: 'A', side: 'buy', size: '1' },
      'bad_request',
      'clientOrderId',
    ],
    ['bad side', { action: 'new_order', clientOrderId: 'a', instrument: 'A', side: 'long', size: '1' }, 'bad_request', 'side'],
    ['bad type', { action: 'new_order', clientOrderId: 'a', instrument: 'A', side: 'buy', type: 'stop', size: '1' }, 'bad_request', 'type'],
    [
      'bad tif',
      { action: 'new_order', clientOrderId: 'a', instrument: 'A', side: 'buy', timeInForce: 'FOK', size: '1' },
      'bad_request',
      'timeInForce',
    ],
    [
      'numeric price',
      { action: 'new_order', clientOrderId: 'a', instrument: 'A', side: 'buy', price: 1.5, size: '1' },
      'bad_request',
      'price',
    ],
    ['numeric size', { action: 'new_order', clientOrderId: 'a', instrument: 'A', side: 'buy', size: 1 }, 'bad_request', 'size'],
    ['cancel with both ids', { action: 'cancel_order', orderId: '1', clientOrderId: 'a' }, 'bad_request', 'orderId'],
    ['cancel with neither', { action: 'cancel_order' }, 'bad_request', 'orderId'],
    ['fills negative since', { action: 'fills', sinceSeq: -1 }, 'bad_request', 'sinceSeq'],
    ['fills huge limit', { action: 'fills', limit: 100_000 }, 'bad_request', 'limit'],
  ];
  for (const [name, input, code, field] of bad) {
    it(`rejects ${name} with ${code}${field ? ` naming ${field}` : ''}`, () => {
      const r = p(input);
      expect(r).toMatchObject({ code });
      if ('code' in r) {
        expect(r.field).toBe(field);
        expect(r.message.length).toBeGreaterThan(5);
      }
    });
  }

  it('echoes the id of a request it rejects', () => {
    expect(p({ action: 'subscribe', id: 77, channels: 'book:A' })).toMatchObject({ id: 77, action: 'subscribe' });
  });
});
