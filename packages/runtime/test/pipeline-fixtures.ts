/** What the pipeline tests share: the fixture stages, a silent logger, a checked config. */
import { expect } from 'vitest';
import {
  createLogger,
  type Group,
  type Issue,
  Pipeline,
  placementGroups,
  type RuntimeConfig,
  runtimeSchema,
  type StageName,
} from '../src/index.js';

export const fixture = (name: string) => new URL(`./fixtures/${name}.ts`, import.meta.url).href;
export const modules: Record<StageName, string> = {
  ingest: fixture('source-stage'),
  normalize: fixture('pass-stage'),
  book: fixture('pass-stage'),
  signals: fixture('pass-stage'),
  risk: fixture('pass-stage'),
  execution: fixture('sink-stage'),
};
export const logger = createLogger('silent');

/** Parses a runtime config and its placement, expecting no violation. */
export function config(raw: unknown) {
  const issues: Issue[] = [];
  const cfg = runtimeSchema.parse(raw, '', issues);
  const groups = placementGroups(cfg, issues);
  expect(issues).toEqual([]);
  return { cfg, groups };
}

/** Starts the fixture stages with this ingest (source) configuration. */
export function startFixtures(cfg: RuntimeConfig, groups: Group[], ingest: Record<string, unknown>): Promise<Pipeline> {
  return Pipeline.start({ config: cfg, groups, stageModules: modules, stageConfigs: { ingest }, registry: [], logger });
}

/** Polls stats until the sink counted `ticks` ticks (or the timeout passed); returns the last stats. */
export async function runUntil(p: Pipeline, ticks: number, timeoutMs = 20_000) {
  const t0 = Date.now();
  for (;;) {
    const s = await p.stats();
    const sink = s.stages.find((x) => x.stage === 'execution');
    if ((sink?.core.ticks ?? 0) >= ticks || Date.now() - t0 > timeoutMs) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
}
