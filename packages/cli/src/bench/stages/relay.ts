// Stage-bench relay for the unused stage slots: passes every record on unchanged (a core with
// no handler forwards). With `keepFeedback` (when execution is under test) it keeps the feedback
// execution sends back (order events, fills, positions), counting it: it is then the consumer of
// execution's output.
import type { StageContext, StageCore } from '@tickline/runtime';

export default function create(ctx: StageContext): StageCore {
  if ((ctx.config as { keepFeedback?: boolean } | null)?.keepFeedback !== true) return {};
  const n = { orderEvents: 0, fills: 0, positions: 0 };
  return {
    onOrderEvent() {
      n.orderEvents++;
    },
    onFill() {
      n.fills++;
    },
    onPosition() {
      n.positions++;
    },
    stats: () => ({ ...n }),
  };
}
