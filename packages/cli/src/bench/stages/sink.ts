// Pipeline-bench sink: counts ticks and records each record's latency from its emit time.
import { LatencyHistogram, type StageCore } from '@tickline/runtime';

export default function create(): StageCore {
  const hist = new LatencyHistogram();
  let ticks = 0;
  let firstRecvMs = 0;
  let lastAtMs = 0;
  return {
    onTrades(t) {
      const now = performance.timeOrigin + performance.now();
      const recvMs = t.recvS * 1000 + t.recvNs / 1e6;
      if (ticks === 0) firstRecvMs = recvMs;
      for (let i = 0; i < t.length; i++) ticks++;
      lastAtMs = now;
      hist.record((now - recvMs) * 1e6);
    },
    stats: () => ({
      ticks,
      firstRecvMs,
      lastAtMs,
      p50Ns: hist.quantile(0.5),
      p99Ns: hist.quantile(0.99),
      p999Ns: hist.quantile(0.999),
    }),
  };
}
