/**
 * The one config-validation DSL of tickline. Every node checks its value, fills its default,
 * rejects unknown keys, and adds every violation it finds (with the path and what is allowed) to
 * one list, so a user sees all problems in one go rather than one per run. `parse` returns the
 * typed value with defaults filled in (a bad value is replaced by its default, so checks across
 * fields still run on sane values).
 *
 * Messages have one form: `<path>: must be <allowed>, got <value>`, `<path>: is not a known
 * setting (allowed here: a, b)`, `<path>: is required (<allowed>)`. Import as
 * '@tickline/runtime/config-schema' (no runtime dependencies) or from '@tickline/runtime'.
 */

export interface Issue {
  readonly path: string;
  readonly message: string;
}

export interface Schema<T> {
  /** Human description of the allowed values, used in messages. */
  readonly allowed: string;
  parse(value: unknown, path: string, issues: Issue[]): T;
}

/** The type a schema parses to. */
export type Infer<S> = S extends Schema<infer T> ? T : never;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as a message shows it: strings quoted, objects as (shortened) JSON. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  let s: string;
  try {
    s = JSON.stringify(value) ?? String(value);
  } catch {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Adds `<path>: must be <allowed>, got <value>` and returns `fallback`. */
export function violation<T>(issues: Issue[], path: string, allowed: string, value: unknown, fallback: T): T {
  issues.push({ path: path || '(config)', message: `must be ${allowed}, got ${describeValue(value)}` });
  return fallback;
}

/** Flags arrive as strings: "4" stands for 4. */
function numeric(v: unknown): unknown {
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
}

export function int(min: number, max: number, def: number): Schema<number> {
  const allowed = `an integer from ${min} to ${max}`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return def;
      const n = numeric(v);
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) return violation(issues, path, allowed, v, def);
      return n;
    },
  };
}

export function num(min: number, max: number, def: number): Schema<number> {
  const allowed = `a number from ${min} to ${max}`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return def;
      const n = numeric(v);
      if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) return violation(issues, path, allowed, v, def);
      return n;
    },
  };
}

export function bool(def: boolean): Schema<boolean> {
  return {
    allowed: 'true or false',
    parse(v, path, issues) {
      if (v === undefined) return def;
      if (v === 'true') return true;
      if (v === 'false') return false;
      if (typeof v !== 'boolean') return violation(issues, path, 'true or false', v, def);
      return v;
    },
  };
}

/** A string; without a pattern any non-empty string. `what` describes the pattern to a user. */
export function str(def: string, pattern?: RegExp, what?: string): Schema<string> {
  const allowed = what ?? (pattern ? `a string matching ${pattern}` : 'a non-empty string');
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return def;
      if (typeof v !== 'string' || (pattern ? !pattern.test(v) : v === '')) return violation(issues, path, allowed, v, def);
      return v;
    },
  };
}

export function oneOf<const T extends string>(values: readonly T[], def: T): Schema<T> {
  const allowed = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return def;
      if (typeof v !== 'string' || !values.includes(v as T)) return violation(issues, path, allowed, v, def);
      return v as T;
    },
  };
}

/** Absent stays absent (undefined) instead of taking the inner default. */
export function optional<T>(inner: Schema<T>): Schema<T | undefined> {
  return {
    allowed: inner.allowed,
    parse(v, path, issues) {
      return v === undefined ? undefined : inner.parse(v, path, issues);
    },
  };
}

/** `null` is allowed (and is the default). */
export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  const allowed = `${inner.allowed} or null`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined || v === null) return null;
      const before = issues.length;
      const out = inner.parse(v, path, issues);
      const here = path || '(config)';
      const added = issues.splice(before);
      if (!added.some((i) => i.path === here)) {
        issues.push(...added);
        return out;
      }
      // The value itself was refused: restate it with null among the allowed values (violations
      // deeper inside it stand as they are).
      violation(issues, path, allowed, v, null);
      for (const i of added) if (i.path !== here) issues.push(i);
      return null;
    },
  };
}

/** Must be given: absent is a violation (`is required (<allowed>)`); the inner default stands in. */
export function required<T>(inner: Schema<T>): Schema<T> {
  return {
    allowed: inner.allowed,
    parse(v, path, issues) {
      if (v === undefined) issues.push({ path: path || '(config)', message: `is required (${inner.allowed})` });
      return inner.parse(v, path, issues);
    },
  };
}

/** Any object, keys and values unchecked here (e.g. a plugin's parameters it validates itself). */
export function anyObject(): Schema<Record<string, unknown>> {
  return {
    allowed: 'an object',
    parse(v, path, issues) {
      if (v === undefined) return {};
      return isRecord(v) ? v : violation(issues, path, 'an object', v, {});
    },
  };
}

export function list<T>(item: Schema<T>, def: readonly T[], max = 10_000): Schema<T[]> {
  const allowed = `a list (at most ${max}) of ${item.allowed}`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return [...def];
      // A flag given once arrives as a string; a comma-separated string is a list.
      const arr =
        typeof v === 'string'
          ? v
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean)
          : v;
      if (!Array.isArray(arr) || arr.length > max) return violation(issues, path, allowed, v, [...def]);
      return arr.map((x, i) => item.parse(x, `${path}[${i}]`, issues));
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: S[K] extends Schema<infer T> ? T : never };

function unknownKey(issues: Issue[], path: string, key: string, keys: readonly string[]): void {
  issues.push({ path: joinPath(path, key), message: `is not a known setting (allowed here: ${keys.join(', ')})` });
}

/** An object with exactly these keys (each optional, with its node's default); others are rejected. */
export function obj<S extends Shape>(shape: S): Schema<Out<S>> {
  const keys = Object.keys(shape);
  const allowed = `an object with keys ${keys.join(', ')}`;
  return {
    allowed,
    parse(v, path, issues) {
      const src = v === undefined ? {} : v;
      if (!isRecord(src)) {
        violation(issues, path, allowed, v, null);
        return parseEach({}, shape, path, issues);
      }
      for (const k of Object.keys(src)) if (!Object.hasOwn(shape, k)) unknownKey(issues, path, k, keys);
      return parseEach(src, shape, path, issues);
    },
  };
}

/** An object whose keys may only be some of `keys` (e.g. per-edge overrides), each value `value`. */
export function record<T>(keys: readonly string[], value: Schema<T>): Schema<Record<string, T>> {
  const allowed = `an object whose keys are ${keys.join(', ')}`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return {};
      if (!isRecord(v)) return violation(issues, path, allowed, v, {});
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) {
        if (!keys.includes(k)) unknownKey(issues, path, k, keys);
        else out[k] = value.parse(x, joinPath(path, k), issues);
      }
      return out;
    },
  };
}

/** An object with free keys (e.g. per-instrument settings); `key` optionally restricts them. */
export function map<T>(value: Schema<T>, key?: { readonly pattern: RegExp; readonly allowed: string }): Schema<Record<string, T>> {
  const allowed = `an object of ${value.allowed}${key ? ` keyed by ${key.allowed}` : ''}`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return {};
      if (!isRecord(v)) return violation(issues, path, allowed, v, {});
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) {
        if (key && !key.pattern.test(k)) issues.push({ path: joinPath(path, k), message: `is not a valid key: must be ${key.allowed}` });
        out[k] = value.parse(x, joinPath(path, k), issues);
      }
      return out;
    },
  };
}

/**
 * Checks across fields, run on the parsed value after `inner`: `check` adds its violations with
 * paths under `path` (use `joinPath`). `valid(field)` says whether that field (dotted, under
 * `path`) parsed without a violation: a bad value stands replaced by its default, and a check on
 * it would report a value the user never gave.
 */
export function refine<T>(
  inner: Schema<T>,
  check: (value: T, path: string, issues: Issue[], valid: (field: string) => boolean) => void,
): Schema<T> {
  return {
    allowed: inner.allowed,
    parse(v, path, issues) {
      const before = issues.length;
      const out = inner.parse(v, path, issues);
      const valid = (field: string): boolean => {
        const p = joinPath(path, field);
        for (let i = before; i < issues.length; i++) {
          const at = (issues[i] as Issue).path;
          if (at === p || at.startsWith(`${p}.`) || at.startsWith(`${p}[`) || p.startsWith(`${at}.`)) return false;
        }
        return true;
      };
      check(out, path, issues, valid);
      return out;
    },
  };
}

function parseEach<S extends Shape>(src: Record<string, unknown>, shape: S, path: string, issues: Issue[]): Out<S> {
  const out: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(shape)) out[k] = schema.parse(src[k], joinPath(path, k), issues);
  return out as Out<S>;
}

/** `a` + `b` -> `a.b`; a root path stays empty. */
export function joinPath(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Parses `value` at `path` (default: the root) and returns the value and every violation. */
export function parseConfig<T>(schema: Schema<T>, value: unknown, path = ''): { value: T; issues: Issue[] } {
  const issues: Issue[] = [];
  return { value: schema.parse(value, path, issues), issues };
}

/** `o` without its absent (undefined) fields: optional overrides to spread over defaults. */
export function given<T extends object>(o: T): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}

/** Freezes a parsed config and every object and list in it. */
export function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) for (const v of Object.values(o)) deepFreeze(v);
  return Object.freeze(o);
}

/** Issues as `<path>: <message>` lines. */
export function issueLines(issues: readonly Issue[]): string[] {
  return issues.map((i) => `${i.path || '(config)'}: ${i.message}`);
}

/** Formats issues one per line, indented, as the CLI prints them. */
export function formatIssues(issues: readonly Issue[]): string {
  return issueLines(issues)
    .map((l) => `  ${l}`)
    .join('\n');
}
