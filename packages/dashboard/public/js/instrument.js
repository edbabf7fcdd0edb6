// Instrument page: candle chart (lightweight-charts) of the instrument's bars, live-updated, with the
// entries and exits of its trades as markers; a book ladder; and the trades on this instrument.
import { $, api, el, fillTable, fmtCompact, fmtPnl, fmtPrice, fmtTime, STATE_NAMES, toast } from './util.js';

const F = { state: 1, bid: 2, ask: 3, last: 4, mid: 5, spread: 6, volume: 7, trades: 8, rate: 9 };

export function createInstrument(app) {
  const LW = () => window.LightweightCharts;
  let chart = null;
  let series = null;
  let markers = null;
  let inst = null;
  let source = '';
  let lastTime = 0;
  let bookTimer = 0;
  let barsTimer = 0;
  let nBars = 0;

  function ensureChart() {
    if (chart) return;
    chart = LW().createChart($('chart'), {
      autoSize: true,
      layout: { background: { color: '#171d24' }, textColor: '#b8c2cc' },
      grid: { vertLines: { color: '#1f2830' }, horzLines: { color: '#1f2830' } },
      timeScale: { timeVisible: true, secondsVisible: true, barSpacing: 10, rightOffset: 4 },
      crosshair: { mode: 0 },
    });
    series = chart.addSeries(LW().CandlestickSeries, {
      upColor: '#2fbf71',
      downColor: '#e5534b',
      wickUpColor: '#2fbf71',
      wickDownColor: '#e5534b',
      borderVisible: false,
    });
    markers = LW().createSeriesMarkers(series, []);
  }

  async function loadBars() {
    if (!inst) return;
    const sym = inst.symbol;
    try {
      const r = await api(`/api/bars/${encodeURIComponent(sym)}`);
      if (inst?.symbol !== sym) return;
      source = r.source;
      const fmt = { type: 'price', precision: inst.priceScale, minMove: 1 / 10 ** inst.priceScale };
      series.applyOptions({ priceFormat: fmt });
      series.setData(r.bars);
      nBars = r.bars.length;
      lastTime = r.bars.length ? r.bars[r.bars.length - 1].time : 0;
      $('chart').dataset.bars = String(nBars);
      $('inst-bars-source').textContent =
        source === 'signals-tick-bars' ? 'tick bars from signals' : `${r.barSeconds}s bars sampled from the market view`;
      if (nBars < 80) chart.timeScale().fitContent();
      else chart.timeScale().scrollToRealTime();
      drawMarkers();
    } catch (e) {
      toast(`bars: ${e.message}`, true);
    }
  }

  async function loadBook() {
    if (!inst) return;
    const sym = inst.symbol;
    try {
      const b = await api(`/api/book/${encodeURIComponent(sym)}`);
      if (inst?.symbol !== sym) return;
      $('ladder-source').textContent = b.source === 'book' ? '' : '(top of book from the market view)';
      const ps = inst.priceScale;
      const asks = (b.asks ?? []).slice(0, 10).reverse();
      const bids = (b.bids ?? []).slice(0, 10);
      const max = Math.max(1, ...asks.map((l) => l[1]), ...bids.map((l) => l[1]));
      const row = (cls, l) =>
        el(
          'tr',
          { class: cls },
          el('td', { class: 'bar' }, el('i', { style: `width:${((100 * l[1]) / max).toFixed(0)}%` }), el('b', { text: fmtCompact(l[1]) })),
          el('td', { text: fmtPrice(l[0], ps) }),
        );
      $('ladder').replaceChildren(
        el('thead', {}, el('tr', {}, el('th', { text: 'Size' }), el('th', { text: 'Price' }))),
        el('tbody', {}, ...asks.map((l) => row('ask', l)), ...bids.map((l) => row('bid', l))),
      );
    } catch (e) {
      $('ladder-source').textContent = e.message;
    }
  }

  function tradesHere(view) {
    return (view?.trades ?? []).filter((t) => t.id === inst?.id || t.instrument === inst?.symbol);
  }

  function drawMarkers() {
    if (!markers || !inst) return;
    const step = source === 'signals-tick-bars' ? 1 : app.barSeconds;
    const at = (ms) => Math.floor(ms / 1000 / step) * step;
    const list = [];
    for (const t of tradesHere(app.trading)) {
      const long = !/short|sell/i.test(t.direction);
      list.push({
        time: at(t.entryMs),
        position: long ? 'belowBar' : 'aboveBar',
        color: '#4c9aff',
        shape: long ? 'arrowUp' : 'arrowDown',
        text: `entry ${fmtPrice(t.entryPrice, inst.priceScale)}`,
      });
      if (t.exitMs)
        list.push({
          time: at(t.exitMs),
          position: long ? 'aboveBar' : 'belowBar',
          color: (t.pnl ?? 0) >= 0 ? '#2fbf71' : '#e5534b',
          shape: 'circle',
          text: `exit ${fmtPnl(t.pnl)}`,
        });
    }
    list.sort((a, b) => a.time - b.time);
    markers.setMarkers(list);
    fillTable(
      $('inst-trades'),
      ['Entry', 'Dir', 'Qty', 'Entry px', 'Exit px', 'P&L', 'Why'],
      tradesHere(app.trading)
        .slice(-20)
        .reverse()
        .map((t) => [
          fmtTime(t.entryMs),
          t.direction,
          String(t.quantity),
          fmtPrice(t.entryPrice, inst.priceScale),
          fmtPrice(t.exitPrice, inst.priceScale),
          fmtPnl(t.pnl),
          t.entryReason,
        ]),
    );
  }

  $('inst-resync').addEventListener('click', async () => {
    if (!inst) return;
    try {
      await api('/api/resync', { symbol: inst.symbol });
      toast(`resync of ${inst.symbol} requested`);
    } catch (e) {
      toast(`resync failed: ${e.message}`, true);
    }
  });

  return {
    show(symbol) {
      const next = app.bySymbol.get(symbol);
      $('inst-symbol').textContent = symbol;
      if (!next) {
        $('inst-quote').textContent = 'unknown instrument';
        return;
      }
      inst = next;
      ensureChart();
      series.setData([]);
      delete $('chart').dataset.bars;
      app.send({ t: 'watch', id: inst.id });
      clearInterval(bookTimer);
      clearInterval(barsTimer);
      loadBars();
      loadBook();
      bookTimer = setInterval(loadBook, 1000);
      // Tick bars live in the signals stage: refresh them; sampled bars update from live ticks.
      barsTimer = setInterval(() => source === 'signals-tick-bars' && loadBars(), 2000);
    },
    hide() {
      inst = null;
      clearInterval(bookTimer);
      clearInterval(barsTimer);
    },
    onTick(msg) {
      if (!inst || msg.id !== inst.id) return;
      const r = msg.row;
      const ps = inst.priceScale;
      $('inst-quote').textContent = r
        ? `${STATE_NAMES[r[F.state]] ?? '?'} · bid ${fmtPrice(r[F.bid], ps)} · ask ${fmtPrice(r[F.ask], ps)} · last ${fmtPrice(r[F.last], ps)} · spread ${fmtPrice(r[F.spread], ps)} · vol ${fmtCompact(r[F.volume])} · ${r[F.rate]}/s`
        : 'no data yet';
      if (source === 'market-view-samples' && msg.bar && msg.bar.time >= lastTime) {
        series.update(msg.bar);
        if (msg.bar.time > lastTime) $('chart').dataset.bars = String(++nBars);
        lastTime = msg.bar.time;
      }
    },
    onTrading() {
      if (inst) drawMarkers();
    },
  };
}
