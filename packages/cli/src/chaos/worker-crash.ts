/**
 * `worker-crash`: while the random trader trades, the thread of each worker group (each stage in
 * the default placement) is terminated in turn, as a crash would end it. The supervisor must
 * replace it (replacement time: until the new thread answers), records lost with it show up as
 * counted drops, every book is live again, and no fill is lost: with the market paused at the end,
 * the journal holds exactly the exchange's fills.
 */

import { join } from 'node:path';
import { SqliteJournal } from '@tickline/execution';
import type { RingCounters } from '@tickline/ring';
import { type ChaosContext, type ChaosResult, getJson, sleep, until, withEnv } from './harness.js';

const ringDrops = (rings: readonly RingCounters[]): number =>
  rings.reduce((n, r) => n + Object.values(r.dropped).reduce((a, b) => a + b, 0), 0);

export async function workerCrash(ctx: ChaosContext): Promise<ChaosResult> {
  return withEnv('worker-crash', ctx, {}, async (env, v) => {
    const p = env.run.pipeline;
    const kills: Record<string, unknown>[] = [];
    const restarts0 = (await p.stats()).restarts;
    let unreplaced = 0;
    let notLive = 0;
    for (const group of env.run.groups) {
      const stage = group.stages[0];
      if (stage === undefined) continue;
      // trade a while between kills, so every stage has work in hand when it dies
      await sleep(Math.max(1000, (ctx.seconds * 1000) / env.run.groups.length));
      const drops0 = ringDrops(p.ringStats());
      const t0 = performance.now();
      const old = await p.terminateWorker(stage, 0);
      if (old === null) throw new Error(`no worker runs ${group.name}[0]`);
      const replaced = await until(
        async () => {
          const w = (await p.stats()).workers.find((x) => x.group === group.name && x.partition === 0);
          return w !== undefined && w.threadId !== old ? performance.now() - t0 : undefined;
        },
        30_000,
        `${group.name}[0] to be replaced`,
        10,
      ).catch(() => null);
      if (replaced === null) unreplaced++;
      let liveMs: number | null = null;
      try {
        await env.allLive(30_000);
        liveMs = performance.now() - t0;
      } catch {
        notLive++;
      }
      kills.push({
        group: group.name,
        replacementMs: replaced === null ? null : Math.round(replaced),
        booksLiveAfterMs: liveMs === null ? null : Math.round(liveMs),
        recordsDropped: ringDrops(p.ringStats()) - drops0,
      });
      ctx.log(`killed ${group.name}[0]: ${JSON.stringify(kills.at(-1))}`);
    }
    // quiet market, then the journal against the venue's fills
    await env.market(true);
    await sleep(2000);
    const restarts = (await p.stats()).restarts - restarts0;
    const venueFills = (await getJson<{ fills: { fillId: string }[] }>(`${env.httpUrl}/v1/fills?account=default&limit=10000`)).fills;
    await p.stop(2000);
    const journal = new SqliteJournal(join(env.run.dir, 'journal-0.sqlite'));
    const ours = new Set(journal.load().fills.map((f) => f.fillId));
    journal.close();
    const fillsLost = venueFills.filter((f) => !ours.has(f.fillId)).length;
    const replacement = kills.map((k) => k.replacementMs).filter((x): x is number => typeof x === 'number');
    v.set({
      kills,
      restarts,
      replacementMaxMs: replacement.length > 0 ? Math.max(...replacement) : null,
      recordsDropped: kills.reduce((n, k) => n + (k.recordsDropped as number), 0),
      venueFills: venueFills.length,
      fillsLost,
    });
    v.check(unreplaced === 0, `${unreplaced} workers were not replaced within 30 s`);
    v.check(restarts >= env.run.groups.length, `${restarts} restarts for ${env.run.groups.length} kills`);
    v.check(notLive === 0, `${notLive} kills left books not live after 30 s`);
    v.check(venueFills.length > 0, 'no fill during the run: nothing was at stake');
    v.check(fillsLost === 0, `${fillsLost} of the venue's fills are missing from the journal`);
  });
}
