// Stage-bench sink: consumes what the stage under test emits, counting records by kind. For raw
// frames (ingest's output) it also records the time from the frame's receipt to its arrival
// here. `reset` clears the counts and the histogram (start of a measured window).
import { LatencyHistogram, type StageCore } from '@tickline/runtime';
import { epochMs } from '@tickline/wire';

export default function create(): StageCore {
  const hist = new LatencyHistogram();
  const n = { records: 0, rawFrames: 0, marks: 0, drops: 0 };
  const count = () => {
    n.records++;
  };
  return {
    onRawFrame(f) {
      n.records++;
      n.rawFrames++;
      hist.record((epochMs() - (f.recvS * 1000 + f.recvNs / 1e6)) * 1e6);
    },
    onBookDelta: count,
    onBookSnapshot: count,
    onTrades: count,
    onQuotes: count,
    onBookView: count,
    onBar: count,
    onSignal: count,
    onOrderIntent: count,
    onOrderEvent: count,
    onFill: count,
    onPosition: count,
    onMark() {
      n.records++;
      n.marks++;
    },
    onDrop(c) {
      n.drops += c;
    },
    control(command) {
      if (command !== 'reset') throw new TypeError(`the bench sink takes the command reset, got ${command}`);
      hist.reset();
      n.records = 0;
      n.rawFrames = 0;
      n.marks = 0;
      n.drops = 0;
      return true;
    },
    stats: () => ({ ...n, receiptP50Ns: hist.quantile(0.5), receiptP99Ns: hist.quantile(0.99), receiptP999Ns: hist.quantile(0.999) }),
  };
}
