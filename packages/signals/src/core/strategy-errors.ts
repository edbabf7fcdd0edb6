/**
 * A strategy that throws: what the signals core keeps about it. The first exception of a strategy
 * disables it (for every instrument: a strategy's state spans instruments, so a broken instance is
 * not trusted on any of them); the run goes on with the others. Built only when a callback throws,
 * never on the hot path.
 */

import {
  type BarLike,
  type BookViewLike,
  canonicalName,
  type FillRecord,
  type InstrumentRegistry,
  type TradeBatchLike,
} from '@tickline/wire';

/** The record a strategy was handling when it threw. Sequence numbers as strings. */
export interface StrategyErrorEvent {
  kind: 'book' | 'trades' | 'bar' | 'fill' | 'restore';
  /** Book view: its sequence; trades: the first trade id; fill: the venue sequence. */
  seq?: string;
  /** Fill: its id. */
  fillId?: string;
  /** The record's time (receive time; a bar's end; a fill's venue time), epoch ms, and as ISO text. */
  timeMs?: number;
  time?: string;
}

export interface StrategyError {
  strategy: string;
  /** `<venue>:<symbol>`, or null (restore). */
  instrument: string | null;
  event: StrategyErrorEvent;
  message: string;
  /** Wall clock (the core's clock) when it threw, epoch ms. */
  atMs: number;
}

export type StrategyEventKind = StrategyErrorEvent['kind'];

const at = (s: number, ns: number) => s * 1000 + Math.floor(ns / 1e6);

/** Describes the record of kind `kind` (the same record the callback got). */
export function describeEvent(kind: StrategyEventKind, rec: unknown): StrategyErrorEvent {
  const withTime = (e: StrategyErrorEvent, ms: number): StrategyErrorEvent =>
    ms > 0 ? { ...e, timeMs: ms, time: new Date(ms).toISOString() } : e;
  switch (kind) {
    case 'book': {
      const b = rec as BookViewLike;
      return withTime({ kind, seq: String(b.seq) }, at(b.recvS, b.recvNs));
    }
    case 'trades': {
      const t = rec as TradeBatchLike;
      return withTime({ kind, ...(t.length > 0 ? { seq: String(t.tradeId(0)) } : {}) }, at(t.recvS, t.recvNs));
    }
    case 'bar': {
      const b = rec as BarLike;
      return withTime({ kind }, at(b.endS, b.endNs));
    }
    case 'fill': {
      const f = rec as FillRecord;
      return withTime({ kind, seq: String(f.venueSeq), fillId: f.fillId }, at(f.tsS, f.tsNs));
    }
    default:
      return { kind };
  }
}

export function strategyError(
  registry: InstrumentRegistry,
  strategy: string,
  instrument: number | null,
  kind: StrategyEventKind,
  rec: unknown,
  err: unknown,
  atMs: number,
): StrategyError {
  const spec = instrument === null ? undefined : registry.get(instrument);
  return {
    strategy,
    instrument: instrument === null ? null : spec !== undefined ? canonicalName(spec.venue, spec.symbol) : String(instrument),
    event: describeEvent(kind, rec),
    message: err instanceof Error ? err.message : String(err),
    atMs,
  };
}
