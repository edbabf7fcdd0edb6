/** Progress of a long replay on stderr: a bar redrawn in place on a TTY, else a log line every few seconds. */

export interface Progress {
  update(frames: number): void;
  done(frames: number): void;
}

/**
 * `unit` names what is counted; `eventsPer` (events per unit, on average) adds an events/s figure.
 */
export function createProgress(
  mode: 'auto' | 'bar' | 'log' | 'none',
  total: number,
  out: NodeJS.WriteStream = process.stderr,
  opts: { unit?: string; eventsPer?: number; label?: string } = {},
): Progress {
  const unit = opts.unit ?? 'frames';
  const label = opts.label ?? 'backtest';
  const resolved = mode === 'auto' ? (out.isTTY === true ? 'bar' : 'log') : mode;
  const started = performance.now();
  let last = 0;
  if (resolved === 'none') return { update() {}, done() {} };
  const line = (frames: number): string => {
    const pct = total > 0 ? Math.min(1, frames / total) : 1;
    const s = (performance.now() - started) / 1000;
    const rate = frames / Math.max(s, 0.001);
    const eta = rate > 0 ? (total - frames) / rate : 0;
    const ev = opts.eventsPer === undefined ? '' : `, ${Math.round(rate * opts.eventsPer).toLocaleString('en-US')} events/s`;
    // an unknown total (0): counts and rates only
    if (total <= 0) return `${frames} ${unit}, ${Math.round(rate)} ${unit}/s${ev}, ${s.toFixed(1)}s elapsed`;
    return `${(pct * 100).toFixed(1)}% ${frames}/${total} ${unit}, ${Math.round(rate)} ${unit}/s${ev}, ${s.toFixed(1)}s elapsed, ~${eta.toFixed(0)}s left`;
  };
  if (resolved === 'bar') {
    const width = 30;
    const draw = (frames: number) => {
      if (total <= 0) {
        out.write(`\r\x1b[2K${label}: ${line(frames)}`);
        return;
      }
      const filled = Math.round((Math.min(frames, total) / total) * width);
      out.write(`\r\x1b[2K${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${line(frames)}`);
    };
    return {
      update(frames) {
        const now = performance.now();
        if (now - last < 100) return;
        last = now;
        draw(frames);
      },
      done(frames) {
        draw(frames);
        out.write('\n');
      },
    };
  }
  last = started;
  return {
    update(frames) {
      const now = performance.now();
      if (now - last < 2000) return;
      last = now;
      out.write(`tickline ${label}: ${line(frames)}\n`);
    },
    done(frames) {
      out.write(`tickline ${label}: ${total <= 0 ? 'prepared' : 'replayed'} ${line(frames)}\n`);
    },
  };
}
