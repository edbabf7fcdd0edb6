import { describe, expect, it } from 'vitest';
import { OrderStatus as S } from '../src/core/order-state.js';
import { type LiveOrder, OrderTable } from '../src/core/orders.js';

const order = (id: string, status: number) => ({ clientOrderId: id, status }) as unknown as LiveOrder;

describe('OrderTable', () => {
  it('walks only the open orders, in the order they were set, and keeps terminal ones by id', () => {
    const t = new OrderTable();
    const a = order('a', S.PendingNew);
    const b = order('b', S.Accepted);
    const c = order('c', S.Filled);
    t.set('a', a).set('b', b).set('c', c);
    expect([...t.open()].map((o) => o.clientOrderId)).toEqual(['a', 'b']);
    // statuses move forward in place: the next walk leaves the terminal one out for good
    a.status = S.Cancelled;
    const d = order('d', S.PendingNew);
    t.set('d', d);
    expect([...t.open()].map((o) => o.clientOrderId)).toEqual(['b', 'd']);
    expect(t.get('a')).toBe(a);
    expect(t.size).toBe(4);
    // an order set again under its id replaces the indexed one
    const b2 = order('b', S.PartiallyFilled);
    t.set('b', b2);
    expect([...t.open()]).toEqual([d, b2]);
    t.delete('d');
    expect([...t.open()]).toEqual([b2]);
    t.clear();
    expect([...t.open()]).toEqual([]);
  });

  it('an order made terminal during a walk is skipped from then on; one added during a walk is visited', () => {
    const t = new OrderTable();
    const a = order('a', S.Accepted);
    const b = order('b', S.Accepted);
    t.set('a', a).set('b', b);
    const seen: string[] = [];
    for (const o of t.open()) {
      seen.push(o.clientOrderId);
      if (o === a) {
        b.status = S.Filled;
        t.set('c', order('c', S.PendingNew));
      }
    }
    expect(seen).toEqual(['a', 'c']);
  });
});
