/**
 * A stand-in for the runtime's Pipeline that records every control command and answers like the
 * stages do (risk kill switch and trading state, ingest subscribe). Each stats() call counts 100
 * more records, each waiting 20 µs on `book->signals` and taking risk 50 µs. For tests that need
 * control over the answers; the live tests use the real Pipeline.
 */

import { LatencyHistogram, snapshotOf } from '@tickline/runtime';
import type { PipelineLike, WorkerEventLike } from '../src/options.js';

export interface RecordedCommand {
  stage: string;
  command: string;
  args: unknown;
}

export class FakePipeline implements PipelineLike {
  readonly commands: RecordedCommand[] = [];
  state: 'active' | 'reducing' | 'halted' = 'active';
  processed = 0;
  readonly queueDelay = new LatencyHistogram();
  readonly serviceTime = new LatencyHistogram();
  statsValue: () => unknown = () => ({
    workers: [
      {
        group: 'all',
        partition: 0,
        threadId: 1,
        busyRatio: 0.25,
        queueDelay: { 'book->signals': snapshotOf(this.queueDelay) },
        serviceTime: { ingest: snapshotOf(new LatencyHistogram()), risk: snapshotOf(this.serviceTime) },
        stages: [
          {
            stage: 'ingest',
            processed: 0,
            emitted: this.processed,
            dropped: {},
            core: {
              connections: 1,
              connectionsUp: 1,
              reconnects: 0,
              frames: this.processed,
              heartbeatTimeouts: 2,
              heartbeatSilenceMs: 2_610,
            },
          },
          {
            stage: 'risk',
            processed: this.processed,
            emitted: 0,
            dropped: {},
            core: { state: ['active', 'reducing', 'halted'].indexOf(this.state), 'rejected.halted': 2 },
          },
        ],
      },
    ],
    restarts: 0,
    queueDelay: { 'book->signals': snapshotOf(this.queueDelay) },
    serviceTime: { ingest: snapshotOf(new LatencyHistogram()), risk: snapshotOf(this.serviceTime) },
  });
  readonly #listeners = new Set<(e: WorkerEventLike) => void>();

  readonly events = {
    on: (fn: (e: WorkerEventLike) => void) => {
      this.#listeners.add(fn);
      return () => this.#listeners.delete(fn);
    },
  };

  emit(e: WorkerEventLike): void {
    for (const fn of this.#listeners) fn(e);
  }

  async stats(): Promise<unknown> {
    this.processed += 100;
    for (let i = 0; i < 100; i++) {
      this.queueDelay.record(20_000);
      this.serviceTime.record(50_000);
    }
    return this.statsValue();
  }

  ringStats(): unknown[] {
    return [{ name: 'book->signals[0->0]', capacity: 1024, usedBytes: 256, recordsOut: this.processed, dropped: { 'drop-oldest': 1 } }];
  }

  async command(stage: string, command: string, args: unknown): Promise<unknown[]> {
    this.commands.push({ stage, command, args });
    if (stage === 'risk' && command === 'kill-switch') this.state = (args as { on: boolean }).on ? 'halted' : 'active';
    else if (stage === 'risk' && command === 'trading-state') this.state = (args as { state: 'active' | 'reducing' | 'halted' }).state;
    else if (stage === 'risk' && command === 'report')
      return [{ state: this.state, haltReasons: this.state === 'halted' ? ['kill_switch'] : [], equity: 12.5, dayPnl: 1.5, positions: [] }];
    else if (stage === 'ingest' && (command === 'subscribe' || command === 'unsubscribe')) return [{ ok: true }];
    else throw new Error(`${stage}: unknown command '${command}'`);
    return [{ state: this.state }];
  }
}
