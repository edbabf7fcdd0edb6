/**
 * Prometheus metrics (prom-client), fed from the pipeline's stats on the dashboard's timer:
 * workers hand counts over the control plane, this turns them into `tickline_*` series.
 * Conventions: base units (seconds, bytes), counters end in `_total`, labels are bounded
 * (stage, venue, edge, reason, status, state) and never name an instrument.
 */

import { Counter, collectDefaultMetrics, Gauge, type Metric, Registry } from 'prom-client';
import { CounterTracker } from './counter-tracker.js';
import { HistogramTracker } from './histogram-tracker.js';
import { LatencyHistogram, parseLatencyKey } from './latency.js';
import { MergedHistogram } from './prom-histogram.js';
import type { ClusterSource } from './options.js';
import type { RingStat, Stats, StageStat } from './stats-model.js';

export interface Timings {
  readonly queueDelay: ReadonlyMap<string, LatencyHistogram>;
  readonly serviceTime: ReadonlyMap<string, LatencyHistogram>;
}

const TRADING_STATES = ['active', 'reducing', 'halted'] as const;

function snake(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

export class DashboardMetrics {
  readonly registry = new Registry();
  readonly #venue: string;
  readonly #t = new CounterTracker();
  readonly #histograms = new Map<string, MergedHistogram>();
  readonly #queueDelay = new HistogramTracker();
  readonly #serviceTime = new HistogramTracker();

  readonly #records: Counter<'stage' | 'outcome'>;
  readonly #stageDrops: Counter<'stage' | 'reason'>;
  readonly #busy: Gauge<'stage'>;
  readonly #restarts: Counter;
  readonly #ringUsed: Gauge<'edge'>;
  readonly #ringCapacity: Gauge<'edge'>;
  readonly #ringOccupancy: Gauge<'edge'>;
  readonly #ringRecords: Counter<'edge'>;
  readonly #ringDrops: Counter<'edge' | 'reason'>;
  readonly #edgeTransport: Gauge<'edge' | 'transport'>;
  readonly #feed: Record<string, Counter<'venue'>>;
  readonly #connectionsUp: Gauge<'venue'>;
  readonly #normalizeRejected: Counter<'venue' | 'reason'>;
  readonly #book: Record<string, Counter<'venue'>>;
  readonly #bookInstruments: Gauge<'state'>;
  readonly #intents: Counter;
  readonly #signalsRefused: Counter<'reason'>;
  readonly #strategyErrors: Counter;
  readonly #riskRejects: Counter<'reason'>;
  readonly #riskApproved: Counter;
  readonly #halts: Counter;
  readonly #tradingState: Gauge<'state'>;
  readonly #orders: Counter<'status'>;
  readonly #fills: Counter;
  readonly #events: Counter<'stage' | 'event'>;
  readonly #rejected: Counter<'reason'>;
  readonly #commands: Counter<'stage' | 'outcome'>;
  readonly #wsClients: Gauge;
  readonly #pollFailures: Counter;
  readonly #peerUp: Gauge<'peer'>;
  readonly #peerLag: Gauge<'peer'>;

  /** `node`: a cluster node's name, a label on every series (docs/cluster.md). */
  constructor(venue: string, node?: string) {
    this.#venue = venue;
    if (node !== undefined) this.registry.setDefaultLabels({ node });
    const r = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'tickline_' });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help, labelNames, registers: r });
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers: r });

    this.#records = counter('tickline_stage_records_total', 'Records handled by a stage, by outcome (processed, emitted).', [
      'stage',
      'outcome',
    ]);
    this.#stageDrops = counter('tickline_stage_dropped_records_total', "Records lost on a stage's inputs and outputs, by reason.", [
      'stage',
      'reason',
    ]);
    this.#busy = gauge(
      'tickline_worker_busy_ratio',
      'Highest fraction of wall time a worker of the placement group spent handling records.',
      ['stage'],
    );
    this.#restarts = counter('tickline_worker_restarts_total', 'Worker partitions restarted by the supervisor.');
    this.#ringUsed = gauge('tickline_ring_used_bytes', 'Bytes waiting in the rings of an edge.', ['edge']);
    this.#ringCapacity = gauge('tickline_ring_capacity_bytes', 'Capacity of the rings of an edge.', ['edge']);
    this.#ringOccupancy = gauge('tickline_ring_occupancy_ratio', 'Fullest ring of an edge: used / capacity.', ['edge']);
    this.#ringRecords = counter('tickline_ring_records_total', 'Records consumed from the rings of an edge.', ['edge']);
    this.#edgeTransport = gauge('tickline_edge_transport', 'What carries an edge: 1 for its transport (ring or nats).', [
      'edge',
      'transport',
    ]);
    this.#ringDrops = counter('tickline_ring_dropped_records_total', 'Records dropped by the rings of an edge, by reason.', [
      'edge',
      'reason',
    ]);
    this.#feed = {
      connects: counter('tickline_feed_connects_total', 'Venue connections established.', ['venue']),
      reconnects: counter('tickline_feed_reconnects_total', 'Venue reconnections.', ['venue']),
      disconnects: counter('tickline_feed_disconnects_total', 'Venue disconnections.', ['venue']),
      heartbeatTimeouts: counter('tickline_feed_heartbeat_timeouts_total', 'Connections dropped for a missed heartbeat.', ['venue']),
      heartbeatSilenceMs: counter(
        'tickline_feed_heartbeat_silence_ms_total',
        'Silence each heartbeat timeout had seen when declared (ms), summed: over the timeouts, the mean time to the verdict.',
        ['venue'],
      ),
      frames: counter('tickline_feed_frames_total', 'Frames received from the venue.', ['venue']),
      bytes: counter('tickline_feed_received_bytes_total', 'Bytes received from the venue.', ['venue']),
      venueRateLimited: counter('tickline_feed_rate_limited_total', 'Requests the venue refused for rate limits.', ['venue']),
    };
    this.#connectionsUp = gauge('tickline_feed_connections_up', 'Venue connections currently up.', ['venue']);
    this.#normalizeRejected = counter('tickline_normalize_rejected_total', 'Venue messages rejected by normalize, by reason.', [
      'venue',
      'reason',
    ]);
    this.#book = {
      gaps: counter('tickline_book_gaps_total', 'Sequence gaps detected by the book stage.', ['venue']),
      checksumFailures: counter('tickline_book_checksum_failures_total', 'Book checksum mismatches.', ['venue']),
      resyncs: counter('tickline_book_resyncs_total', 'Books re-seeded from a snapshot.', ['venue']),
      crossed: counter('tickline_book_crossed_total', 'Crossed books detected.', ['venue']),
      ringDrops: counter('tickline_book_ring_drops_total', 'Ring drops seen by the book stage (each forces a resync).', ['venue']),
    };
    this.#bookInstruments = gauge('tickline_book_instruments', 'Instruments by book state (syncing, live, reseeding).', ['state']);
    this.#intents = counter('tickline_signals_intents_total', 'Order intents emitted by strategies.');
    this.#signalsRefused = counter('tickline_signals_refused_total', 'Strategy requests refused by the signals stage, by reason.', [
      'reason',
    ]);
    this.#strategyErrors = counter('tickline_signals_strategy_errors_total', 'Exceptions thrown by strategies.');
    this.#riskRejects = counter('tickline_risk_rejects_total', 'Intents rejected by risk, by reason.', ['reason']);
    this.#riskApproved = counter('tickline_risk_approved_total', 'Intents approved by risk.');
    this.#halts = counter('tickline_risk_halts_total', 'Transitions of trading state to HALTED.');
    this.#tradingState = gauge(
      'tickline_trading_state',
      'Trading state: 1 for the current state (most restrictive over risk partitions).',
      ['state'],
    );
    this.#orders = counter('tickline_orders_total', 'Orders by status reached (as execution reports them).', ['status']);
    this.#fills = counter('tickline_fills_total', 'Fills received from the venue.');
    this.#events = counter('tickline_worker_events_total', 'Control-plane events from workers, by event.', ['stage', 'event']);
    this.#rejected = counter('tickline_dashboard_rejected_requests_total', 'HTTP requests refused or failed, by reason.', ['reason']);
    this.#commands = counter('tickline_dashboard_commands_total', 'Control commands sent to stages, by outcome.', ['stage', 'outcome']);
    this.#wsClients = gauge('tickline_dashboard_ws_clients', 'Live WebSocket clients.');
    this.#pollFailures = counter('tickline_dashboard_stats_poll_failures_total', 'Pipeline stats polls that failed.');
    this.#peerUp = gauge('tickline_cluster_peer_up', 'Cluster nodes as this node sees them: 1 up, 0 down (silent).', ['peer']);
    this.#peerLag = gauge(
      'tickline_cluster_peer_lag_seconds',
      "Each cluster node's worst p99 queueing delay over its last stats interval.",
      ['peer'],
    );
    for (const s of TRADING_STATES) this.#tradingState.set({ state: s }, 0);
    this.registry.registerMetric(
      new MergedHistogram(
        'tickline_queue_delay_seconds',
        'Time a record waited in the rings of an edge before its consumer took it (log-linear buckets merged across partitions).',
        'edge',
        this.#queueDelay.totals,
      ) as unknown as Metric,
    );
    this.registry.registerMetric(
      new MergedHistogram(
        'tickline_service_time_seconds',
        'Time a stage spent on one record, excluding fused successors (log-linear buckets merged across partitions).',
        'stage',
        this.#serviceTime.totals,
      ) as unknown as Metric,
    );
  }

  /** Feeds one stats poll. */
  /** Every node of the cluster, as the cluster view shows it. */
  cluster(view: ReturnType<ClusterSource['snapshot']>): void {
    for (const n of view.nodes) {
      this.#peerUp.set({ peer: n.name }, n.up ? 1 : 0);
      if (n.stats?.lagMs != null) this.#peerLag.set({ peer: n.name }, n.stats.lagMs / 1000);
    }
  }

  update(stats: Stats, rings: RingStat[]): void {
    const t = this.#t;
    this.#restarts.inc(t.delta('restarts', stats.restarts));
    const busy = new Map<string, number>();
    const book = { syncing: 0, live: 0, reseeding: 0 };
    const connectionsUp = new Map<string, number>();
    let tradingState = -1;
    for (const w of stats.workers) {
      busy.set(w.group, Math.max(busy.get(w.group) ?? 0, w.busyRatio));
      const worker = `${w.group}/${w.partition}`;
      for (const [edge, h] of Object.entries(w.queueDelay)) this.#queueDelay.add(worker, w.threadId, edge, h);
      for (const [stage, h] of Object.entries(w.serviceTime)) this.#serviceTime.add(worker, w.threadId, stage, h);
      for (const s of w.stages) {
        const id = `${w.group}/${w.partition}/${s.stage}`;
        this.#records.inc({ stage: s.stage, outcome: 'processed' }, t.delta(`${id}/processed`, s.processed));
        this.#records.inc({ stage: s.stage, outcome: 'emitted' }, t.delta(`${id}/emitted`, s.emitted));
        for (const [reason, v] of Object.entries(s.dropped))
          this.#stageDrops.inc({ stage: s.stage, reason }, t.delta(`${id}/drop/${reason}`, v));
        this.#stageCore(id, s);
        if (s.stage === 'book') {
          book.syncing += s.core.syncing ?? 0;
          book.live += s.core.live ?? 0;
          book.reseeding += s.core.reseeding ?? 0;
        }
        if (s.stage === 'ingest') connectionsUp.set(this.#venue, (connectionsUp.get(this.#venue) ?? 0) + (s.core.connectionsUp ?? 0));
        if (s.stage === 'risk' && typeof s.core.state === 'number') tradingState = Math.max(tradingState, s.core.state);
      }
    }
    for (const [g, v] of busy) this.#busy.set({ stage: g }, v);
    for (const [k, v] of Object.entries(book)) this.#bookInstruments.set({ state: k }, v);
    for (const [venue, v] of connectionsUp) this.#connectionsUp.set({ venue }, v);
    if (tradingState >= 0) for (const [i, s] of TRADING_STATES.entries()) this.#tradingState.set({ state: s }, i === tradingState ? 1 : 0);
    this.#rings(rings);
  }

  #stageCore(id: string, s: StageStat): void {
    const t = this.#t;
    const inc = (c: Counter<string>, labels: Record<string, string>, key: string, v: number) => c.inc(labels, t.delta(`${id}/${key}`, v));
    for (const [key, v] of Object.entries(s.core)) {
      const lat = parseLatencyKey(key);
      if (lat) {
        this.#latency(id, s.stage, key, lat.name, lat.field, lat.bucket, v);
        continue;
      }
      switch (s.stage) {
        case 'ingest': {
          const c = this.#feed[key];
          if (c) inc(c, { venue: this.#venue }, key, v);
          break;
        }
        case 'normalize':
          if (key.startsWith('rejected.')) inc(this.#normalizeRejected, { venue: this.#venue, reason: key.slice(9) }, key, v);
          break;
        case 'book': {
          const m = /^venues\.([^.]+)\.(\w+)$/.exec(key);
          const c = m ? this.#book[m[2] as string] : undefined;
          if (m && c) inc(c, { venue: m[1] as string }, key, v);
          break;
        }
        case 'signals':
          if (key === 'intents') this.#intents.inc(t.delta(`${id}/${key}`, v));
          else if (key === 'strategyErrors') this.#strategyErrors.inc(t.delta(`${id}/${key}`, v));
          else if (key.startsWith('refused')) inc(this.#signalsRefused, { reason: snake(key.slice(7)) }, key, v);
          break;
        case 'risk':
          if (key.startsWith('rejected.')) inc(this.#riskRejects, { reason: key.slice(9) }, key, v);
          else if (key === 'approved') this.#riskApproved.inc(t.delta(`${id}/${key}`, v));
          else if (key === 'halts') this.#halts.inc(t.delta(`${id}/${key}`, v));
          break;
        case 'execution':
          if (key.startsWith('orders.')) inc(this.#orders, { status: key.slice(7) }, key, v);
          else if (key === 'fills') this.#fills.inc(t.delta(`${id}/${key}`, v));
          break;
      }
    }
  }

  #latency(id: string, stage: string, key: string, name: string, field: string, bucket: number, v: number): void {
    const metric = `tickline_${snake(name)}_seconds`;
    let h = this.#histograms.get(metric);
    if (!h) {
      // a stage's own latency never takes over a family the dashboard defines (queue delay, service time)
      if (this.registry.getSingleMetric(metric) !== undefined) return;
      h = new MergedHistogram(metric, `Latency '${name}' measured by the stages (log-linear buckets merged across partitions).`, 'stage');
      this.#histograms.set(metric, h);
      this.registry.registerMetric(h as unknown as Metric);
    }
    let hist = h.byLabel.get(stage);
    if (!hist) h.byLabel.set(stage, (hist = new LatencyHistogram()));
    if (field === 'max') {
      hist.max = Math.max(hist.max, v);
      return;
    }
    const d = this.#t.delta(`${id}/${key}`, v);
    if (field === 'count') hist.count += d;
    else if (field === 'sum') hist.sum += d;
    else if (bucket >= 0 && bucket < hist.counts.length) hist.counts[bucket] = (hist.counts[bucket] as number) + d;
  }

  #rings(rings: RingStat[]): void {
    const by = new Map<string, { used: number; cap: number; occ: number }>();
    for (const r of rings) {
      let e = by.get(r.edge);
      if (!e) {
        by.set(r.edge, (e = { used: 0, cap: 0, occ: 0 }));
        this.#edgeTransport.set({ edge: r.edge, transport: r.transport }, 1);
      }
      e.used += r.usedBytes;
      e.cap += r.capacity;
      if (r.capacity > 0) e.occ = Math.max(e.occ, r.usedBytes / r.capacity);
      this.#ringRecords.inc({ edge: r.edge }, this.#t.delta(`ring/${r.name}/out`, r.recordsOut));
      for (const [reason, v] of Object.entries(r.dropped))
        this.#ringDrops.inc({ edge: r.edge, reason }, this.#t.delta(`ring/${r.name}/drop/${reason}`, v));
    }
    for (const [edge, e] of by) {
      this.#ringUsed.set({ edge }, e.used);
      this.#ringCapacity.set({ edge }, e.cap);
      this.#ringOccupancy.set({ edge }, e.occ);
    }
  }

  /** Merged latency histograms by metric name and stage (for the health panel). */
  latencies(): Map<string, Map<string, LatencyHistogram>> {
    return new Map([...this.#histograms].map(([k, h]) => [k, h.byLabel]));
  }

  /** Monotonic queueing delay by edge and service time by stage, since the first poll (ns; for the health page). */
  timings(): Timings {
    return { queueDelay: this.#queueDelay.totals, serviceTime: this.#serviceTime.totals };
  }

  event(stage: string, event: string): void {
    this.#events.inc({ stage, event });
  }

  rejected(reason: string): void {
    this.#rejected.inc({ reason });
  }

  command(stage: string, outcome: 'ok' | 'error'): void {
    this.#commands.inc({ stage, outcome });
  }

  wsClients(n: number): void {
    this.#wsClients.set(n);
  }

  pollFailed(): void {
    this.#pollFailures.inc();
  }
}
