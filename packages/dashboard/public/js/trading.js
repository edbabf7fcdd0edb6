// Positions and P&L: summary cards, equity curve, open positions, trades with their detail (why each fired).
import { $, el, fillTable, fmtDec, fmtPnl, fmtPrice, fmtTime } from './util.js';

export function createTrading(app) {
  let chart = null;
  let line = null;
  let selected = -1;
  let trades = [];

  function card(k, v, cls = '') {
    return el('div', { class: 'card' }, el('div', { class: 'k', text: k }), el('div', { class: `v ${cls}`, text: v }));
  }

  function scale(t) {
    return app.bySymbol.get(t.instrument)?.priceScale ?? 4;
  }

  function detail(t) {
    const box = $('trade-detail');
    if (!t) return box.replaceChildren('Select a trade.');
    const ps = scale(t);
    box.classList.remove('muted');
    box.replaceChildren(
      el('h3', { text: `${t.instrument} · ${t.direction} ${t.quantity}` }),
      el('div', { text: `strategy: ${t.strategy || '–'}` }),
      el('div', {
        text: `entry ${fmtPrice(t.entryPrice, ps)} at ${fmtTime(t.entryMs)} · exit ${fmtPrice(t.exitPrice, ps)} at ${fmtTime(t.exitMs)}`,
      }),
      el('div', {
        class: (t.pnl ?? 0) >= 0 ? 'up' : 'down',
        text: `P&L ${fmtPnl(t.pnl)}${t.fees !== null ? ` (fees ${fmtDec(t.fees)})` : ''}`,
      }),
      el('h3', { text: 'Why it entered' }),
      el('pre', { text: t.entryReason || '–' }),
      el('h3', { text: 'Why it exited' }),
      el('pre', { text: t.exitReason || '–' }),
      el('h3', { text: 'Inputs' }),
      el('pre', { text: t.inputs ? JSON.stringify(t.inputs, null, 1) : '–' }),
      el('a', { href: `#/i/${encodeURIComponent(t.instrument)}`, text: 'show on chart →' }),
    );
  }

  function render(v) {
    const s = v.stats;
    $('trading-cards').replaceChildren(
      card('State', v.state.toUpperCase(), v.state === 'halted' ? 'down' : v.state === 'active' ? 'up' : ''),
      card('Equity / P&L', fmtPnl(v.equity), (v.equity ?? 0) >= 0 ? 'up' : 'down'),
      card('Day P&L', fmtPnl(v.dayPnl)),
      card('Open positions', String(s.open)),
      card('Closed trades', String(s.closed)),
      card('Win / loss', `${s.wins} / ${s.losses}`),
      card('Win rate', s.winRate === null ? '–' : `${(s.winRate * 100).toFixed(0)}%`),
      card('Net P&L (closed)', fmtPnl(s.netPnl), s.netPnl >= 0 ? 'up' : 'down'),
      card('Source', v.source),
    );
    fillTable(
      $('positions'),
      ['Instrument', 'Qty', 'Avg', 'Mark', 'Unrealized', 'Realized'],
      v.positions.map((p) => {
        const ps = app.bySymbol.get(p.instrument)?.priceScale ?? 4;
        return [
          p.instrument,
          String(p.quantity),
          fmtPrice(p.avgPrice, ps),
          fmtPrice(p.mark, ps),
          fmtPnl(p.unrealizedPnl),
          fmtPnl(p.realizedPnl),
        ];
      }),
    );
    trades = v.trades.slice().reverse();
    fillTable(
      $('trades'),
      ['Entry', 'Instrument', 'Dir', 'Qty', 'Entry px', 'Exit px', 'P&L', 'Strategy'],
      trades.map((t) => [
        fmtTime(t.entryMs),
        t.instrument,
        t.direction,
        String(t.quantity),
        fmtPrice(t.entryPrice, scale(t)),
        fmtPrice(t.exitPrice, scale(t)),
        fmtPnl(t.pnl),
        t.strategy,
      ]),
      (i) => ({ 'data-i': String(i), class: i === selected ? 'sel' : '' }),
    );
    if (selected >= 0) detail(trades[selected]);
    if (!chart && window.LightweightCharts && !$('view-trading').classList.contains('hidden')) {
      chart = LightweightCharts.createChart($('equity-chart'), {
        autoSize: true,
        layout: { background: { color: '#171d24' }, textColor: '#b8c2cc' },
        grid: { vertLines: { color: '#1f2830' }, horzLines: { color: '#1f2830' } },
        timeScale: { timeVisible: true, secondsVisible: true },
      });
      line = chart.addSeries(LightweightCharts.LineSeries, { color: '#4c9aff', lineWidth: 2 });
    }
    if (line) {
      const pts = [];
      for (const [ms, eq] of v.equityCurve) {
        const time = Math.floor(ms / 1000);
        const value = Number(eq); // the chart plots doubles; the figures elsewhere stay exact
        if (pts.length && pts[pts.length - 1].time >= time) pts[pts.length - 1].value = value;
        else pts.push({ time, value });
      }
      line.setData(pts);
    }
  }

  $('trades').addEventListener('click', (e) => {
    const tr = e.target.closest('tr[data-i]');
    if (!tr) return;
    selected = Number(tr.dataset.i);
    for (const r of $('trades').querySelectorAll('tr')) r.classList.toggle('sel', r === tr);
    detail(trades[selected]);
  });

  return {
    onTrading(v) {
      if (!$('view-trading').classList.contains('hidden')) render(v);
    },
    show() {
      if (app.trading) render(app.trading);
    },
  };
}
