/**
 * `startDashboard`: the operator surface in the supervisor's main thread. One node:http server
 * with the route plugins (page, metrics, read API, control API) and the live WebSocket; two
 * timers read the shared market view (live rate) and the pipeline's stats (stats rate). Nothing
 * here is on the data path: a slow page or scrape never slows a worker.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateToken, isLoopback } from './auth.js';
import { BarStore } from './bars.js';
import { commandRunner, type DashboardContext, instrumentIndex } from './context.js';
import { EventLog, stageOf } from './event-log.js';
import { HealthMonitor } from './health.js';
import { LiveHub } from './live.js';
import { DashboardMetrics } from './metrics.js';
import { type DashboardHandle, type DashboardOptions, resolveOptions } from './options.js';
import { MarketOverview } from './overview.js';
import { Router } from './router.js';
import { readRoutes } from './routes/api-read.js';
import { controlRoutes } from './routes/api-control.js';
import { metricsRoutes } from './routes/metrics.js';
import { staticRoutes } from './routes/static.js';
import { readRings, readStats } from './stats-model.js';
import { TradingMonitor } from './trading.js';

const MAX_EVENTS_PER_PUSH = 200;

export async function startDashboard(options: DashboardOptions): Promise<DashboardHandle> {
  const opts = resolveOptions(options, generateToken);
  const log = opts.log.child({ component: 'dashboard' });
  const metrics = new DashboardMetrics(opts.venue, opts.cluster?.node);
  const ctx: DashboardContext = {
    opts: { ...opts, log },
    metrics,
    overview: new MarketOverview(opts.marketView, opts.registry),
    bars: new BarStore(opts.barSeconds, opts.barsKept),
    events: new EventLog(opts.eventsKept, opts.registry),
    health: new HealthMonitor(opts.venue),
    trading: new TradingMonitor(opts.pipeline, opts.registry),
    instrument: instrumentIndex(opts.registry.list()),
    runCommand: commandRunner({ ...opts, log }, metrics),
  };

  const router = new Router({
    host: opts.host,
    token: opts.token,
    maxBodyBytes: 256 * 1024,
    onReject: (reason) => metrics.rejected(reason),
    onError: (err, route) => log.error({ route, err: err instanceof Error ? err.message : String(err) }, 'request failed'),
  });
  router.register(staticRoutes()).register(metricsRoutes(ctx)).register(readRoutes(ctx)).register(controlRoutes(ctx));

  const server = createServer({ requestTimeout: 10_000, headersTimeout: 10_000 }, (req, res) => void router.handle(req, res));
  server.keepAliveTimeout = 5000;
  const hub = new LiveHub(ctx, server);
  await listen(server, opts.port, opts.host);
  const { port } = server.address() as AddressInfo;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${hostPart}:${port}/`;

  // Worker events: into the log and counters at once, to pages in batches.
  let pushedSeq = ctx.events.lastSeq;
  const unsubscribe = opts.events.on((e) => {
    const stage = stageOf(e);
    metrics.event(stage, e.event);
    const d = e.data as { state?: unknown; partition?: unknown } | null;
    if (e.event === 'trading-state' && typeof d?.state === 'string')
      ctx.trading.noteState(typeof d.partition === 'number' ? d.partition : e.partition, d.state);
    ctx.events.fromWorker(e);
  });
  const pushEvents = () => {
    const entries = ctx.events.since(pushedSeq);
    if (entries.length === 0) return;
    pushedSeq = ctx.events.lastSeq;
    const dropped = entries.length > MAX_EVENTS_PER_PUSH ? entries.length - MAX_EVENTS_PER_PUSH : 0;
    hub.broadcast({ t: 'events', entries: entries.slice(-MAX_EVENTS_PER_PUSH), dropped });
  };

  // Live rate: market view -> overview rows, bars, watched instruments.
  const liveTimer = setInterval(
    () => {
      const now = Date.now();
      const changed = ctx.overview.sample(now, (row) => {
        const price = row.trades > 0 && row.last > 0 ? row.last : row.mid;
        ctx.bars.sample(row.instrument, price, row.volume, now);
      });
      hub.pushMarket(changed);
      pushEvents();
    },
    Math.round(1000 / opts.liveHz),
  );
  liveTimer.unref();

  // Stats rate: stats + rings -> metrics, health, trading report.
  let polling = false;
  const poll = async () => {
    if (polling) return;
    polling = true;
    try {
      const stats = readStats(await opts.pipeline.stats());
      const rings = readRings(opts.pipeline.ringStats());
      metrics.update(stats, rings);
      if (opts.cluster) metrics.cluster(opts.cluster.snapshot());
      for (const w of stats.workers)
        for (const s of w.stages)
          if (s.stage === 'risk' && typeof s.core.state === 'number')
            ctx.trading.noteState(s.partition, ['active', 'reducing', 'halted'][s.core.state] ?? 'unknown');
      const { view, changes } = ctx.health.update(stats, rings, metrics.latencies(), metrics.timings(), Date.now());
      for (const c of changes)
        ctx.events.add({ kind: c.kind, stage: 'supervisor', partition: -1, event: c.kind, text: c.text, data: null });
      const trading = await ctx.trading.poll((id) => ctx.opts.marketView.read(id)?.mid ?? null);
      hub.broadcast({ t: 'health', health: view, state: ctx.trading.state() });
      hub.broadcast({ t: 'trading', view: trading });
    } catch (err) {
      metrics.pollFailed();
      log.warn({ err: err instanceof Error ? err.message : String(err) }, 'stats poll failed');
    } finally {
      polling = false;
    }
  };
  const statsTimer = setInterval(() => void poll(), opts.statsMs);
  statsTimer.unref();
  void poll();

  if (!isLoopback(opts.host))
    log.warn({ host: opts.host }, 'dashboard bound to a non-loopback interface: the control API is reachable from the network');
  log.info({ url }, 'dashboard listening');
  // The token is printed once to the terminal, never logged.
  if (opts.announce) process.stderr.write(`tickline dashboard: ${url}#token=${opts.token}\n`);

  let closed: Promise<void> | null = null;
  return {
    url,
    token: opts.token,
    close: () => {
      closed ??= (async () => {
        clearInterval(liveTimer);
        clearInterval(statsTimer);
        unsubscribe();
        await hub.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        log.info('dashboard closed');
      })();
      return closed;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
