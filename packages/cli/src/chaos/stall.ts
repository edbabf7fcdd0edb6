/**
 * `stall`: the exchange withholds one instrument's market data while the others flow. Ingest must
 * mark it stale within `staleAfterMs`, resubscribe it, and its book must be live again once data
 * returns. `heartbeat`: the exchange goes silent on the market-data connection (no frames, no
 * heartbeats, pings unanswered). Ingest must declare it dead within its heartbeat timeout, trading
 * must halt for its instruments, and everything must come back once the venue answers again.
 */

import { type ChaosContext, type ChaosResult, sleep, until, withEnv } from './harness.js';

const STALE_AFTER_MS = 1000;
const HEARTBEAT = { heartbeatIntervalMs: 250, heartbeatTimeoutMs: 1000 } as const;
/** Ingest checks staleness and liveness on a timer: a verdict may come this much after the bound. */
const CHECK_SLACK_MS = 500;
/**
 * The verdicts are judged by the silence ingest itself measured. Seen from outside, through its
 * counters polled over the control plane, they also carry the poll's own delay, which on two
 * loaded cores (CI running other suites) has reached a second: that view gets this much more.
 */
const POLL_SLACK_MS = 2000;

export async function stall(ctx: ChaosContext): Promise<ChaosResult> {
  const options = { stageConfigs: { ingest: { config: { staleAfterMs: STALE_AFTER_MS } } } };
  return withEnv('stall', ctx, options, async (env, v) => {
    const spec = env.run.registry[0];
    if (spec === undefined) throw new Error('no instrument');
    const ingest0 = await env.core('ingest');
    const t0 = performance.now();
    await env.faults({ stall: [spec.symbol] });
    const stale = await until(
      async () => {
        const c = await env.core('ingest');
        return (c.staleMarks ?? 0) > (ingest0.staleMarks ?? 0) ? c : undefined;
      },
      STALE_AFTER_MS * 10,
      `${spec.symbol} to be marked stale`,
      20,
    );
    const detectMs = performance.now() - t0;
    // stalled for a while longer: it is resubscribed every staleAfterMs
    await sleep(Math.max(STALE_AFTER_MS * 2, Math.min(ctx.seconds, 10) * 1000));
    const during = await env.core('ingest');
    await env.faults({ stall: [] });
    const liveMs = await env.allLive(30_000);
    const ingest = await env.core('ingest');
    let booksLive = (await env.core('book')).live ?? 0;
    // A resubscribe ingest sent while the instrument was stalled can be answered after its data
    // came back: the book then re-seeds once more, briefly not live. It must be live again.
    const dipped = booksLive < env.run.instruments;
    if (dipped) {
      await env.allLive(30_000);
      booksLive = await env.liveBooks();
    }
    // the silence ingest had measured at its verdicts (mean over the silences it marked)
    const firstMarks = (during.staleFirstMarks ?? 0) - (ingest0.staleFirstMarks ?? 0);
    const silenceMs = firstMarks > 0 ? ((during.staleSilenceMs ?? 0) - (ingest0.staleSilenceMs ?? 0)) / firstMarks : Number.NaN;
    v.set({
      instrument: spec.symbol,
      staleAfterMs: STALE_AFTER_MS,
      silenceAtVerdictMs: Math.round(silenceMs),
      detectMs: Math.round(detectMs),
      staleMarks: (during.staleMarks ?? 0) - (ingest0.staleMarks ?? 0),
      resubscribes: (ingest.resubscribes ?? 0) - (ingest0.resubscribes ?? 0),
      unsubscribeRequests: (ingest.unsubscribeRequests ?? 0) - (ingest0.unsubscribeRequests ?? 0),
      liveAgainMs: Math.round(liveMs),
      booksLive,
      reseededAfterLive: dipped,
      instruments: env.run.instruments,
    });
    v.check(
      silenceMs >= STALE_AFTER_MS && silenceMs <= STALE_AFTER_MS + CHECK_SLACK_MS,
      `ingest marked the instrument stale after ${Math.round(silenceMs)} ms of silence (staleAfterMs ${STALE_AFTER_MS}, + ${CHECK_SLACK_MS} ms for its check period)`,
    );
    // seen from outside, through polled counters: the verdict plus the poll's own delay
    v.check(
      stale !== undefined && detectMs <= STALE_AFTER_MS + CHECK_SLACK_MS + POLL_SLACK_MS,
      `the stale mark showed in ingest's counters ${Math.round(detectMs)} ms after the stall began (staleAfterMs ${STALE_AFTER_MS})`,
    );
    v.check((ingest.resubscribes ?? 0) > (ingest0.resubscribes ?? 0), 'the stalled instrument was not resubscribed');
    v.check(booksLive === env.run.instruments, `${booksLive} of ${env.run.instruments} books live after the stall`);
  });
}

export async function heartbeat(ctx: ChaosContext): Promise<ChaosResult> {
  // no application heartbeats from the venue: silence is silence
  const options = { exchange: { heartbeatMs: 0, pingIntervalMs: 0 }, stageConfigs: { ingest: { config: { ...HEARTBEAT } } } };
  return withEnv('heartbeat', ctx, options, async (env, v) => {
    const ingest0 = await env.core('ingest');
    const symbols = env.run.registry.map((i) => i.symbol);
    const t0 = performance.now();
    const wall0 = Date.now();
    await env.faults({ stall: symbols, ignorePings: true });
    // ingest's verdict, read from its counter as it changes
    const dead = await until(
      async () =>
        ((await env.core('ingest')).heartbeatTimeouts ?? 0) > (ingest0.heartbeatTimeouts ?? 0) ? performance.now() - t0 : undefined,
      HEARTBEAT.heartbeatTimeoutMs * 10,
      'ingest to declare the silent connection dead',
      10,
    );
    const halt = await until(
      () => env.states.find((s) => s.t >= t0 && s.state === 'halted' && (s.reason ?? '').startsWith('feed_down')),
      HEARTBEAT.heartbeatTimeoutMs * 10,
      'trading to halt on the silent connection',
      5,
    );
    const detectMs = halt.ts - wall0;
    const ingest = await env.core('ingest');
    const book = await env.core('book');
    await env.faults({ stall: [], ignorePings: false });
    const resumed = await until(() => env.states.find((s) => s.t > halt.t && s.state === 'active'), 30_000, 'trading to resume', 10);
    await env.allLive(30_000);
    const timeouts = (ingest.heartbeatTimeouts ?? 0) - (ingest0.heartbeatTimeouts ?? 0);
    // the silence ingest had measured when it gave its verdict (mean over the timeouts counted)
    const silenceMs = timeouts > 0 ? ((ingest.heartbeatSilenceMs ?? 0) - (ingest0.heartbeatSilenceMs ?? 0)) / timeouts : Number.NaN;
    v.set({
      heartbeatTimeoutMs: HEARTBEAT.heartbeatTimeoutMs,
      silenceAtVerdictMs: Math.round(silenceMs),
      deadAfterMs: Math.round(dead),
      haltAfterMs: Math.round(detectMs),
      heartbeatTimeouts: timeouts,
      pingsSent: (ingest.pingsSent ?? 0) - (ingest0.pingsSent ?? 0),
      haltReason: halt.reason,
      booksLiveWhileHalted: book.live ?? 0,
      resumeMs: Math.round(resumed.t - halt.t),
    });
    v.check(timeouts > 0, 'no heartbeat timeout was counted');
    v.check(
      silenceMs >= HEARTBEAT.heartbeatTimeoutMs && silenceMs <= HEARTBEAT.heartbeatTimeoutMs + CHECK_SLACK_MS,
      `ingest declared the silent connection dead after ${Math.round(silenceMs)} ms of silence (timeout ${HEARTBEAT.heartbeatTimeoutMs} ms, + ${CHECK_SLACK_MS} ms for its check period)`,
    );
    // seen from outside, through polled counters: the verdict plus the poll's own delay
    v.check(
      dead <= HEARTBEAT.heartbeatTimeoutMs + CHECK_SLACK_MS + POLL_SLACK_MS,
      `the timeout showed in ingest's counters ${Math.round(dead)} ms after the venue went silent (timeout ${HEARTBEAT.heartbeatTimeoutMs} ms, + ${CHECK_SLACK_MS} ms check period, + ${POLL_SLACK_MS} ms for the poll)`,
    );
  });
}
