// Small helpers shared by the views: token, API calls, DOM and number formatting.

const TOKEN_KEY = 'tickline.token';

/** Takes the token from the URL fragment (#token=...) once, keeps it in sessionStorage, and strips it from the address bar. */
export function takeToken() {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', `${location.pathname}#/market`);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(t) {
  sessionStorage.setItem(TOKEN_KEY, t);
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

export async function api(path, body) {
  const init = { headers: { authorization: `Bearer ${token()}` } };
  if (body !== undefined) {
    init.method = 'POST';
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error?.message ?? `${res.status} ${res.statusText}`);
  return json;
}

export function $(id) {
  return document.getElementById(id);
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

/** Replaces a table's content: header labels and rows of cell values (strings or nodes). */
export function fillTable(table, head, rows, rowAttrs) {
  const thead = el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { text: h }))));
  const tbody = el('tbody');
  rows.forEach((r, i) => {
    const tr = el('tr', rowAttrs ? rowAttrs(i) : {});
    for (const c of r) tr.append(c instanceof Node ? el('td', {}, c) : el('td', { text: c ?? '' }));
    tbody.append(tr);
  });
  table.replaceChildren(thead, tbody);
}

// Exact decimals arrive as strings ("0.013", "-0.00007") and are shown as they are.
const DECIMAL = /^[+-]?\d+(?:\.\d+)?$/;
const isDec = (v) => typeof v === 'string' && DECIMAL.test(v);

export function fmtPrice(v, scale = 2) {
  if (isDec(v)) return v;
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(Math.min(scale, 10));
}

/** An exact decimal string as it is (a number with up to `digits` decimals). */
export function fmtDec(v, digits = 8) {
  if (isDec(v)) return v;
  return fmtNum(v, digits);
}

export function fmtNum(v, digits = 0) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function fmtCompact(v) {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return fmtNum(v, a < 10 && a % 1 ? 1 : 0);
}

export function fmtPnl(v) {
  if (isDec(v)) return v.startsWith('-') ? v : `+${v}`;
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  return `${v >= 0 ? '+' : ''}${v.toFixed(2)}`;
}

export function fmtAge(ms) {
  if (!ms) return '–';
  const s = (Date.now() - ms) / 1000;
  if (s < 1) return 'now';
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${(s / 60).toFixed(0)}m`;
  return `${(s / 3600).toFixed(0)}h`;
}

export function fmtTime(ms) {
  return ms ? new Date(ms).toLocaleTimeString('en-GB', { hour12: false }) : '–';
}

export const STATE_NAMES = ['syncing', 'live', 'reseeding'];

let toastTimer = 0;
export function toast(text, isError = false) {
  const t = $('toast');
  t.textContent = text;
  t.className = `toast${isError ? ' err' : ''}`;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => t.classList.add('hidden'), 4000);
}

/** A button that needs a second click within 3 s to act (no modal dialogs). */
export function armedButton(button, label, armedLabel, action) {
  let armed = 0;
  button.addEventListener('click', async () => {
    if (!armed) {
      button.textContent = armedLabel;
      button.classList.add('armed');
      armed = setTimeout(() => {
        armed = 0;
        button.textContent = label();
        button.classList.remove('armed');
      }, 3000);
      return;
    }
    clearTimeout(armed);
    armed = 0;
    button.classList.remove('armed');
    button.textContent = label();
    await action();
  });
}
