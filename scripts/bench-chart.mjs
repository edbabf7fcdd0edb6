#!/usr/bin/env node
/**
 * Draws latency against offered rate for each placement from a `tickline bench pipeline --rates
 * ... --json` report, as an SVG image (no dependencies):
 *
 *   node scripts/bench-chart.mjs report.json docs/img/pipeline-latency.svg
 *
 * One line per placement and percentile (p50 solid, p99 dashed), log-scale latency, the median of
 * each result with its min..max as a bar. Results are named `pipeline:<placement>@<rate>`.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node scripts/bench-chart.mjs <report.json> <out.svg>\n');
  process.exit(2);
}

let report;
try {
  report = JSON.parse(readFileSync(input, 'utf8'));
} catch (err) {
  process.stderr.write(`bench-chart: cannot read ${input} as a JSON report: ${err.message}\n`);
  process.exit(2);
}
if (!Array.isArray(report?.results)) {
  process.stderr.write(`bench-chart: ${input} has no "results" array (expected tickline bench pipeline --json output)\n`);
  process.exit(2);
}

/** placement -> [{ rate, p50, p99, p50min, p50max, p99min, p99max }] (latencies in µs) */
const series = new Map();
for (const r of report.results) {
  const m = /^pipeline:([a-z-]+)(?:@(\d+))?$/.exec(r.name ?? '');
  if (!m) continue;
  const rate = Number(m[2] ?? r.params?.rate);
  if (!Number.isFinite(rate)) continue;
  const point = {
    rate,
    p50: r.median?.p50Us,
    p99: r.median?.p99Us,
    p50min: r.min?.p50Us,
    p50max: r.max?.p50Us,
    p99min: r.min?.p99Us,
    p99max: r.max?.p99Us,
  };
  if (![point.p50, point.p99].every((v) => typeof v === 'number' && Number.isFinite(v) && v > 0)) continue;
  if (!series.has(m[1])) series.set(m[1], []);
  series.get(m[1]).push(point);
}
if (series.size === 0) {
  process.stderr.write(`bench-chart: no pipeline:<placement>@<rate> results with latencies in ${input}\n`);
  process.exit(2);
}
for (const pts of series.values()) pts.sort((a, b) => a.rate - b.rate);

const W = 760;
const H = 420;
const L = 70;
const R = 170;
const T = 40;
const B = 50;
const all = [...series.values()].flat();
const rates = all.map((p) => p.rate);
const lats = all.flatMap((p) => [p.p50min ?? p.p50, p.p99max ?? p.p99]).filter((v) => v > 0);
const xMin = Math.min(...rates);
const xMax = Math.max(...rates);
const yMin = 10 ** Math.floor(Math.log10(Math.min(...lats)));
const yMax = 10 ** Math.ceil(Math.log10(Math.max(...lats)));
const x = (v) => (xMax === xMin ? L + (W - L - R) / 2 : L + ((v - xMin) / (xMax - xMin)) * (W - L - R));
const y = (v) => T + (1 - (Math.log10(v) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * (H - T - B);
const fmtUs = (us) => (us >= 1e6 ? `${us / 1e6} s` : us >= 1000 ? `${us / 1000} ms` : `${us} µs`);
const colors = { 'six-pools': '#d62728', 'two-workers': '#1f77b4', 'one-worker': '#2ca02c' };

const out = [];
out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="12">`);
const title = `Tick-to-decision against offered rate (${report.node ?? ''}, medians of ${report.runs ?? '?'} windows)`;
out.push(`<title>${title}</title>`);
out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="14">${title}</text>`);
for (let d = yMin; d <= yMax; d *= 10) {
  out.push(`<line x1="${L}" x2="${W - R}" y1="${y(d)}" y2="${y(d)}" stroke="#ddd"/>`);
  out.push(`<text x="${L - 6}" y="${y(d) + 4}" text-anchor="end">${fmtUs(d)}</text>`);
}
for (const r of [...new Set(rates)]) {
  out.push(`<line x1="${x(r)}" x2="${x(r)}" y1="${T}" y2="${H - B}" stroke="#eee"/>`);
  out.push(`<text x="${x(r)}" y="${H - B + 16}" text-anchor="middle">${r >= 1000 ? `${r / 1000}k` : r}</text>`);
}
out.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">offered market-data events per second</text>`);
out.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="#333"/>`);
out.push(`<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="#333"/>`);
let legend = T + 10;
for (const [name, pts] of series) {
  const c = colors[name] ?? '#555';
  for (const [key, dash] of [
    ['p50', ''],
    ['p99', ' stroke-dasharray="6 4"'],
  ]) {
    const path = pts.map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.rate).toFixed(1)},${y(p[key]).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${c}" stroke-width="2"${dash}/>`);
    for (const p of pts) {
      const lo = p[`${key}min`];
      const hi = p[`${key}max`];
      if (lo > 0 && hi > 0) out.push(`<line x1="${x(p.rate)}" x2="${x(p.rate)}" y1="${y(lo)}" y2="${y(hi)}" stroke="${c}" opacity="0.5"/>`);
      out.push(`<circle cx="${x(p.rate)}" cy="${y(p[key])}" r="3" fill="${c}"/>`);
    }
    out.push(`<line x1="${W - R + 12}" x2="${W - R + 40}" y1="${legend}" y2="${legend}" stroke="${c}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${W - R + 46}" y="${legend + 4}">${name} ${key}</text>`);
    legend += 18;
  }
}
out.push('</svg>');
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, `${out.join('\n')}\n`);
process.stdout.write(`bench-chart: wrote ${output} (${series.size} placements, ${all.length} points)\n`);
