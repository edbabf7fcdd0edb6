/** Request-body checks shared by the control routes: each failure names the field and what is allowed. */

import { badField } from '../errors.js';

export function body(v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw badField('body', 'a JSON object', v);
  return v as Record<string, unknown>;
}

export function onlyKeys(b: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(b)) if (!allowed.includes(k)) throw badField(k, `absent (allowed fields: ${allowed.join(', ')})`, b[k]);
}

export function bool(b: Record<string, unknown>, key: string): boolean {
  const v = b[key];
  if (typeof v !== 'boolean') throw badField(key, 'true or false', v);
  return v;
}

export function oneOf<T extends string>(b: Record<string, unknown>, key: string, values: readonly T[]): T {
  const v = b[key];
  if (typeof v !== 'string' || !values.includes(v as T)) throw badField(key, `one of ${values.map((x) => `'${x}'`).join(', ')}`, v);
  return v as T;
}

export function text(
  b: Record<string, unknown>,
  key: string,
  opts: { optional?: boolean; max?: number; pattern?: RegExp; hint?: string } = {},
): string | undefined {
  const v = b[key];
  if (v === undefined && opts.optional) return undefined;
  const max = opts.max ?? 200;
  const what = opts.hint ?? `a string of 1 to ${max} characters`;
  if (typeof v !== 'string' || v.length === 0 || v.length > max || (opts.pattern && !opts.pattern.test(v))) throw badField(key, what, v);
  return v;
}
