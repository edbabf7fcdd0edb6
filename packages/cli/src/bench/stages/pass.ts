// Pipeline-bench middle stage: reads every tick (so the work is real) and passes the batch on.
import type { StageCore } from '@tickline/runtime';

export default function create(): StageCore {
  let sum = 0;
  return {
    onTrades(t, emit) {
      for (let i = 0; i < t.length; i++) sum += t.price(i);
      emit.trades(t);
    },
    stats: () => ({ checksum: sum % 1e9 }),
  };
}
