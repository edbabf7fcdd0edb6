// Stage-bench source: replays a tape (encoded records on shared memory) on command, unchanged,
// either as fast as the pipeline takes them (block policy: the source waits on a full ring) or
// paced at `rate` records/s with one flush per event-loop turn, as a socket source would.
import { RecordReader } from '@tickline/wire';
import type { ForwardingEmitter, StageContext, StageCore } from '@tickline/runtime';
import type { Tape } from '../stage/tape.js';

export interface PlayArgs {
  from: number;
  to: number;
  /** Records per second; 0 = unpaced. */
  rate: number;
}

function playArgs(args: unknown, tape: Tape): PlayArgs {
  const a = (args ?? {}) as Partial<PlayArgs>;
  const ok = (v: unknown, max: number): v is number => Number.isInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (!ok(a.from, tape.count) || !ok(a.to, tape.count) || a.from > a.to)
    throw new RangeError(`play: args.from and args.to must be integers with 0 <= from <= to <= ${tape.count}`);
  if (typeof a.rate !== 'number' || !(a.rate >= 0)) throw new RangeError('play: args.rate must be a number >= 0');
  return { from: a.from, to: a.to, rate: a.rate };
}

export default function create(ctx: StageContext): StageCore {
  const tape = (ctx.config as { tape: Tape }).tape;
  const reader = new RecordReader(tape.data);
  let emit: ForwardingEmitter | null = null;
  let sent = 0;
  let playing = false;
  let stopped = false;
  const one = (out: ForwardingEmitter, i: number) => {
    const off = tape.offsets[i] as number;
    const len = tape.lengths[i] as number;
    reader.open(off, len);
    out.forward(reader, tape.data, off, len);
    sent++;
  };
  const play = (out: ForwardingEmitter, p: PlayArgs) => {
    let next = p.from;
    const t0 = performance.now();
    const pump = () => {
      if (stopped) return;
      const due = p.rate > 0 ? Math.min(p.to, p.from + Math.floor(((performance.now() - t0) / 1000) * p.rate)) : Math.min(p.to, next + 256);
      if (due > next) {
        while (next < due) one(out, next++);
        out.flush();
      }
      if (next < p.to) p.rate > 0 ? setTimeout(pump, 1) : setImmediate(pump);
      else playing = false;
    };
    pump();
  };
  return {
    start(e) {
      emit = e as ForwardingEmitter;
    },
    stop() {
      stopped = true;
    },
    control(command, args) {
      if (command !== 'play') throw new TypeError(`the bench source takes the command play, got ${command}`);
      if (emit === null) throw new Error('play before start');
      if (playing) throw new Error('play while a play is under way');
      playing = true;
      play(emit, playArgs(args, tape));
      return true;
    },
    stats: () => ({ sent, playing: playing ? 1 : 0 }),
  };
}
