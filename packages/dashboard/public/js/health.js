// Pipeline health: feed and book cards, per-stage throughput and drops, ring occupancy per edge,
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

export function createHealth(app) {
  const card = (k, v, cls = '') =>
    el('div', { class: 'card' }, el('div', { class: 'k', text: k }), el('div', { class: `v ${cls}`, text: v }));

  function render(h) {
    if (!h || $('view-health').classList.contains('hidden')) return;
    const f = h.feed;
    const b = h.book;
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
