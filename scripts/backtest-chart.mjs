#!/usr/bin/env node
// Draws one backtest's report.json as an SVG for the docs: the equity curve, every fill as a tick
// under it (maker below, taker above the axis line), and the periods in which a book was not live
// shaded. Usage: node scripts/backtest-chart.mjs REPORT.json OUT.svg [TITLE]
import { readFileSync, writeFileSync } from 'node:fs';

const [, , input, output, title] = process.argv;
if (!input || !output) {
  process.stderr.write('usage: node scripts/backtest-chart.mjs REPORT.json OUT.svg [TITLE]\n');
  process.exit(2);
}
const rep = JSON.parse(readFileSync(input, 'utf8'));
if (!Array.isArray(rep.equityCurve) || rep.equityCurve.length < 2) {
  process.stderr.write(`${input}: equityCurve must hold at least two points\n`);
  process.exit(2);
}
const W = 900;
const H = 360;
const L = 80;
const R = 20;
const T = 40;
const B = 80;
const curve = rep.equityCurve.map(([t, v]) => [t, Number(v)]);
const t0 = curve[0][0];
const t1 = curve[curve.length - 1][0];
let lo = Math.min(0, ...curve.map((p) => p[1]));
let hi = Math.max(0, ...curve.map((p) => p[1]));
if (hi === lo) hi = lo + 1;
const pad = (hi - lo) * 0.08;
lo -= pad;
hi += pad;
const x = (t) => L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - R);
const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
const parts = [];
parts.push(
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
);
parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
const m = rep.meta ?? {};
const heading =
  title ??
  `${m.strategy} on ${String(m.file ?? '')
    .split('/')
    .pop()} (${m.venue})`;
parts.push(`<text x="${L}" y="20" font-size="14" font-weight="bold">${esc(heading)}</text>`);
for (const p of m.notLive ?? []) {
  const a = x(Date.parse(p.from));
  const b = p.to === null ? x(t1) : x(Date.parse(p.to));
  parts.push(`<rect x="${a.toFixed(1)}" y="${T}" width="${Math.max(1, b - a).toFixed(1)}" height="${H - T - B}" fill="#f4cccc"/>`);
}
// axes and grid
for (let k = 0; k <= 4; k++) {
  const v = lo + ((hi - lo) * k) / 4;
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
  parts.push(`<text x="${L - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${v.toPrecision(3)}</text>`);
}
parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#999"/>`);
const minutes = (t1 - t0) / 60_000;
for (let k = 0; k <= 6; k++) {
  const t = t0 + ((t1 - t0) * k) / 6;
  parts.push(
    `<text x="${x(t).toFixed(1)}" y="${H - B + 16}" text-anchor="middle">${((t - t0) / 60_000).toFixed(minutes < 10 ? 1 : 0)} min</text>`,
  );
}
const pts = curve.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
parts.push(`<polyline points="${pts}" fill="none" stroke="#1f5fa8" stroke-width="1.5"/>`);
// fills: ticks on a strip under the chart
const strip = H - B + 30;
for (const f of rep.fills?.list ?? []) {
  const fx = x(f.ts).toFixed(1);
  const maker = f.liquidity === 'maker';
  parts.push(
    `<line x1="${fx}" x2="${fx}" y1="${maker ? strip : strip - 10}" y2="${maker ? strip + 10 : strip}" stroke="${maker ? '#2a8a3a' : '#c0392b'}"/>`,
  );
}
parts.push(`<text x="${L - 6}" y="${strip - 2}" text-anchor="end" fill="#c0392b">taker</text>`);
parts.push(`<text x="${L - 6}" y="${strip + 10}" text-anchor="end" fill="#2a8a3a">maker</text>`);
const fm = m.fillModel ?? {};
const lat = (l) => (l === undefined ? '?' : l.kind === 'constant' ? `${l.ms} ms` : `samples p50 ${l.p50} ms`);
const legend = `net P&L ${rep.pnl?.net} (fees ${rep.pnl?.fees}), ${rep.fills?.count} fills (${rep.fills?.maker} maker), queue ${fm.queue?.model ?? '?'}, latency feed ${lat(fm.latency?.feed)} / entry ${lat(fm.latency?.entry)} / response ${lat(fm.latency?.response)}`;
parts.push(`<text x="${L}" y="${H - 12}" fill="#444">${esc(legend)}</text>`);
parts.push(
  `<text x="${L}" y="${T - 6}" fill="#444">equity (quote currency)${(m.notLive ?? []).length > 0 ? '; shaded: a book not live' : ''}</text>`,
);
parts.push('</svg>');
writeFileSync(output, `${parts.join('\n')}\n`);
