/**
 * The lockstep driver. The ingest stage replays the (retimed) file with flow control on, so it
 * emits only against byte credit, and this driver is the only one granting it. Per step (`stepMs`
 * of recorded time):
 *
 *   1. read the step's frames from the same file, in the same order, and apply them to the
 *      exchange's books (replay-market);
 *   2. grant the ingest source exactly their ring cost, so it emits exactly those frames;
 *   3. wait until ingest has emitted them, every ring is empty twice in a row (signals, risk and
 *      execution have seen them) and the exchange has no order waiting out its latency.
 *
 * So orders decided on the market up to frame i meet the exchange's books at most one step later.
 */

import type { ReplayExchangeHandle } from '@tickline/exchange';
import { openReplayInput, type RecordedFrame } from '@tickline/ingest';
import type { Pipeline } from '@tickline/runtime';
import type { Progress } from './progress.js';

/** Same as the replay source's per-frame ring cost (payload + context + record overhead). */
const RECORD_OVERHEAD = 128;
/** Most frames in one step, whatever the recorded time span. */
const MAX_STEP_FRAMES = 2000;
/** A step that does not settle in this long is abandoned (the pipeline is stuck or failed). */
const STEP_TIMEOUT_MS = 30_000;

export interface DriverInput {
  file: string;
  pipeline: Pipeline;
  exchange: ReplayExchangeHandle;
  /** Applies one frame to the exchange's books (market-feed.ts). */
  apply: (f: RecordedFrame) => void;
  stepMs: number;
  sampleMs: number;
  /** Subtracted from the file's receive times to report recorded time. */
  shiftMs: number;
  progress: Progress;
  /** Called at each sampling point with the recorded time; returns the equity then. */
  /** Equity now, an exact decimal string. */
  sampleEquity: () => Promise<string>;
  stopped: () => boolean;
}

export interface DriverResult {
  frames: number;
  steps: number;
  /** [recorded time ms, equity] at every sampling point (fixed grid of sampleMs). */
  curve: [number, string][];
  /** How many leading points of `curve` are on the fixed sampling grid (the last may be the end of the file). */
  gridPoints: number;
  complete: boolean;
  error: string | null;
}

interface StatusLike {
  done: boolean;
  frames: number;
  error: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runLockstep(d: DriverInput): Promise<DriverResult> {
  const p = d.pipeline;
  const input = await openReplayInput(d.file, { format: 'tickline' });
  const curve: [number, string][] = [];
  let frames = 0;
  let steps = 0;
  let stepStartMs = Number.NaN;
  let nextSample = Number.NaN;
  let stepCost = 0;
  let stepFrames = 0;
  let lastRecMs = Number.NaN;
  let error: string | null = null;
  let gridPoints = 0;

  const ringsEmpty = () => p.ringStats().every((r) => r.usedBytes === 0);
  // Records normalize has taken from ingest (cumulative, read from shared memory); null when
  // ingest is fused with normalize and there is no such ring: then ask the source how far it got.
  const ingestOut = (): number | null => {
    let n: number | null = null;
    for (const r of p.ringStats()) if (r.name.startsWith('ingest->')) n = (n ?? 0) + r.recordsOut;
    return n;
  };
  const emitted = async (): Promise<number> => {
    const [st] = (await p.command('ingest', 'replay-status', {})) as StatusLike[];
    if (st === undefined) throw new Error('the ingest stage did not answer replay-status');
    if (st.error !== null) throw new Error(`replay source failed: ${st.error}`);
    return st.frames;
  };
  const settle = async (target: number): Promise<void> => {
    const deadline = performance.now() + STEP_TIMEOUT_MS;
    let quiet = 0;
    let polls = 0;
    while (quiet < 2) {
      await sleep(quiet === 0 ? 1 : 0);
      if (performance.now() > deadline) throw new Error(`the pipeline did not take frame ${target} within ${STEP_TIMEOUT_MS / 1000} s`);
      if (!ringsEmpty() || d.exchange.pendingOrders() > 0) {
        quiet = 0;
        continue;
      }
      if (quiet === 0) {
        const out = ingestOut();
        // every 256th wait also asks the source, so a failed source is noticed
        if (out === null || ++polls % 256 === 0) {
          if ((await emitted()) < target) continue;
        }
        if (out !== null && out < target) continue;
      }
      quiet++;
    }
  };
  const endStep = async (recMs: number): Promise<void> => {
    if (stepCost === 0) return;
    await p.command('ingest', 'replay-credit', { bytes: stepCost, empty: false });
    stepCost = 0;
    stepFrames = 0;
    steps++;
    await settle(frames);
    d.progress.update(frames);
    while (recMs >= nextSample) {
      curve.push([nextSample - d.shiftMs, await d.sampleEquity()]);
      nextSample += d.sampleMs;
    }
  };

  try {
    outer: for await (const batch of input.batches()) {
      for (const f of batch) {
        if (d.stopped()) break outer;
        const recMs = f.recvS * 1000 + f.recvNs / 1e6;
        if (Number.isNaN(stepStartMs)) {
          stepStartMs = recMs;
          nextSample = recMs;
        }
        if (recMs - stepStartMs >= d.stepMs || stepFrames >= MAX_STEP_FRAMES) {
          await endStep(lastRecMs);
          stepStartMs = recMs;
        }
        // the exchange's market moves first: an order reacting to this frame meets its book
        d.apply(f);
        stepCost += f.bytes.length + (f.context?.length ?? 0) + RECORD_OVERHEAD;
        stepFrames++;
        frames++;
        lastRecMs = recMs;
      }
    }
    await endStep(lastRecMs);
    // a last sample at the end of the file, after the last fills came back
    await sleep(50);
    await settle(frames);
    gridPoints = curve.length;
    if (!Number.isNaN(lastRecMs)) curve.push([lastRecMs - d.shiftMs, await d.sampleEquity()]);
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  } finally {
    await input.close();
  }
  d.progress.done(frames);
  if (error !== null) gridPoints = curve.length;
  return { frames, steps, curve, gridPoints, complete: error === null && !d.stopped(), error };
}
