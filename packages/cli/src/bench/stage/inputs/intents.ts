/** Order intents as signals makes them (and risk passes them on), for the trading stages' inputs. */

import { type OrderIntentRecord, type SplitTime, VENUES } from '@tickline/wire';

/** A limit buy of nothing yet, created and received at `t`, with an edge estimate: override the rest. */
export function intentRecord(
  intentId: number,
  on: { id: number; priceScale: number; sizeScale: number },
  t: SplitTime,
  over: Partial<OrderIntentRecord>,
): OrderIntentRecord {
  return {
    intentId,
    instrument: on.id,
    venue: VENUES.sim,
    strategy: 'bench',
    side: 0,
    type: 0,
    tif: 0,
    price: 0,
    size: 0,
    priceScale: on.priceScale,
    sizeScale: on.sizeScale,
    reduceOnly: false,
    reason: 'bench',
    inputs: [{ name: 'edgeBps', value: 50 }],
    createdS: t.s,
    createdNs: t.ns,
    recvS: t.s,
    recvNs: t.ns,
    ...over,
  };
}
