/**
 * compare.html: one self-contained page (inline CSS and SVG, no external assets) with both equity
 * curves on one chart and the comparison tables. Each curve is drawn against recorded time since its
 * own first sample, so runs over the same recording overlay exactly and runs over different ones
 * still share an axis.
 */

import { type Comparison, cell } from './compare.js';
import { esc, PAGE_STYLE, table } from './html.js';

const COLORS = { a: '#1f6feb', b: '#d9480f' } as const;

/** Both curves in one SVG (id `compare-curves`), polylines `curve-a` and `curve-b` on a shared scale. */
export function curvesSvg(curves: Comparison['curves'], width = 900, height = 300): string {
  const pad = 44;
  const series = (['a', 'b'] as const).map((k) => {
    const c = curves[k];
    const t0 = c.length > 0 ? (c[0] as [number, string])[0] : 0;
    // a picture: the exact figures are in the tables and compare.json
    return { k, pts: c.map(([t, e]): [number, number] => [t - t0, Number(e)]) };
  });
  let lo = 0;
  let hi = 0;
  let span = 1;
  for (const s of series)
    for (const [t, e] of s.pts) {
      lo = Math.min(lo, e);
      hi = Math.max(hi, e);
      span = Math.max(span, t);
    }
  if (hi === lo) hi = lo + 1;
  const x = (t: number) => pad + (t / span) * (width - 2 * pad);
  const y = (e: number) => height - pad - ((e - lo) / (hi - lo)) * (height - 2 * pad);
  const lines = series.map(
    (s) =>
      `<polyline id="curve-${s.k}" fill="none" stroke="${COLORS[s.k]}" stroke-width="1.5" points="${s.pts
        .map(([t, e]) => `${x(t).toFixed(1)},${y(e).toFixed(1)}`)
        .join(' ')}"/>`,
  );
  return [
    `<svg id="compare-curves" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="equity curves of A and B">`,
    `<line x1="${pad}" y1="${y(0).toFixed(1)}" x2="${width - pad}" y2="${y(0).toFixed(1)}" stroke="#999" stroke-dasharray="4 3"/>`,
    ...lines,
    `<text x="4" y="${pad - 10}" font-size="11">${esc(hi.toFixed(4))}</text>`,
    `<text x="4" y="${height - 8}" font-size="11">${esc(lo.toFixed(4))}</text>`,
    `<text x="${pad}" y="${height - 24}" font-size="11">0 s</text>`,
    `<text x="${width - pad}" y="${height - 24}" font-size="11" text-anchor="end">${esc((span / 1000).toFixed(1))} s</text>`,
    `<rect x="${width - 150}" y="8" width="10" height="10" fill="${COLORS.a}"/><text x="${width - 134}" y="17" font-size="11">A</text>`,
    `<rect x="${width - 100}" y="8" width="10" height="10" fill="${COLORS.b}"/><text x="${width - 84}" y="17" font-size="11">B</text>`,
    '</svg>',
  ].join('');
}

export function compareHtml(c: Comparison): string {
  const figures = c.figures.map((f) => [f.figure, cell(f.a, f.kind), cell(f.b, f.kind), cell(f.diff, f.kind, true)]);
  const inst = c.instruments.map((i) => [
    i.instrument,
    i.netPnl.a,
    i.netPnl.b,
    cell(i.netPnl.diff, 'money', true),
    i.fills.a,
    i.fills.b,
    cell(i.fills.diff, 'count', true),
  ]);
  const run = (k: 'a' | 'b') => {
    const r = c[k];
    return `<p class="meta"><b style="color:${COLORS[k]}">${k.toUpperCase()}</b>: ${esc(r.path)}: ${esc(r.strategy)} ${esc(JSON.stringify(r.params ?? {}))} on ${esc(r.file)} (${esc(r.venue)}), recorded ${esc(r.recordedFrom)} to ${esc(r.recordedTo)}</p>`;
  };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tickline backtest compare</title>
${PAGE_STYLE}</head><body>
<h1>Backtest comparison: A and B</h1>
${run('a')}
${run('b')}
<h2>Equity curves (net P&amp;L against recorded time since each run's start)</h2>
${curvesSvg(c.curves)}
<h2>Figures</h2>
${table(['figure', 'A', 'B', 'B − A'], figures)}
<h2>Per instrument</h2>
${table(['instrument', 'net A', 'net B', 'net B − A', 'fills A', 'fills B', 'fills B − A'], inst)}
</body></html>
`;
}
