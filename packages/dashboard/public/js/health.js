// Pipeline health: feed and book cards, per-stage throughput and drops, ring occupancy per edge,
// where the time goes (service time per stage, queueing delay per edge, the bottleneck marked),
// worker load, latency percentiles, and the trading-state controls.
import { $, api, el, fillTable, fmtCompact, fmtNum, toast } from './util.js';

function meter(ratio) {
  const pct = Math.max(0, Math.min(1, ratio)) * 100;
  return el(
    'div',
    { class: `meter${ratio > 0.8 ? ' hot' : ''}`, title: `${pct.toFixed(1)}%` },
    el('i', { style: `width:${pct.toFixed(1)}%` }),
  );
}

function drops(d) {
  const parts = Object.entries(d ?? {}).filter(([, v]) => v > 0);
  return parts.length ? parts.map(([k, v]) => `${k} ${fmtCompact(v)}`).join(', ') : '0';
}

// milliseconds: three significant digits below 1 ms (so a 0.4 µs stage is not "0.000"), one decimal above
const ms = (v) => (v === null || v === undefined ? '–' : v === 0 ? '0' : v < 1 ? String(Number(v.toPrecision(3))) : fmtNum(v, 1));
const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(1)}%`);

function named(name, bottleneck) {
  return bottleneck ? el('span', {}, name, el('span', { class: 'tag', text: 'bottleneck' })) : name;
}

function busyCell(ratio) {
  return ratio === null ? '–' : el('div', { class: 'busy' }, meter(ratio), el('span', { text: pct(ratio) }));
}

/** Service time per stage and queueing delay per edge: the last window and since start. */
function renderTiming(t) {
  const w = t.windowS > 0 ? `${t.windowS.toFixed(1)} s` : 'window';
  $('timing-window').textContent =
    t.windowS > 0 ? `(last ${w}; bottleneck: busiest stage, highest p99 queueing delay)` : '(window fills after the next poll)';
  const attrs = (rows, key) => (i) => ({
    [`data-${key}`]: rows[i][key],
    ...(rows[i].bottleneck ? { class: 'bottleneck' } : {}),
  });
  fillTable(
    $('service-time'),
    ['Stage', 'Records/s', 'Busy', `p50 ms (${w})`, 'p99 ms', 'p99.9 ms', 'p99 ms since start', 'max ms'],
    t.stages.map((s) => [
      named(s.stage, s.bottleneck),
      fmtCompact(s.perSec),
      busyCell(s.busy),
      ms(s.window?.p50Ms),
      ms(s.window?.p99Ms),
      ms(s.window?.p999Ms),
      ms(s.total?.p99Ms),
      ms(s.total?.maxMs),
    ]),
    attrs(t.stages, 'stage'),
  );
  fillTable(
    $('queue-delay'),
    ['Edge', 'Records/s', 'Occupancy', `p50 ms (${w})`, 'p99 ms', 'p99.9 ms', 'p50 / p99 / p99.9 ms since start'],
    t.edges.map((e) => [
      named(e.edge, e.bottleneck),
      fmtCompact(e.perSec),
      e.occupancy === null ? '–' : meter(e.occupancy),
      ms(e.window?.p50Ms),
      ms(e.window?.p99Ms),
      ms(e.window?.p999Ms),
      e.total ? `${ms(e.total.p50Ms)} / ${ms(e.total.p99Ms)} / ${ms(e.total.p999Ms)}` : '–',
    ]),
    attrs(t.edges, 'edge'),
  );
}

export function createHealth(app) {
  const card = (k, v, cls = '') =>
    el('div', { class: 'card' }, el('div', { class: 'k', text: k }), el('div', { class: `v ${cls}`, text: v }));

  function render(h) {
    if (!h || $('view-health').classList.contains('hidden')) return;
    const f = h.feed;
    const b = h.book;
    const slow = h.timing?.stages.find((s) => s.bottleneck);
    $('health-cards').replaceChildren(
      card('Trading', app.tradingState.toUpperCase(), app.tradingState === 'halted' ? 'down' : app.tradingState === 'active' ? 'up' : ''),
      card(
        `Feed ${f.venue}`,
        `${f.connectionsUp}/${f.connections} up`,
        f.connectionsUp === f.connections && f.connections > 0 ? 'up' : 'down',
      ),
      card('Frames/s', fmtCompact(f.framesPerSec)),
      card('Reconnects', String(f.reconnects)),
      card('Books live', `${b.live}`, 'up'),
      card('Syncing / reseeding', `${b.syncing} / ${b.reseeding}`, b.syncing + b.reseeding > 0 ? 'down' : ''),
      card('Gaps', fmtCompact(b.gaps)),
      card('Checksum fails', fmtCompact(b.checksumFailures)),
      card('Resyncs', fmtCompact(b.resyncs)),
      card('Worker restarts', String(h.restarts), h.restarts > 0 ? 'down' : ''),
      card('Bottleneck stage', slow ? `${slow.stage} ${pct(slow.busy)}` : '–', slow && slow.busy > 0.8 ? 'down' : ''),
    );
    fillTable(
      $('stages'),
      ['Stage', 'Workers', 'Records/s', 'Processed', 'Emitted', 'Dropped'],
      h.stages.map((s) => [
        s.stage,
        String(s.workers),
        fmtCompact(s.perSec),
        fmtCompact(s.processed),
        fmtCompact(s.emitted),
        drops(s.dropped),
      ]),
    );
    fillTable(
      $('edges'),
      ['Edge', 'Rings', 'Occupancy', 'Used', 'Records/s', 'Dropped'],
      h.edges.map((e) => [
        e.edge,
        String(e.rings),
        meter(e.occupancy),
        `${fmtCompact(e.usedBytes)} B`,
        fmtCompact(e.perSec),
        drops(e.dropped),
      ]),
    );
    if (h.timing) renderTiming(h.timing);
    void renderCluster();
    fillTable(
      $('groups'),
      ['Group', 'Partitions', 'Busiest worker'],
      h.groups.map((g) => [g.group, String(g.partitions), meter(g.busyMax)]),
    );
    fillTable(
      $('latency'),
      ['Metric', 'Stage', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'count'],
      h.latency.length
        ? h.latency.map((l) => [
            l.metric,
            l.stage,
            fmtNum(l.p50, 3),
            fmtNum(l.p99, 3),
            fmtNum(l.p999, 3),
            fmtNum(l.max, 3),
            fmtCompact(l.count),
          ])
        : [['no stage reports latency histograms yet', '', '', '', '', '', '']],
    );
  }

  // A cluster node: every node with its stages, shards, health and lag (GET /api/cluster; a 404
  // means this process is not a cluster node and the box stays hidden).
  let clusterAt = 0;
  let notCluster = false;
  async function renderCluster() {
    if (notCluster || Date.now() - clusterAt < 1000) return;
    clusterAt = Date.now();
    let c;
    try {
      c = await api('/api/cluster');
    } catch {
      notCluster = true;
      return;
    }
    $('cluster-box').classList.remove('hidden');
    $('cluster-name').textContent = `${c.cluster}: this is node ${c.node}; risk owner ${c.riskOwner}; ${c.shards} shard(s)`;
    fillTable(
      $('cluster-nodes'),
      ['Node', 'Stages', 'Shards', 'Health', 'Silent', 'Lag p99 ms', 'Records', 'Cross-node edge', 'Trading'],
      c.nodes.map((n) => {
        const s = n.stats;
        const last = s ? Object.values(s.records).at(-1) : null;
        const e = s?.edges?.[0];
        return [
          `${n.name}${n.self ? ' (this)' : ''}`,
          n.stages.join(' → '),
          n.shards.join(', '),
          el('span', { class: `pill ${n.health === 'ok' ? 'ok' : n.health === 'down' ? 'bad' : 'warn'}`, text: n.health }),
          n.silentMs === null ? '–' : `${fmtNum(n.silentMs / 1000, 1)} s`,
          s ? ms(s.lagMs) : '–',
          last ? fmtCompact(last.processed) : '–',
          e
            ? `${e.side} ${e.edge}: ${fmtCompact(e.moved)} moved, ${fmtCompact(e.natsLost + Object.values(e.lost).reduce((a, b) => a + b, 0))} lost`
            : '–',
          s?.tradingState ?? '',
        ];
      }),
    );
  }

  for (const btn of document.querySelectorAll('#view-health [data-state]'))
    btn.addEventListener('click', async () => {
      try {
        const r = await api('/api/trading-state', { state: btn.dataset.state });
        $('control-result').textContent = `state now ${r.state.toUpperCase()}`;
      } catch (e) {
        toast(`trading state: ${e.message}`, true);
      }
    });

  return {
    onHealth: render,
    onState() {
      render(app.health);
    },
    show() {
      render(app.health);
    },
  };
}
