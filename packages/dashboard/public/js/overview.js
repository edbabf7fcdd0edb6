// Market overview: every instrument in one virtualized grid (only the visible rows exist in the DOM),
// sortable by any column, filterable by symbol, book state and activity. Rows arrive as diffs at the live rate.
import { $, el, fmtAge, fmtCompact, fmtNum, fmtPrice, STATE_NAMES } from './util.js';

const ROW_H = 24;
// Row layout from the server (src/overview.ts ROW_FIELDS).
const F = { id: 0, state: 1, bid: 2, ask: 3, last: 4, mid: 5, spread: 6, volume: 7, trades: 8, rate: 9, imbalance: 10, updatedMs: 11 };
const COLUMNS = [
  ['symbol', 'Symbol'],
  ['state', 'Book'],
  ['bid', 'Bid'],
  ['ask', 'Ask'],
  ['last', 'Last'],
  ['mid', 'Mid'],
  ['spread', 'Spread'],
  ['volume', 'Volume'],
  ['trades', 'Trades'],
  ['rate', 'Upd/s'],
  ['imbalance', 'Imbal.'],
  ['updatedMs', 'Age'],
];

export function createOverview(app) {
  const rows = new Map();
  const moved = new Map(); // id -> +1 / -1: direction of the last price change
  let sort = { key: 'rate', dir: -1 };
  let list = [];
  let dirty = true;
  let frame = 0;
  const body = $('market-body');
  const spacer = $('market-spacer');
  const pool = [];

  const head = $('market-head');
  for (const [key, label] of COLUMNS) {
    head.append(
      el('span', {
        text: label,
        'data-key': key,
        onclick: () => {
          sort = { key, dir: sort.key === key ? -sort.dir : key === 'symbol' ? 1 : -1 };
          dirty = true;
          schedule();
        },
      }),
    );
  }
  for (const id of ['filter', 'state-filter', 'active-only'])
    $(id).addEventListener('input', () => {
      dirty = true;
      schedule();
    });
  body.addEventListener('scroll', () => schedule());
  window.addEventListener('resize', () => schedule());

  function value(id, key) {
    if (key === 'symbol') return app.instruments.get(id)?.symbol ?? '';
    const r = rows.get(id);
    return r ? r[F[key]] : null;
  }

  function rebuild() {
    const q = $('filter').value.trim().toUpperCase();
    const st = $('state-filter').value;
    const active = $('active-only').checked;
    list = [];
    for (const i of app.instruments.values()) {
      if (q && !i.symbol.toUpperCase().includes(q)) continue;
      const r = rows.get(i.id);
      if (st !== '' && (!r || String(r[F.state]) !== st)) continue;
      if (active && (!r || !(r[F.rate] > 0))) continue;
      list.push(i.id);
    }
    const { key, dir } = sort;
    list.sort((a, b) => {
      const x = value(a, key);
      const y = value(b, key);
      if (x === y) return a - b;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      return (typeof x === 'string' ? x.localeCompare(y) : x - y) * dir;
    });
    spacer.style.height = `${list.length * ROW_H}px`;
    $('market-count').textContent = `${list.length} of ${app.instruments.size} instruments · ${rows.size} quoting`;
    for (const s of head.children) {
      s.classList.toggle('sorted', s.dataset.key === key);
      s.textContent = COLUMNS.find((c) => c[0] === s.dataset.key)[1] + (s.dataset.key === key ? (dir > 0 ? ' ▲' : ' ▼') : '');
    }
  }

  function rowEl(i) {
    let r = pool[i];
    if (!r) {
      r = el('div', { class: 'grid-row' });
      for (let c = 0; c < COLUMNS.length; c++) r.append(el('span'));
      r.addEventListener('click', () => {
        location.hash = `#/i/${encodeURIComponent(r.dataset.symbol)}`;
      });
      body.append(r);
      pool[i] = r;
    }
    return r;
  }

  function render() {
    frame = 0;
    if ($('view-market').classList.contains('hidden')) return;
    if (dirty) rebuild();
    dirty = false;
    const first = Math.max(0, Math.floor(body.scrollTop / ROW_H) - 5);
    const count = Math.ceil(body.clientHeight / ROW_H) + 10;
    let n = 0;
    for (let k = first; k < Math.min(list.length, first + count); k++, n++) {
      const id = list[k];
      const inst = app.instruments.get(id);
      const r = rows.get(id);
      const e = rowEl(n);
      e.style.transform = `translateY(${k * ROW_H}px)`;
      e.style.display = '';
      e.dataset.symbol = inst.symbol;
      e.dataset.id = id;
      const c = e.children;
      const ps = inst.priceScale;
      const mv = moved.get(id) ?? 0;
      c[0].textContent = inst.symbol;
      c[1].textContent = r ? (STATE_NAMES[r[F.state]] ?? '?') : 'silent';
      c[1].className = r ? `state-${r[F.state]}` : 'muted';
      c[2].textContent = fmtPrice(r?.[F.bid], ps);
      c[3].textContent = fmtPrice(r?.[F.ask], ps);
      c[4].textContent = fmtPrice(r?.[F.last], ps);
      c[4].className = mv > 0 ? 'flash-up' : mv < 0 ? 'flash-down' : '';
      c[5].textContent = fmtPrice(r?.[F.mid], ps + 1);
      c[6].textContent = fmtPrice(r?.[F.spread], ps);
      c[7].textContent = fmtCompact(r?.[F.volume]);
      c[8].textContent = fmtCompact(r?.[F.trades]);
      c[9].textContent = fmtNum(r?.[F.rate], 1);
      c[10].textContent = fmtNum(r?.[F.imbalance], 2);
      c[11].textContent = fmtAge(r?.[F.updatedMs]);
    }
    for (let k = n; k < pool.length; k++) pool[k].style.display = 'none';
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(render);
  }

  return {
    onRows(list_, full) {
      if (full) rows.clear();
      for (const r of list_) {
        const prev = rows.get(r[F.id]);
        const a = prev?.[F.last] ?? prev?.[F.mid];
        const b = r[F.last] ?? r[F.mid];
        if (a !== undefined && a !== null && b !== null && b !== a) moved.set(r[F.id], b > a ? 1 : -1);
        rows.set(r[F.id], r);
      }
      dirty = true;
      schedule();
    },
    show() {
      dirty = true;
      schedule();
    },
  };
}
