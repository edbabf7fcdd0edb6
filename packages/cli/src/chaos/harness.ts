/**
 * What every chaos fault shares: the real pipeline in this process against the embedded exchange
 * in its own process (the bench harness, `LiveRun`), the exchange's fault and market controls over
 * its REST API, the trading-state changes risk reports, and the result each fault hands back.
 */

import type { WorkerEvent } from '@tickline/runtime';
import { LiveRun, type LiveOptions, stageOf } from '../bench/live/live-pipeline.js';

/** One fault's outcome: `pass`, the figures it measured, and why it failed (empty when it passed). */
export interface ChaosResult {
  name: string;
  pass: boolean;
  failures: string[];
  [figure: string]: unknown;
}

/** What every fault is given. */
export interface ChaosContext {
  /** Trading window of the time-based faults, seconds; counts scale with it (60 s = full counts). */
  readonly seconds: number;
  /** Fuse groups (empty: the default placement). */
  readonly fuse: readonly string[];
  /** Progress lines (stderr), never results. */
  readonly log: (line: string) => void;
}

/** A count that is `full` at 60 s and scales with --seconds (never below `min`). */
export function scaled(ctx: ChaosContext, full: number, min: number): number {
  return Math.max(min, Math.ceil((full * Math.min(ctx.seconds, 60)) / 60));
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something other than undefined; throws `what` after timeoutMs. */
export async function until<T>(
  fn: () => T | undefined | Promise<T | undefined>,
  timeoutMs: number,
  what: string,
  everyMs = 50,
): Promise<T> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Builds a result: every check that failed is named in `failures`. */
export class Verdict {
  readonly failures: string[] = [];
  readonly figures: Record<string, unknown> = {};

  check(ok: boolean, what: string): boolean {
    if (!ok) this.failures.push(what);
    return ok;
  }

  set(figures: Record<string, unknown>): void {
    Object.assign(this.figures, figures);
  }

  result(name: string): ChaosResult {
    return { name, pass: this.failures.length === 0, failures: this.failures, ...this.figures };
  }
}

/** A JSON request that gives up after 10 s (a saturated venue must not hang a fault). */
export async function getJson<T = Record<string, unknown>>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000), ...init });
  const body = (await res.json()) as T;
  if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${url} answered HTTP ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
  return body;
}

/** A trading-state change reported by risk: when it arrived here, and when risk made it (wall clock). */
export interface StateChange {
  t: number;
  ts: number;
  state: string;
  reason: string | null;
}

/** The pipeline against an exchange process, with the exchange's controls and risk's state changes. */
export class ChaosEnv {
  readonly run: LiveRun;
  readonly states: StateChange[];
  /** The first 10,000 error and log events of the workers. */
  readonly events: WorkerEvent[];
  /** When execution halted, each time (its own clock, epoch ms). */
  readonly executionHalts: number[];
  readonly log: (line: string) => void;

  private constructor(run: LiveRun, states: StateChange[], events: WorkerEvent[], executionHalts: number[], log: (line: string) => void) {
    this.log = log;
    this.executionHalts = executionHalts;
    this.run = run;
    this.states = states;
    this.events = events;
  }

  /** Starts exchange and pipeline and waits until every book is live (throws if they do not get there). */
  static async start(ctx: ChaosContext, o: Partial<LiveOptions> = {}): Promise<ChaosEnv> {
    const states: StateChange[] = [];
    const events: WorkerEvent[] = [];
    const executionHalts: number[] = [];
    const run = await LiveRun.start({
      fuse: ctx.fuse,
      rate: 4000,
      instruments: 20,
      ordersPerSec: 40,
      warmupTimeoutMs: 60_000,
      ...o,
      onEvent: (e) => {
        if (e.event === 'trading-state') {
          const d = e.data as { state?: string; reason?: string; ts?: number };
          states.push({ t: performance.now(), ts: d.ts ?? Date.now(), state: String(d.state), reason: d.reason ?? null });
        } else if (e.event === 'error' || e.event === 'log') {
          const d = e.data as { msg?: string; atMs?: number };
          if (d.msg === 'halted: cancelling all orders' && typeof d.atMs === 'number') executionHalts.push(d.atMs);
          if (events.length < 10_000) events.push(e);
        }
        o.onEvent?.(e);
      },
    });
    const env = new ChaosEnv(run, states, events, executionHalts, ctx.log);
    try {
      await env.allLive(30_000);
    } catch (err) {
      await run.stop();
      throw err;
    }
    ctx.log(`pipeline live after ${Math.round(run.warmupMs)} ms`);
    return env;
  }

  get httpUrl(): string {
    return this.run.exchange.httpUrl;
  }

  /** POST /v1/control/faults. */
  faults(patch: Record<string, unknown>): Promise<Record<string, unknown>> {
    return getJson(`${this.httpUrl}/v1/control/faults`, { method: 'POST', body: JSON.stringify(patch) });
  }

  /** Faults the exchange injected of one kind (its log keeps the latest ones). */
  async injected(kind: string): Promise<{ kind: string; instrument?: string; seq?: number; connectionId?: number }[]> {
    const r = await getJson<{ injected: { kind: string }[] }>(`${this.httpUrl}/v1/control/faults`);
    return r.injected.filter((f) => f.kind === kind);
  }

  market(paused: boolean): Promise<Record<string, unknown>> {
    return getJson(`${this.httpUrl}/v1/control/market`, { method: 'POST', body: JSON.stringify({ paused }) });
  }

  /** The exchange's counters, read now (not the pushed sample). */
  exchangeStats(): Promise<Record<string, number>> {
    return getJson(`${this.httpUrl}/v1/stats`);
  }

  /** Open orders of the trader's account at the venue. */
  async venueOpenOrders(account = 'default'): Promise<{ clientOrderId: string; instrument: string }[]> {
    return (await getJson<{ orders: { clientOrderId: string; instrument: string }[] }>(`${this.httpUrl}/v1/orders?account=${account}`))
      .orders;
  }

  /** A stage's core counters summed over partitions (a worker that does not answer is left out). */
  async core(stage: Parameters<typeof stageOf>[1]): Promise<Record<string, number>> {
    return stageOf(await this.run.pipeline.stats(), stage)?.core ?? {};
  }

  async liveBooks(): Promise<number> {
    return (await this.core('book')).live ?? 0;
  }

  /** Waits until every book is live; returns the time it took (ms). */
  async allLive(timeoutMs = 30_000): Promise<number> {
    const t0 = performance.now();
    await until(async () => ((await this.liveBooks()) >= this.run.instruments ? true : undefined), timeoutMs, 'every book live', 20);
    return performance.now() - t0;
  }

  async stop(): Promise<void> {
    await this.faults({ reset: true }).catch(() => {});
    const t0 = performance.now();
    await this.run.stop();
    this.log(`stopped in ${Math.round(performance.now() - t0)} ms`);
  }
}

/** Runs `body` on a fresh environment and always stops it; an exception fails the fault with its message. */
export async function withEnv(
  name: string,
  ctx: ChaosContext,
  options: Partial<LiveOptions>,
  body: (env: ChaosEnv, v: Verdict) => Promise<void>,
): Promise<ChaosResult> {
  const v = new Verdict();
  let env: ChaosEnv | null = null;
  try {
    env = await ChaosEnv.start(ctx, options);
    await body(env, v);
  } catch (err) {
    v.check(false, `${name} could not complete: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await env?.stop().catch(() => {});
  }
  return v.result(name);
}
