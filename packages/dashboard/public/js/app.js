// Entry point: token, live socket, hash routing and the top bar (connection, feed, trading state, kill switch).
import { createEvents } from './events.js';
import { createHealth } from './health.js';
import { createInstrument } from './instrument.js';
import { createOverview } from './overview.js';
import { createTrading } from './trading.js';
import { $, api, armedButton, setToken, takeToken, toast } from './util.js';

const app = {
  instruments: new Map(),
  bySymbol: new Map(),
  venue: '',
  barSeconds: 5,
  health: null,
  trading: null,
  tradingState: 'unknown',
  ws: null,
  send(msg) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  },
};

const views = {
  market: createOverview(app),
  instrument: createInstrument(app),
  trading: createTrading(app),
  health: createHealth(app),
  events: createEvents(app),
};
let current = null;

function route() {
  const h = location.hash || '#/market';
  const m = /^#\/i\/(.+)$/.exec(h);
  const name = m ? 'instrument' : h.slice(2) in views ? h.slice(2) : 'market';
  for (const [k, v] of Object.entries(views)) {
    $(`view-${k}`).classList.toggle('hidden', k !== name);
    if (k !== name && current === k) v.hide?.();
  }
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.view === name);
  current = name;
  app.send({ t: 'overview', on: name === 'market' });
  if (name !== 'instrument') app.send({ t: 'watch', id: null });
  views[name].show?.(m ? decodeURIComponent(m[1]) : undefined);
}

function onMessage(msg) {
  switch (msg.t) {
    case 'hello':
      app.venue = msg.venue;
      app.barSeconds = msg.barSeconds;
      app.instruments.clear();
      app.bySymbol.clear();
      for (const [id, symbol, priceScale, sizeScale] of msg.instruments) {
        const i = { id, symbol, priceScale, sizeScale };
        app.instruments.set(id, i);
        app.bySymbol.set(symbol, i);
      }
      $('venue').textContent = `${msg.venue} · ${msg.instruments.length} instruments`;
      $('paper').classList.toggle('hidden', msg.paper !== true);
      document.title = msg.paper === true ? 'tickline · PAPER' : 'tickline';
      route();
      break;
    case 'overview':
      views.market.onRows(msg.rows, msg.full);
      break;
    case 'tick':
      views.instrument.onTick(msg);
      break;
    case 'health':
      app.health = msg.health;
      setTradingState(msg.state);
      topBar();
      views.health.onHealth(msg.health);
      break;
    case 'trading':
      app.trading = msg.view;
      if (msg.view.state !== 'unknown') setTradingState(msg.view.state);
      views.trading.onTrading(msg.view);
      views.instrument.onTrading(msg.view);
      break;
    case 'events':
      views.events.onEvents(msg.entries, msg.dropped ?? 0);
      break;
  }
}

function setTradingState(s) {
  app.tradingState = s;
  const el = $('trading-state');
  el.textContent = s.toUpperCase();
  el.className = `pill ${s === 'active' ? 'ok' : s === 'halted' ? 'bad' : s === 'reducing' ? 'warn' : ''}`;
  el.dataset.state = s;
  // (an armed button keeps asking for its confirmation until it fires or disarms)
  if (!$('kill').classList.contains('armed')) $('kill').textContent = killLabel();
  views.health.onState?.(s);
}

function topBar() {
  const f = app.health?.feed;
  if (!f) return;
  const el = $('feed');
  el.textContent = `feed ${f.connectionsUp}/${f.connections} · ${Math.round(f.framesPerSec)} fr/s`;
  el.className = `pill ${f.connectionsUp > 0 && f.connectionsUp === f.connections ? 'ok' : 'bad'}`;
}

const killLabel = () => (app.tradingState === 'halted' ? 'Release kill switch' : 'Kill switch');
armedButton($('kill'), killLabel, 'Click again to confirm', async () => {
  const on = app.tradingState !== 'halted';
  try {
    const r = await api('/api/kill-switch', { on });
    setTradingState(r.state);
    toast(on ? 'Kill switch ON: trading halted' : 'Kill switch released');
  } catch (e) {
    toast(`Kill switch failed: ${e.message}`, true);
  }
});

function connect() {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  app.ws = ws;
  const conn = $('conn');
  ws.onopen = () => {
    ws.send(JSON.stringify({ t: 'auth', token: sessionStorage.getItem('tickline.token') ?? '' }));
    conn.textContent = 'live';
    conn.className = 'pill ok';
  };
  ws.onmessage = (ev) => onMessage(JSON.parse(ev.data));
  ws.onclose = (ev) => {
    conn.textContent = 'disconnected';
    conn.className = 'pill bad';
    if (ev.code === 4401) return showLogin();
    setTimeout(connect, 1000);
  };
}

function showLogin() {
  $('login').classList.remove('hidden');
  document.querySelector('main').classList.add('hidden');
}

$('login-form').addEventListener('submit', (e) => {
  e.preventDefault();
  setToken($('login-token').value.trim());
  $('login').classList.add('hidden');
  document.querySelector('main').classList.remove('hidden');
  connect();
});

window.addEventListener('hashchange', route);
if (takeToken()) connect();
else showLogin();
