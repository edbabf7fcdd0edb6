/**
 * `disconnects`: the exchange drops every connection (market data and order entry) N times while
 * the random trader trades. Each drop must halt trading (feed down), leave no order open at the
 * venue, send no order until the feed is back, then reconnect, restore every subscription once and
 * re-seed every book.
 */

import { type ChaosContext, type ChaosResult, type StateChange, scaled, sleep, until, withEnv } from './harness.js';

/**
 * Orders execution handed over before the halt mark reached it leave with the unit that ends
 * after it (and on a busy machine the thread may be preempted in between).
 */
const IN_FLIGHT_MS = 250;

export async function disconnects(ctx: ChaosContext): Promise<ChaosResult> {
  const drops = scaled(ctx, 100, 3);
  // Reconnect backoff capped at 1 s (default 30 s): a hundred drops in a row would otherwise
  // (rightly) back off to half a minute each.
  const options = { stageConfigs: { ingest: { config: { backoff: { capMs: 1000 } } } } };
  return withEnv('disconnects', ctx, options, async (env, v) => {
    const instruments = env.run.instruments;
    const ingest0 = await env.core('ingest');
    const book0 = await env.core('book');
    // every book and trades channel, plus order entry's `orders`
    const expected = instruments * 2 + 1;
    const subs0 = await until(
      async () => {
        const n = (await env.exchangeStats()).subscriptions ?? 0;
        return n === expected ? n : undefined;
      },
      10_000,
      `${expected} subscriptions at the venue`,
    ).catch(async () => (await env.exchangeStats()).subscriptions ?? 0);
    let recoveries = 0;
    let halts = 0;
    let ordersWhileDown = 0;
    let openAfterHalt = 0;
    let openBeforeDrops = 0;
    let maxOpenAfterHalt = 0;
    let subscriptionMismatches = 0;
    const recoveryMs: number[] = [];
    for (let i = 0; i < drops; i++) {
      // trade a little between drops, so orders are resting when the next one comes
      await sleep(200);
      const t0 = performance.now();
      // Orders resting at the venue as the drop comes.
      const before = new Set((await env.venueOpenOrders()).map((o) => o.clientOrderId));
      openBeforeDrops += before.size;
      // The venue's orders received, sampled all through the drop; each sample's value was taken
      // between `sent` and `got` (wall clock, as risk stamps its state changes).
      const samples: { sent: number; got: number; received: number }[] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const sent = Date.now();
          const received = (await env.exchangeStats()).ordersReceived ?? 0;
          samples.push({ sent, got: Date.now(), received });
          await sleep(10);
        }
      })();
      const halts0 = env.executionHalts.length;
      await env.faults({ drop: 'all' });
      let halt: StateChange;
      let active: StateChange;
      let stopped: number;
      try {
        halt = await until(
          () => env.states.find((s) => s.t >= t0 && s.state === 'halted' && (s.reason ?? '').startsWith('feed_down')),
          10_000,
          `drop ${i + 1}: trading to halt`,
          5,
        );
        // execution's own halt (its clock): where the window of orders that may not leave begins
        // (still halted from the drop before, it logs no new halt: then risk's halt time stands)
        stopped = await until(() => env.executionHalts[halts0], 2000, 'execution to halt', 5).catch(() => halt.ts);
        active = await until(
          () => env.states.find((s) => s.t > halt.t && s.state === 'active'),
          30_000,
          `drop ${i + 1}: trading to resume`,
          5,
        );
        await sleep(50);
      } finally {
        sampling = false;
        await sampler;
      }
      halts++;
      // Orders the venue received after execution halted (plus in-flight time) and before risk
      // resumed, from samples taken wholly inside that window (so a late event or a slow answer
      // here cannot move an order across its edges).
      const first = samples.find((s) => s.sent >= stopped + IN_FLIGHT_MS);
      const last = samples.findLast((s) => s.got <= active.ts);
      if (first !== undefined && last !== undefined && last.got > first.sent) ordersWhileDown += last.received - first.received;
      await env.allLive(30_000);
      // The halt cancels everything that rested at the venue before the drop (once order entry is
      // back, if the drop took it down too): none of those orders may stay open.
      const tOpen = performance.now();
      const open = await until(
        async () => {
          const n = (await env.venueOpenOrders()).filter((o) => before.has(o.clientOrderId)).length;
          return n === 0 || performance.now() - tOpen > 5000 ? n : undefined;
        },
        10_000,
        `drop ${i + 1}: venue open orders`,
        20,
      );
      if (open > 0) openAfterHalt++;
      maxOpenAfterHalt = Math.max(maxOpenAfterHalt, open);
      recoveryMs.push(performance.now() - t0);
      recoveries++;
      const subs = await until(
        async () => {
          const n = (await env.exchangeStats()).subscriptions ?? 0;
          return n === subs0 || performance.now() - tOpen > 10_000 ? n : undefined;
        },
        20_000,
        `drop ${i + 1}: subscriptions`,
        20,
      );
      if (subs !== subs0) subscriptionMismatches++;
      ctx.log(
        `drop ${i + 1}: halt ${Math.round(halt.t - t0)} ms (${active.ts - halt.ts} ms), active ${Math.round(active.t - t0)} ms, live ${Math.round(performance.now() - t0)} ms, subscriptions ${subs}, open ${open} of ${before.size}`,
      );
    }
    const ingest = await env.core('ingest');
    const book = await env.core('book');
    const d = (k: string, a: Record<string, number>, b: Record<string, number>) => (b[k] ?? 0) - (a[k] ?? 0);
    const reseeded = d('venues.sim.snapshotsApplied', book0, book);
    const duplicated = (ingest.duplicateSubscribeSends ?? 0) + (ingest.venueDuplicateSubscriptions ?? 0);
    recoveryMs.sort((a, b) => a - b);
    v.set({
      drops,
      halts,
      recoveries,
      reconnects: d('reconnects', ingest0, ingest),
      resubscribes: d('resubscribes', ingest0, ingest),
      subscriptionsBefore: subs0,
      subscriptionMismatches,
      duplicatedSubscriptions: duplicated,
      booksReseeded: reseeded,
      ordersWhileFeedDown: ordersWhileDown,
      venueOpenOrdersAtDrops: openBeforeDrops,
      haltsLeavingVenueOrdersOpen: openAfterHalt,
      maxVenueOpenOrdersAfterHalt: maxOpenAfterHalt,
      recoveryP50Ms: Math.round(recoveryMs[Math.floor(recoveryMs.length / 2)] ?? Number.NaN),
      recoveryMaxMs: Math.round(recoveryMs.at(-1) ?? Number.NaN),
      ordersSent: (await env.core('execution')).ordersSent ?? 0,
    });
    v.check(halts === drops, `${halts} halts for ${drops} drops`);
    v.check(recoveries === drops, `${recoveries} recoveries for ${drops} drops`);
    v.check(subscriptionMismatches === 0, `${subscriptionMismatches} recoveries ended with a subscription count other than ${subs0}`);
    v.check(duplicated === 0, `${duplicated} duplicated subscriptions`);
    v.check(reseeded >= drops * instruments, `${reseeded} books re-seeded, expected at least ${drops * instruments}`);
    v.check(ordersWhileDown === 0, `${ordersWhileDown} orders reached the venue while the feed was down`);
    v.check(openAfterHalt === 0, `${openAfterHalt} halts left orders open at the venue (at most ${maxOpenAfterHalt})`);
  });
}
