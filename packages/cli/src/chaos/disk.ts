/**
 * `disk`: the journal's disk fills up under the trading pipeline. A real file system, no hook in
 * the journal: a small tmpfs mounted for the run (root only), filled to ENOSPC while the trader
 * trades. Trading must stop sending orders, nothing the venue acknowledged before the fault may be
 * missing from the journal, and the error logged must say what happened.
 *
 * Not the read-only case: a file system whose files are open for writing cannot be remounted
 * read-only (mount: "mount point is busy"), and a mode change does not stop writes to a file
 * already open, so there is no honest way to turn the journal's disk read-only under it.
 */

import { execFileSync } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJournal } from '@tickline/execution';
import type { WorkerEvent } from '@tickline/runtime';
import { type ChaosContext, type ChaosEnv, type ChaosResult, getJson, sleep, until, type Verdict, withEnv } from './harness.js';

const TMPFS_SIZE = '8m';

function mountTmpfs(dir: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', dir], { stdio: 'pipe' });
}

/** Fills the file system holding `dir` until it refuses (ENOSPC). */
function fill(dir: string): number {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let bytes = 0;
  try {
    for (;;) bytes += writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
  return bytes;
}

/** The error lines the pipeline logged since `from` that mention the journal's failure. */
function diskErrors(events: readonly WorkerEvent[], from: number): string[] {
  return events
    .slice(from)
    .map((e) => JSON.stringify(e.data))
    .filter((t) => /full|read-?only|SQLITE_(FULL|READONLY|IOERR)|ENOSPC|EROFS|EACCES/i.test(t));
}

async function scenario(ctx: ChaosContext, dir: string): Promise<ChaosResult> {
  const options = { stageConfigs: { execution: { journal: { path: join(dir, 'journal-{partition}.sqlite') } } } };
  return withEnv('disk', ctx, options, async (env: ChaosEnv, v: Verdict) => {
    const fills = async () => (await getJson<{ fills: { fillId: string }[] }>(`${env.httpUrl}/v1/fills?account=default&limit=10000`)).fills;
    // trade until there are fills the journal holds
    await until(async () => ((await fills()).length >= 5 ? true : undefined), 60_000, 'fills before the fault', 200);
    await sleep(Math.min(ctx.seconds, 5) * 1000);
    const before = await fills();
    const events0 = env.events.length;
    const orders0 = (await env.exchangeStats()).ordersReceived ?? 0;
    v.set({ filesystem: `tmpfs ${TMPFS_SIZE}`, filledBytes: fill(dir) });
    const tFault = performance.now();
    // the next journal write meets the fault; from then on no order may leave
    const errors = await until(
      () => {
        const e = diskErrors(env.events, events0);
        return e.length > 0 ? e : undefined;
      },
      30_000,
      'an error naming the disk fault',
      50,
    ).catch(() => [] as string[]);
    const detectMs = performance.now() - tFault;
    await sleep(1000);
    const ordersAtHalt = (await env.exchangeStats()).ordersReceived ?? 0;
    await sleep(Math.max(2000, Math.min(ctx.seconds, 10) * 1000));
    const ordersAfter = (await env.exchangeStats()).ordersReceived ?? 0;
    const exec = await env.core('execution');
    // what the journal holds: its files copied off the failing file system (with the WAL) and opened
    await env.market(true);
    let journaled = new Set<string>();
    const copy = mkdtempSync(join(tmpdir(), 'tickline-chaos-journal-'));
    try {
      for (const f of readdirSync(dir).filter((x) => x.startsWith('journal-0.sqlite'))) copyFileSync(join(dir, f), join(copy, f));
      const j = new SqliteJournal(join(copy, 'journal-0.sqlite'));
      journaled = new Set(j.load().fills.map((f) => f.fillId));
      j.close();
    } catch (err) {
      v.check(false, `the journal could not be read after the fault: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
    const lost = before.filter((f) => !journaled.has(f.fillId)).length;
    v.set({
      fillsBeforeFault: before.length,
      fillsLost: lost,
      ordersBeforeFault: orders0,
      ordersSentAfterHalt: ordersAfter - ordersAtHalt,
      errorDetectMs: errors.length > 0 ? Math.round(detectMs) : null,
      error: errors[0]?.slice(0, 300) ?? null,
      venueDownRejects: exec.venueDown ?? null,
    });
    v.check(errors.length > 0, 'no error said what happened to the disk');
    v.check(ordersAfter - ordersAtHalt === 0, `${ordersAfter - ordersAtHalt} orders left after the journal failed`);
    v.check(lost === 0, `${lost} fills the venue acknowledged before the fault are missing from the journal`);
  });
}

export async function disk(ctx: ChaosContext): Promise<ChaosResult> {
  const dir = mkdtempSync(join(tmpdir(), 'tickline-chaos-disk-'));
  try {
    mountTmpfs(dir);
    try {
      return await scenario(ctx, dir);
    } finally {
      execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
