/**
 * The live event log: a bounded ring of what workers reported over the control plane (errors,
 * resyncs, trading-state changes, orders, fills, warnings) plus what the dashboard itself sees
 * change in the stats (feed up/down, reconnects, worker restarts). Data is trimmed and keys that
 * could hold secrets are dropped before anything reaches a browser.
 */

import type { InstrumentRegistry } from '@tickline/wire';
import type { WorkerEventLike } from './options.js';

export type EventKind = 'order' | 'fill' | 'halt' | 'resync' | 'feed' | 'error' | 'warn' | 'info';

export interface LogEntry {
  seq: number;
  ts: number;
  kind: EventKind;
  stage: string;
  partition: number;
  event: string;
  text: string;
  data: unknown;
}

const SECRET_KEY = /token|secret|password|passphrase|api.?key|authorization|signature/i;
const STAGES = new Set(['ingest', 'normalize', 'book', 'signals', 'risk', 'execution']);

/** A JSON-safe copy with secret-looking keys removed and depth/size bounded. */
export function sanitize(v: unknown, depth = 0): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'boolean') return v;
  if (typeof v === 'string') return v.length > 300 ? `${v.slice(0, 300)}…` : v;
  if (depth > 3) return '…';
  if (Array.isArray(v)) return v.slice(0, 20).map((x) => sanitize(x, depth + 1));
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>).slice(0, 30))
      if (!SECRET_KEY.test(k)) out[k] = sanitize(x, depth + 1);
    return out;
  }
  return String(v);
}

/** The stage an event belongs to: the stage named in its data, else its worker's group. */
export function stageOf(e: WorkerEventLike): string {
  const s = (e.data as { stage?: unknown } | null)?.stage;
  return typeof s === 'string' && STAGES.has(s) ? s : e.stage;
}

export class EventLog {
  readonly #ring: (LogEntry | undefined)[];
  readonly #registry: InstrumentRegistry;
  #seq = 0;

  constructor(size: number, registry: InstrumentRegistry) {
    this.#ring = new Array(size);
    this.#registry = registry;
  }

  get lastSeq(): number {
    return this.#seq;
  }

  fromWorker(e: WorkerEventLike): LogEntry {
    const d = (e.data ?? {}) as Record<string, unknown>;
    const { kind, text } = this.#describe(e.event, d);
    return this.add({ kind, stage: stageOf(e), partition: e.partition, event: e.event, text, data: sanitize(e.data) });
  }

  add(entry: Omit<LogEntry, 'seq' | 'ts'> & { ts?: number }): LogEntry {
    const full: LogEntry = { seq: ++this.#seq, ts: entry.ts ?? Date.now(), ...entry } as LogEntry;
    this.#ring[full.seq % this.#ring.length] = full;
    return full;
  }

  /** Entries after `seq`, oldest first (at most the ring's size). */
  since(seq: number): LogEntry[] {
    const out: LogEntry[] = [];
    const from = Math.max(seq + 1, this.#seq - this.#ring.length + 1);
    for (let s = from; s <= this.#seq; s++) {
      const e = this.#ring[s % this.#ring.length];
      if (e && e.seq === s) out.push(e);
    }
    return out;
  }

  #symbol(id: unknown): string {
    if (typeof id !== 'number') return String(id ?? '?');
    return this.#registry.get(id)?.symbol ?? `#${id}`;
  }

  #describe(event: string, d: Record<string, unknown>): { kind: EventKind; text: string } {
    const reason = typeof d.reason === 'string' ? d.reason : '';
    if (event === 'trading-state')
      return { kind: 'halt', text: `trading state ${String(d.state ?? '?').toUpperCase()}${reason ? ` (${reason})` : ''}` };
    if (event === 'resync') return { kind: 'resync', text: `resync ${this.#symbol(d.instrument)}${reason ? `: ${reason}` : ''}` };
    if (event === 'error') return { kind: 'error', text: String(d.message ?? d.err ?? 'error') };
    if (/fill/i.test(event)) return { kind: 'fill', text: `${event} ${this.#trade(d)}` };
    if (/order/i.test(event)) return { kind: 'order', text: `${event} ${this.#trade(d)}` };
    if (/feed|connect/i.test(event)) return { kind: 'feed', text: `${event}${reason ? `: ${reason}` : ''}` };
    if (event === 'log') {
      const level = d.level === 'error' ? 'error' : d.level === 'warn' ? 'warn' : 'info';
      return {
        kind: level,
        text: `${String(d.msg ?? 'log')}${reason ? `: ${reason}` : ''}${typeof d.detail === 'string' ? ` — ${d.detail}` : ''}`,
      };
    }
    return { kind: 'info', text: event };
  }

  #trade(d: Record<string, unknown>): string {
    const parts: string[] = [];
    const inst = d.symbol ?? (d.instrument !== undefined ? this.#symbol(d.instrument) : undefined);
    if (inst !== undefined) parts.push(String(inst));
    for (const k of ['side', 'status', 'size', 'quantity', 'price', 'reason'])
      if (d[k] !== undefined && (typeof d[k] === 'string' || typeof d[k] === 'number')) parts.push(`${k}=${d[k]}`);
    return parts.join(' ');
  }
}
