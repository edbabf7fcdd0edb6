/**
 * Rule-based config validation shared by the trading stages (signals, risk, execution) and
 * their strategies: declarative rules checked in one pass, every violation collected with its
 * path and what is allowed, unknown keys rejected. Import as '@tickline/runtime/config-rules'.
 */

export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

export type Rule =
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'num'; readonly min: number; readonly max: number }
  | { readonly kind: 'bool' }
  | { readonly kind: 'string'; readonly pattern?: RegExp; readonly hint?: string }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'obj'; readonly fields: Readonly<Record<string, Rule>>; readonly required?: readonly string[] }
  | { readonly kind: 'arr'; readonly of: Rule; readonly min?: number; readonly max?: number }
  | { readonly kind: 'map'; readonly of: Rule; readonly key?: (k: string) => string | null }
  | { readonly kind: 'any' }
  | { readonly kind: 'custom'; readonly check: (v: unknown, path: string, issues: ConfigIssue[]) => void };

export const int = (min: number, max: number): Rule => ({ kind: 'int', min, max });
export const num = (min: number, max: number): Rule => ({ kind: 'num', min, max });
export const bool: Rule = { kind: 'bool' };
export const str = (pattern?: RegExp, hint?: string): Rule =>
  pattern ? (hint ? { kind: 'string', pattern, hint } : { kind: 'string', pattern }) : { kind: 'string' };
export const oneOf = (values: readonly string[]): Rule => ({ kind: 'enum', values });
export const obj = (fields: Record<string, Rule>, required: readonly string[] = []): Rule => ({ kind: 'obj', fields, required });
export const arr = (of: Rule, min = 0, max = Number.MAX_SAFE_INTEGER): Rule => ({ kind: 'arr', of, min, max });
export const map = (of: Rule, key?: (k: string) => string | null): Rule => (key ? { kind: 'map', of, key } : { kind: 'map', of });

export function show(v: unknown): string {
  if (typeof v === 'string') return `'${v}'`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const join = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/** Appends every violation of `rule` by `value` at `path` to `issues`. */
export function check(value: unknown, rule: Rule, path: string, issues: ConfigIssue[]): void {
  const where = path || '(root)';
  switch (rule.kind) {
    case 'int':
      if (!Number.isInteger(value) || (value as number) < rule.min || (value as number) > rule.max)
        issues.push({ path: where, message: `must be an integer from ${rule.min} to ${rule.max}, got ${show(value)}` });
      return;
    case 'num':
      if (typeof value !== 'number' || !Number.isFinite(value) || value < rule.min || value > rule.max)
        issues.push({ path: where, message: `must be a number from ${rule.min} to ${rule.max}, got ${show(value)}` });
      return;
    case 'bool':
      if (typeof value !== 'boolean') issues.push({ path: where, message: `must be true or false, got ${show(value)}` });
      return;
    case 'string':
      if (typeof value !== 'string' || value.length === 0 || (rule.pattern && !rule.pattern.test(value)))
        issues.push({ path: where, message: `must be ${rule.hint ?? 'a non-empty string'}, got ${show(value)}` });
      return;
    case 'enum':
      if (typeof value !== 'string' || !rule.values.includes(value))
        issues.push({ path: where, message: `must be one of ${rule.values.map((a) => `'${a}'`).join(', ')}, got ${show(value)}` });
      return;
    case 'arr':
      if (!Array.isArray(value)) {
        issues.push({ path: where, message: `must be an array, got ${show(value)}` });
        return;
      }
      if (value.length < (rule.min ?? 0) || value.length > (rule.max ?? Number.MAX_SAFE_INTEGER))
        issues.push({ path: where, message: `must have ${rule.min ?? 0} to ${rule.max ?? 'any number of'} items, got ${value.length}` });
      for (let i = 0; i < value.length; i++) check(value[i], rule.of, join(path, i), issues);
      return;
    case 'map':
      if (!isRecord(value)) {
        issues.push({ path: where, message: `must be an object, got ${show(value)}` });
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        const bad = rule.key?.(k);
        if (bad) issues.push({ path: join(path, k), message: bad });
        check(v, rule.of, join(path, k), issues);
      }
      return;
    case 'obj': {
      if (!isRecord(value)) {
        issues.push({ path: where, message: `must be an object, got ${show(value)}` });
        return;
      }
      const allowed = Object.keys(rule.fields);
      for (const [k, v] of Object.entries(value)) {
        const r = rule.fields[k];
        if (r === undefined) issues.push({ path: join(path, k), message: `unknown key; allowed keys: ${allowed.join(', ')}` });
        else if (v !== undefined) check(v, r, join(path, k), issues);
      }
      for (const k of rule.required ?? []) if (value[k] === undefined) issues.push({ path: join(path, k), message: 'is required' });
      return;
    }
    case 'custom':
      rule.check(value, where, issues);
      return;
    case 'any':
      return;
  }
}

/** Formats issues as one message per line. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
}
