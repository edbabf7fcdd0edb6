import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { StrategyFactory, StrategyType } from './core/strategy.js';

/** Imports a user's strategy module: default export (or `createStrategy`) is a StrategyFactory. */
export async function loadStrategyModule(spec: string): Promise<StrategyType> {
  const url = spec.startsWith('file:') ? spec : pathToFileURL(isAbsolute(spec) ? spec : resolve(process.cwd(), spec)).href;
  const mod = (await import(url)) as { default?: unknown; createStrategy?: unknown; validateParams?: unknown };
  const create = (typeof mod.default === 'function' ? mod.default : mod.createStrategy) as StrategyFactory | undefined;
  if (typeof create !== 'function') throw new TypeError(`strategy module ${spec} must default-export a StrategyFactory function`);
  const validate = typeof mod.validateParams === 'function' ? (mod.validateParams as StrategyType['validate']) : () => [];
  return { create, validate };
}
