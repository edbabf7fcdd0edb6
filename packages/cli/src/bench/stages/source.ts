// Pipeline-bench source: trade batches of `ticks` ticks, stamped with their emit time, either as
// fast as the pipeline takes them (throughput) or paced at `ratePerSec` ticks per second.
import type { StageContext, StageCore } from '@tickline/runtime';
import { nowSplit, SideCode, TradeBatchDraft } from '@tickline/wire';

export interface BenchSourceConfig {
  records: number;
  ticks: number;
  instruments: number;
  ratePerSec: number;
}

export default function create(ctx: StageContext): StageCore {
  const cfg = ctx.config as BenchSourceConfig;
  const draft = new TradeBatchDraft();
  const t = { s: 0, ns: 0 };
  let sent = 0;
  let running = true;
  return {
    start(emit) {
      const t0 = performance.now();
      const one = () => {
        nowSplit(t);
        draft.reset();
        draft.instrument = 1 + (sent % cfg.instruments);
        draft.priceScale = 2;
        draft.recvS = t.s;
        draft.recvNs = t.ns;
        for (let k = 0; k < cfg.ticks; k++) draft.push(10_000 + k, 1, SideCode.Buy, sent, t.s, t.ns);
        emit.trades(draft);
        sent++;
      };
      const pump = () => {
        if (!running) return;
        if (cfg.ratePerSec > 0) {
          // paced: emit every record that is due, one flush per event-loop turn (as a socket
          // callback would), then give the loop back
          const due = Math.min(cfg.records, Math.floor(((performance.now() - t0) / 1000) * (cfg.ratePerSec / cfg.ticks)));
          if (due > sent) {
            while (sent < due) one();
            emit.flush();
          }
        } else {
          for (let k = 0; k < 256 && sent < cfg.records; k++) one();
          emit.flush();
        }
        // paced: sleep until the next millisecond (a socket source is idle between reads too);
        // throughput: come straight back
        if (sent < cfg.records) cfg.ratePerSec > 0 ? setTimeout(pump, 1) : setImmediate(pump);
      };
      pump();
    },
    stop() {
      running = false;
    },
    stats: () => ({ sent }),
  };
}
