/** The report as one self-contained HTML page: inline CSS, an inline SVG equity curve, no external assets. */

import type { BacktestReport } from './report.js';

export const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);

const fmt = (n: number | null, digits = 2) => (n === null || !Number.isFinite(n) ? '—' : n.toFixed(digits));
/** Exact decimals are shown as they are. */
const dec = (s: string | null) => s ?? '—';

/** The equity curve as an SVG polyline (id `equity-curve`), scaled to a fixed viewBox. */
export function equitySvg(curve: readonly [number, string][], width = 900, height = 260): string {
  const pad = 40;
  if (curve.length === 0) return `<svg id="equity-curve" viewBox="0 0 ${width} ${height}"><text x="20" y="30">no samples</text></svg>`;
  const t0 = (curve[0] as [number, string])[0];
  const t1 = (curve[curve.length - 1] as [number, string])[0];
  let lo = 0;
  let hi = 0;
  // a picture: the exact figures are in the tables and report.json
  const pointsOf = curve.map(([t, e]): [number, number] => [t, Number(e)]);
  for (const [, e] of pointsOf) {
    lo = Math.min(lo, e);
    hi = Math.max(hi, e);
  }
  if (hi === lo) hi = lo + 1;
  const x = (t: number) => pad + ((t - t0) / Math.max(1, t1 - t0)) * (width - 2 * pad);
  const y = (e: number) => height - pad - ((e - lo) / (hi - lo)) * (height - 2 * pad);
  const pts = pointsOf.map(([t, e]) => `${x(t).toFixed(1)},${y(e).toFixed(1)}`).join(' ');
  const zero = y(0).toFixed(1);
  return [
    `<svg id="equity-curve" viewBox="0 0 ${width} ${height}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="equity curve">`,
    `<line x1="${pad}" y1="${zero}" x2="${width - pad}" y2="${zero}" stroke="#999" stroke-dasharray="4 3"/>`,
    `<polyline fill="none" stroke="#1f6feb" stroke-width="1.5" points="${pts}"/>`,
    `<text x="4" y="${pad - 8}" font-size="11">${esc(hi.toFixed(4))}</text>`,
    `<text x="4" y="${height - 8}" font-size="11">${esc(lo.toFixed(4))}</text>`,
    `<text x="${pad}" y="${height - 24}" font-size="11">${esc(new Date(t0).toISOString())}</text>`,
    `<text x="${width - pad}" y="${height - 24}" font-size="11" text-anchor="end">${esc(new Date(t1).toISOString())}</text>`,
    '</svg>',
  ].join('');
}

/** The report pages' inline stylesheet (report.html, compare.html). */
export const PAGE_STYLE = `<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}
svg{width:100%;max-width:900px;height:auto;border:1px solid #ddd;background:#fcfcfc}
.meta{color:#555}
.errors{color:#a40000;background:#fff0f0;border:1px solid #e0a0a0;padding:6px 10px;margin:8px 0}
</style>`;

export function table(head: string[], rows: (string | number)[][]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${tr}</tbody></table>`;
}

/** The strategies that threw (report.json meta.strategyErrors), shown above the figures. */
function strategyErrorsLine(errors: unknown): string {
  if (!Array.isArray(errors) || errors.length === 0) return '<p id="strategy-errors" class="meta">strategy errors: none</p>';
  const items = (
    errors as { strategy: string; instrument: string | null; event: { kind: string; seq?: string; time?: string }; message: string }[]
  )
    .map(
      (e) =>
        `<li><b>${esc(e.strategy)}</b> threw on ${esc(e.instrument ?? 'restore')} (${esc(e.event.kind)}${e.event.seq !== undefined ? ` seq ${esc(e.event.seq)}` : ''}${e.event.time !== undefined ? ` at ${esc(e.event.time)}` : ''}): ${esc(e.message)}; disabled from then on</li>`,
    )
    .join('');
  return `<div id="strategy-errors" class="errors"><b>strategy errors: ${errors.length}</b> (the run went on without these strategies)<ul>${items}</ul></div>`;
}

interface LatencyLike {
  kind: string;
  ms?: number;
  source?: string;
  count?: number;
  p50?: number;
  max?: number;
}
const latencyText = (l: LatencyLike | undefined): string =>
  l === undefined ? '—' : l.kind === 'constant' ? `${l.ms} ms` : `${l.count} samples from ${l.source} (p50 ${l.p50} ms, max ${l.max} ms)`;

/** The event-time engine's fill model, speed, fill ratios and not-live periods (absent for lockstep). */
function eventTimeSections(m: Record<string, unknown>): { line: string; sections: string } {
  if (m.engine !== 'event-time') return { line: '', sections: '' };
  const fm = (m.fillModel ?? {}) as {
    queue?: { model: string; n?: number };
    throughTrades?: string;
    latency?: { feed?: LatencyLike; entry?: LatencyLike; response?: LatencyLike };
    fees?: Record<string, { makerBps: number; takerBps: number }>;
    seed?: number;
  };
  const sp = (m.speed ?? {}) as Record<string, number>;
  const ev = (m.events ?? {}) as Record<string, number>;
  const model: (string | number)[][] = [
    ['queue model', `${fm.queue?.model ?? '—'}${fm.queue?.n !== undefined ? ` (n ${fm.queue.n})` : ''}`],
    ['trades through a resting price', fm.throughTrades ?? '—'],
    ['feed latency', latencyText(fm.latency?.feed)],
    ['order entry latency', latencyText(fm.latency?.entry)],
    ['response latency', latencyText(fm.latency?.response)],
    ...Object.entries(fm.fees ?? {}).map(([k, f]) => [`fees ${k}`, `maker ${f.makerBps} bps / taker ${f.takerBps} bps`]),
    ['seed', fm.seed ?? '—'],
    [
      'events replayed',
      `${ev.total ?? 0} (levels ${(ev.snapshotLevels ?? 0) + (ev.deltaLevels ?? 0)}, trades ${ev.trades ?? 0}, quotes ${ev.quotes ?? 0})`,
    ],
    ['speed', `${sp.eventsPerSec ?? 0} events/s replay, ${sp.endToEndEventsPerSec ?? 0} events/s with the prepare pass`],
  ];
  const ratios = Object.entries((m.fillRatios ?? {}) as Record<string, Record<string, unknown>>).map(([k, f]) => {
    const q = f.queueWaitMs as { count: number; p50: number; max: number };
    return [
      k,
      f.orders as number,
      f.makerFills as number,
      f.takerFills as number,
      fmt((f.fillRatio as number) * 100, 1),
      fmt((f.makerShare as number) * 100, 1),
      q.count > 0 ? `${fmt(q.p50, 1)} / ${fmt(q.max, 1)}` : '—',
      f.canceledUnfilled as number,
    ];
  });
  const notLive = ((m.notLive ?? []) as { instrument: string; from: string; to: string | null; ms: number | null }[]).map((p) => [
    p.instrument,
    p.from,
    p.to ?? 'end of file',
    p.ms ?? '—',
  ]);
  const line = `fill model: local venue, queue ${esc(fm.queue?.model ?? '—')}, latency feed ${esc(latencyText(fm.latency?.feed))} / entry ${esc(latencyText(fm.latency?.entry))} / response ${esc(latencyText(fm.latency?.response))}.`;
  const sections = `<h2>Fill model and speed</h2>
${table(['setting', 'value'], model)}
<h2>Fill ratios</h2>
${table(['instrument', 'orders', 'maker fills', 'taker fills', 'filled %', 'maker %', 'queue wait p50 / max (ms)', 'canceled unfilled'], ratios)}
<h2 id="not-live">Books not live (${notLive.length}; nothing traded in them)</h2>
${notLive.length > 0 ? table(['instrument', 'from', 'to', 'ms'], notLive) : '<p class="meta">none</p>'}`;
  return { line, sections };
}

export function reportHtml(r: BacktestReport): string {
  const m = r.meta;
  const s = r.risk.sharpe;
  const summary: (string | number)[][] = [
    ['net P&L', dec(r.pnl.net)],
    ['realized / unrealized', `${dec(r.pnl.realized)} / ${dec(r.pnl.unrealized)}`],
    ['fees', dec(r.pnl.fees)],
    ['round trips (wins / losses)', `${r.trades.count} (${r.trades.wins} / ${r.trades.losses})`],
    ['win rate', `${fmt(r.trades.winRate * 100, 1)}%`],
    ['profit factor', fmt(r.trades.profitFactor, 3)],
    ['fills (maker / taker)', `${r.fills.count} (${r.fills.maker} / ${r.fills.taker})`],
    ['max drawdown', dec(r.risk.maxDrawdown)],
    [
      'Sharpe (per interval / annualized)',
      `${fmt(s.perInterval, 3)} / ${fmt(s.annualized, 2)} over ${s.intervals} intervals of ${s.intervalMs} ms`,
    ],
  ];
  const inst = r.instruments.map((i) => [
    i.instrument,
    i.fills,
    dec(i.volume),
    dec(i.fees),
    dec(i.realizedPnl),
    dec(i.unrealizedPnl),
    dec(i.netPnl),
    i.position,
    i.roundTrips,
    i.wins,
  ]);
  const trades = r.trades.list.map((t) => [
    new Date(t.exitMs).toISOString(),
    t.symbol,
    t.direction,
    t.quantity,
    t.entryPrice,
    t.exitPrice,
    dec(t.pnl),
    dec(t.fees),
    t.entryReason,
    t.exitReason,
  ]);
  const checks = r.checks.map((c) => [c.ok ? 'ok' : 'FAILED', c.name, c.detail]);
  const et = eventTimeSections(m as Record<string, unknown>);
  const fillLine =
    et.line !== ''
      ? et.line
      : `fill model: embedded exchange (lockstep), maker ${esc(r.fills.feeBps.maker)} bps / taker ${esc(r.fills.feeBps.taker)} bps, latency ${esc(m.latencyMs)} ms.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>tickline backtest: ${esc(m.strategy)} on ${esc(m.file)}</title>
${PAGE_STYLE}</head><body>
<h1>Backtest: ${esc(m.strategy)}</h1>
<p class="meta">${esc(m.file)} (${esc(m.venue)}), ${esc(m.frames)} frames, recorded ${esc(m.recordedFrom)} to ${esc(m.recordedTo)};
${fillLine}</p>
${strategyErrorsLine(m.strategyErrors)}
${table(['figure', 'value'], summary)}
<h2>Equity curve (net P&amp;L, sampled every ${esc(s.intervalMs)} ms of recorded time)</h2>
${equitySvg(r.equityCurve)}
<h2>Per instrument</h2>
${table(['instrument', 'fills', 'volume', 'fees', 'realized', 'unrealized', 'net', 'position', 'round trips', 'wins'], inst)}
<h2>Round trips (most recent ${r.trades.list.length})</h2>
${table(['exit', 'instrument', 'direction', 'qty', 'entry', 'exit price', 'P&L (net)', 'fees', 'entry reason', 'exit reason'], trades)}
${et.sections}
<h2>Checks</h2>
${table(['', 'check', 'detail'], checks)}
</body></html>
`;
}
