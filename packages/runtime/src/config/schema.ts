/**
 * A small validating schema for configuration: every node checks its value, fills defaults,
 * rejects unknown keys, and adds every violation it finds (with the path and what is allowed)
 * to one list, so a user sees all problems in one go rather than one per run.
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

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function fail<T>(issues: Issue[], path: string, allowed: string, value: unknown, fallback: T): T {
  issues.push({ path, message: `must be ${allowed}, got ${describe(value)}` });
  return fallback;
}

export function int(min: number, max: number, def: number): Schema<number> {
  const allowed = `an integer from ${min} to ${max}`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return def;
      // Flags arrive as strings: accept "4" for 4.
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) return fail(issues, path, allowed, v, def);
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
      const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
      if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max) return fail(issues, path, allowed, v, def);
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
      if (typeof v !== 'boolean') return fail(issues, path, 'true or false', v, def);
      return v;
    },
  };
}

export function str(def: string, pattern?: RegExp, what?: string): Schema<string> {
  const allowed = what ?? (pattern ? `a string matching ${pattern}` : 'a string');
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return def;
      if (typeof v !== 'string' || (pattern && !pattern.test(v))) return fail(issues, path, allowed, v, def);
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
      if (typeof v !== 'string' || !values.includes(v as T)) return fail(issues, path, allowed, v, def);
      return v as T;
    },
  };
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> {
  return {
    allowed: inner.allowed,
    parse(v, path, issues) {
      return v === undefined ? undefined : inner.parse(v, path, issues);
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
      if (!Array.isArray(arr) || arr.length > max) return fail(issues, path, allowed, v, [...def]);
      return arr.map((x, i) => item.parse(x, `${path}[${i}]`, issues));
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type Out<S extends Shape> = { [K in keyof S]: S[K] extends Schema<infer T> ? T : never };

export function obj<S extends Shape>(shape: S): Schema<Out<S>> {
  const keys = Object.keys(shape);
  const allowed = `an object with keys ${keys.join(', ')}`;
  return {
    allowed,
    parse(v, path, issues) {
      const src = v === undefined ? {} : v;
      if (src === null || typeof src !== 'object' || Array.isArray(src)) {
        fail(issues, path || '(config)', allowed, v, null);
        return parseEach({}, shape, path, issues);
      }
      for (const k of Object.keys(src)) {
        if (!Object.hasOwn(shape, k))
          issues.push({ path: join(path, k), message: `is not a known setting (allowed here: ${keys.join(', ')})` });
      }
      return parseEach(src as Record<string, unknown>, shape, path, issues);
    },
  };
}

/** A map with free keys (e.g. per-edge overrides) whose keys must match `keyPattern`. */
export function record<T>(keys: readonly string[], value: Schema<T>): Schema<Record<string, T>> {
  const allowed = `an object whose keys are ${keys.join(', ')}`;
  return {
    allowed,
    parse(v, path, issues) {
      if (v === undefined) return {};
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail(issues, path, allowed, v, {});
      const out: Record<string, T> = {};
      for (const [k, x] of Object.entries(v)) {
        if (!keys.includes(k)) issues.push({ path: join(path, k), message: `is not a known key (allowed: ${keys.join(', ')})` });
        else out[k] = value.parse(x, join(path, k), issues);
      }
      return out;
    },
  };
}

function parseEach<S extends Shape>(src: Record<string, unknown>, shape: S, path: string, issues: Issue[]): Out<S> {
  const out: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(shape)) out[k] = schema.parse(src[k], join(path, k), issues);
  return out as Out<S>;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Formats issues one per line, as the CLI prints them. */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => `  ${i.path}: ${i.message}`).join('\n');
}
