/** Where a backtest's report goes: report.json and report.html in the output directory, and a summary on stdout. */

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reportHtml } from './html.js';
import type { ResolvedBacktest } from './options.js';
import type { BacktestReport } from './report.js';

export function writeOutputs(dir: string, report: BacktestReport): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(join(dir, 'report.html'), reportHtml(report));
}

export function printSummary(r: ResolvedBacktest, rep: BacktestReport): void {
  if (r.json) {
    process.stdout.write(`${JSON.stringify(rep)}\n`);
    return;
  }
  const s = rep.risk.sharpe;
  const f = (n: number | null, d = 4) => (n === null ? '—' : n.toFixed(d));
  process.stdout.write(
    `tickline backtest ${rep.meta.strategy} on ${rep.meta.file}: ${rep.meta.frames} frames, ${rep.fills.count} fills, ` +
      `${rep.trades.count} round trips (win rate ${(rep.trades.winRate * 100).toFixed(1)}%)\n` +
      `  net P&L ${rep.pnl.net} (realized ${rep.pnl.realized}, unrealized ${rep.pnl.unrealized}, fees ${rep.pnl.fees})\n` +
      `  max drawdown ${rep.risk.maxDrawdown}; Sharpe ${f(s.perInterval, 3)} per ${s.intervalMs} ms, ${f(s.annualized, 2)} annualized\n` +
      `  report: ${join(r.out, 'report.html')} and report.json\n`,
  );
  const failed = rep.checks.filter((c) => !c.ok);
  if (failed.length > 0)
    process.stderr.write(`tickline backtest: checks failed: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}\n`);
}

/** Writes the report, prints the summary and a replay failure; the exit code (1 when the replay failed). */
export function finish(r: ResolvedBacktest, report: BacktestReport, error: string | null): number {
  writeOutputs(r.out, report);
  printSummary(r, report);
  if (error !== null) process.stderr.write(`tickline backtest: replay failed: ${error}\n`);
  return error === null ? 0 : 1;
}
