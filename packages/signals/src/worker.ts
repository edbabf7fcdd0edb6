/**
 * The signals stage as the runtime runs it: resolves config, imports users' strategy modules,
 * builds the core, reloads the market-view snapshot, and writes it periodically and at close.
 */

import { type StageContext, type StageCore, withFreshness } from '@tickline/runtime';
import type { OrderIntentRecord } from '@tickline/wire';
import { resolveSignalsConfig } from './config.js';
import { SignalsCore, type SignalsSnapshot } from './core/signals-core.js';
import { IntentLog } from './intent-log.js';
import type { StrategyType } from './core/strategy.js';
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js';
import { createStrategies } from './strategies/index.js';
import { loadStrategyModule } from './strategy-loader.js';

export default async function createSignalsStage(ctx: StageContext): Promise<StageCore> {
  const cfg = resolveSignalsConfig(withFreshness(ctx));
  const userTypes = new Map<string, StrategyType>();
  for (const s of cfg.strategies)
    if (s.type === 'module' && s.module && !userTypes.has(s.module)) userTypes.set(s.module, await loadStrategyModule(s.module));
  const intentLog = cfg.intentLog === null ? null : new IntentLog(cfg.intentLog, ctx.registry, ctx.partition);
  const core = new SignalsCore({
    registry: ctx.registry,
    strategies: createStrategies(cfg, ctx.registry, ctx.partition, userTypes),
    partition: ctx.partition,
    partitions: ctx.partitions,
    maxIntentsPerSecond: cfg.maxIntentsPerSecond,
    keepBars: cfg.keepBars,
    maxDataAgeMs: cfg.maxDataAgeMs,
    ...(ctx.clock ? { clock: ctx.clock } : {}),
    ...(intentLog !== null ? { onIntent: (i: OrderIntentRecord) => intentLog.add(i) } : {}),
    onStrategyError: (e) => {
      // logged once per strategy (it is disabled), by the supervisor as a stage error
      ctx.notify('error', {
        stage: 'signals',
        partition: ctx.partition,
        message: `strategy ${e.strategy} threw on ${e.instrument ?? 'restore'} (${e.event.kind}${e.event.seq !== undefined ? ` seq ${e.event.seq}` : ''}${e.event.time !== undefined ? ` at ${e.event.time}` : ''}): ${e.message}; strategy disabled, the run goes on`,
        strategyError: e,
      });
      // the other partitions run their own instance of it: disable it there too
      if (ctx.partitions > 1) ctx.notify('broadcast', { stage: 'signals', command: 'disable-strategy', args: { strategy: e.strategy } });
    },
  });
  const snapPath = cfg.snapshot.path?.replaceAll('{partition}', String(ctx.partition)) ?? null;
  let snapshots = 0;
  let snapshotErrors = 0;
  const save = () => {
    if (snapPath === null) return;
    try {
      const bytes = writeSnapshotFile(snapPath, core.snapshot());
      snapshots++;
      ctx.notify('snapshot', { stage: 'signals', partition: ctx.partition, path: snapPath, bytes });
    } catch (err) {
      snapshotErrors++;
      ctx.notify('error', { stage: 'signals', message: `snapshot write failed: ${(err as Error).message}` });
    }
  };
  if (snapPath !== null) {
    try {
      const saved = readSnapshotFile(snapPath);
      if (saved !== undefined) {
        const n = core.restore(saved as SignalsSnapshot);
        ctx.notify('snapshot-restored', { stage: 'signals', partition: ctx.partition, path: snapPath, instruments: n });
      }
    } catch (err) {
      ctx.notify('error', { stage: 'signals', message: `snapshot ${snapPath} unreadable, starting empty: ${(err as Error).message}` });
    }
  }
  let intentLogReported = false;
  const flushIntents = () => {
    if (intentLog === null) return;
    intentLog.flush();
    if (intentLog.firstError !== null && !intentLogReported) {
      intentLogReported = true; // once: the count says how many lines were lost
      ctx.notify('error', { stage: 'signals', message: `intent log ${intentLog.path}: write failed: ${intentLog.firstError}` });
    }
  };
  let nextSave = Date.now() + cfg.snapshot.intervalMs;
  return {
    onBookView: (v, emit) => core.onBookView(v, emit),
    onTrades: (t, emit) => core.onTrades(t, emit),
    onBar: (b, emit) => core.onBar(b, emit),
    onFill: (f, emit) => core.onFill(f, emit),
    onMark: (m, emit) => core.onMark(m, emit),
    tick(nowMs) {
      flushIntents();
      if (snapPath !== null && nowMs >= nextSave) {
        nextSave = nowMs + cfg.snapshot.intervalMs;
        save();
      }
    },
    control(command, args) {
      if (command === 'bars') {
        const id = (args as { instrument?: unknown } | null)?.instrument;
        if (typeof id !== 'number') throw new TypeError('bars: args.instrument must be an instrument id');
        return core.bars(id);
      }
      if (command === 'snapshot') {
        save();
        return { path: snapPath, snapshots };
      }
      if (command === 'report') return { ...core.snapshot(), strategyErrors: core.strategyErrors(), disabled: core.disabledStrategies() };
      if (command === 'strategy-errors') return { strategyErrors: core.strategyErrors(), disabled: core.disabledStrategies() };
      if (command === 'disable-strategy') {
        const id = (args as { strategy?: unknown } | null)?.strategy;
        if (typeof id !== 'string') throw new TypeError('disable-strategy: args.strategy must be a strategy id');
        return { disabled: core.disable(id) };
      }
      throw new Error(`signals: unknown command '${command}'; allowed: bars, snapshot, report, strategy-errors, disable-strategy`);
    },
    stats: () => ({
      ...core.stats(),
      snapshots,
      snapshotErrors,
      ...(intentLog !== null ? { intentLogLines: intentLog.written, intentLogLost: intentLog.lost } : {}),
    }),
    close() {
      flushIntents();
      save();
    },
  };
}
