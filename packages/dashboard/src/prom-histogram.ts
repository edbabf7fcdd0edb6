/**
 * A prom-client metric whose histogram buckets come precomputed from merged LatencyHistograms,
 * one label (stage or edge) per series: `_bucket{le}` cumulative at the LE_SECONDS bounds and
 * `+Inf`, `_sum` in seconds, `_count`. The histograms it reads are kept monotonic by their owner.
 */

import { cumulativeBuckets, type LatencyHistogram, LE_SECONDS } from './latency.js';

export class MergedHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly label: string;
  readonly byLabel: Map<string, LatencyHistogram>;

  constructor(name: string, help: string, label: string, byLabel = new Map<string, LatencyHistogram>()) {
    this.name = name;
    this.help = help;
    this.label = label;
    this.byLabel = byLabel;
  }

  get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const [v, h] of this.byLabel) {
      const labels = { [this.label]: v };
      const cum = cumulativeBuckets(h);
      for (const [j, le] of LE_SECONDS.entries())
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: cum[j] as number });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: h.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: h.sum / 1e9 });
      values.push({ metricName: `${this.name}_count`, labels, value: h.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.byLabel.clear();
  }
}
