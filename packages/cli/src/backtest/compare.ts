/**
 * Two backtest reports side by side: every headline figure of run A and run B and their difference
 * (B − A), per-instrument net P&L and fills, and both equity curves. Money is exact: the reports
 * hold decimal strings and the differences are exact decimal subtractions. Ratios (win rate,
 * Sharpe, drawdown %) are numbers and their differences are doubles.
 *
 * `loadReport` checks its input and throws CompareUsageError naming the argument (A or B): the
 * command exits 2 with that message.
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareDecimals, subDecimals } from '@tickline/wire';
import { type BacktestReport, REPORT_SCHEMA_VERSION } from './report.js';

export class CompareUsageError extends Error {}

/** How a figure is compared: exact decimal (money), integer count, or ratio (double). */
export type FigureKind = 'money' | 'count' | 'ratio';

export interface FigureRow {
  figure: string;
  kind: FigureKind;
  a: string | number | null;
  b: string | number | null;
  /** b − a: exact for money, null when either side is null. */
  diff: string | number | null;
}

export interface InstrumentRow {
  instrument: string;
  netPnl: { a: string; b: string; diff: string };
  fills: { a: number; b: number; diff: number };
}

export interface RunRef {
  /** The report.json that was read. */
  path: string;
  strategy: unknown;
  params: unknown;
  file: unknown;
  venue: unknown;
  recordedFrom: unknown;
  recordedTo: unknown;
}

export interface Comparison {
  schemaVersion: number;
  a: RunRef;
  b: RunRef;
  figures: FigureRow[];
  instruments: InstrumentRow[];
  /** The two equity curves, as the reports have them ([time ms, equity]). */
  curves: { a: [number, string][]; b: [number, string][] };
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** Reads A or B: a report.json, or a directory holding one. `arg` names the argument in errors. */
export function loadReport(arg: 'A' | 'B', given: string): { path: string; report: BacktestReport } {
  if (!existsSync(given)) throw new CompareUsageError(`${arg}: ${given} does not exist`);
  const path = statSync(given).isDirectory() ? join(given, 'report.json') : given;
  if (!existsSync(path)) throw new CompareUsageError(`${arg}: ${given} is a directory without a report.json`);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CompareUsageError(`${arg}: ${path} is not a backtest report (not JSON: ${(err as Error).message})`);
  }
  const r = data as Partial<BacktestReport> | null;
  const missing = ['meta', 'pnl', 'trades', 'fills', 'risk', 'equityCurve', 'instruments'].filter(
    (k) => r === null || typeof r !== 'object' || (r as Record<string, unknown>)[k] === undefined,
  );
  if (missing.length > 0) throw new CompareUsageError(`${arg}: ${path} is not a backtest report (missing ${missing.join(', ')})`);
  const rep = r as BacktestReport;
  if (rep.schemaVersion !== REPORT_SCHEMA_VERSION)
    throw new CompareUsageError(
      `${arg}: ${path} has report schema version ${JSON.stringify(rep.schemaVersion ?? null)}; this tickline compares version ${REPORT_SCHEMA_VERSION}`,
    );
  for (const [k, v] of Object.entries(rep.pnl))
    if (typeof v !== 'string' || !DECIMAL.test(v)) throw new CompareUsageError(`${arg}: ${path}: pnl.${k} is not a decimal string`);
  return { path, report: rep };
}

const money = (figure: string, a: string, b: string): FigureRow => ({ figure, kind: 'money', a, b, diff: subDecimals(b, a) });
const count = (figure: string, a: number, b: number): FigureRow => ({ figure, kind: 'count', a, b, diff: b - a });
const ratio = (figure: string, a: number | null, b: number | null): FigureRow => ({
  figure,
  kind: 'ratio',
  a,
  b,
  diff: a === null || b === null ? null : b - a,
});

const ref = (path: string, r: BacktestReport): RunRef => ({
  path,
  strategy: r.meta.strategy,
  params: r.meta.params,
  file: r.meta.file,
  venue: r.meta.venue,
  recordedFrom: r.meta.recordedFrom,
  recordedTo: r.meta.recordedTo,
});

export function compareReports(a: { path: string; report: BacktestReport }, b: { path: string; report: BacktestReport }): Comparison {
  const A = a.report;
  const B = b.report;
  const figures: FigureRow[] = [
    money('net P&L', A.pnl.net, B.pnl.net),
    money('realized P&L', A.pnl.realized, B.pnl.realized),
    money('unrealized P&L', A.pnl.unrealized, B.pnl.unrealized),
    money('fees', A.pnl.fees, B.pnl.fees),
    count('fills', A.fills.count, B.fills.count),
    count('maker fills', A.fills.maker, B.fills.maker),
    count('taker fills', A.fills.taker, B.fills.taker),
    money('traded notional', A.fills.notional, B.fills.notional),
    count('orders', A.fills.orders, B.fills.orders),
    count('round trips', A.trades.count, B.trades.count),
    count('wins', A.trades.wins, B.trades.wins),
    count('losses', A.trades.losses, B.trades.losses),
    ratio('win rate', A.trades.winRate, B.trades.winRate),
    money('max drawdown', A.risk.maxDrawdown, B.risk.maxDrawdown),
    ratio('max drawdown %', pct(A.risk.maxDrawdownPct), pct(B.risk.maxDrawdownPct)),
    ratio('Sharpe per interval', A.risk.sharpe.perInterval, B.risk.sharpe.perInterval),
    ratio('Sharpe annualized', A.risk.sharpe.annualized, B.risk.sharpe.annualized),
  ];
  const names = [...new Set([...A.instruments, ...B.instruments].map((i) => i.instrument))];
  const ia = new Map(A.instruments.map((i) => [i.instrument, i]));
  const ib = new Map(B.instruments.map((i) => [i.instrument, i]));
  const instruments = names.map((instrument): InstrumentRow => {
    const x = ia.get(instrument);
    const y = ib.get(instrument);
    const na = x?.netPnl ?? '0';
    const nb = y?.netPnl ?? '0';
    const fa = x?.fills ?? 0;
    const fb = y?.fills ?? 0;
    return { instrument, netPnl: { a: na, b: nb, diff: subDecimals(nb, na) }, fills: { a: fa, b: fb, diff: fb - fa } };
  });
  // the largest P&L differences first
  instruments.sort(
    (p, q) =>
      compareDecimals(abs(q.netPnl.diff), abs(p.netPnl.diff)) || q.fills.diff - p.fills.diff || p.instrument.localeCompare(q.instrument),
  );
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    a: ref(a.path, A),
    b: ref(b.path, B),
    figures,
    instruments,
    curves: { a: A.equityCurve, b: B.equityCurve },
  };
}

const pct = (v: number | null) => (v === null ? null : v * 100);
const abs = (s: string) => (s.startsWith('-') ? s.slice(1) : s);

/** A figure as the table shows it: exact decimals as they are, ratios at 4 decimals, signs on differences. */
export function cell(v: string | number | null, kind: FigureKind, signed = false): string {
  if (v === null) return '—';
  if (typeof v === 'string') return signed && !v.startsWith('-') && compareDecimals(v, '0') !== 0 ? `+${v}` : v;
  const t = kind === 'count' ? String(v) : Number.isFinite(v) ? v.toFixed(4) : '—';
  return signed && v > 0 ? `+${t}` : t;
}

/** The comparison as a fixed-width text table (stdout). */
export function compareTable(c: Comparison): string {
  const rows: string[][] = [['figure', 'A', 'B', 'B − A']];
  for (const f of c.figures) rows.push([f.figure, cell(f.a, f.kind), cell(f.b, f.kind), cell(f.diff, f.kind, true)]);
  const inst: string[][] = [['instrument', 'net A', 'net B', 'net B − A', 'fills A', 'fills B', 'fills B − A']];
  for (const i of c.instruments)
    inst.push([
      i.instrument,
      i.netPnl.a,
      i.netPnl.b,
      cell(i.netPnl.diff, 'money', true),
      String(i.fills.a),
      String(i.fills.b),
      cell(i.fills.diff, 'count', true),
    ]);
  return [
    `A: ${c.a.path} (${String(c.a.strategy)} ${JSON.stringify(c.a.params ?? {})})`,
    `B: ${c.b.path} (${String(c.b.strategy)} ${JSON.stringify(c.b.params ?? {})})`,
    '',
    layout(rows),
    '',
    layout(inst),
    '',
  ].join('\n');
}

function layout(rows: string[][]): string {
  const widths = (rows[0] as string[]).map((_, k) => Math.max(...rows.map((r) => (r[k] ?? '').length)));
  return rows
    .map((r) => r.map((c, k) => (k === 0 ? c.padEnd(widths[k] as number) : c.padStart(widths[k] as number))).join('  '))
    .join('\n');
}
