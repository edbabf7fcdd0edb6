/**
 * Tiny validation helpers shared by option, fault and request validation. They collect every
 * violation (path + allowed values) instead of stopping at the first one.
 */

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}...` : v);
  if (v === null || typeof v !== 'object') return String(v);
  return Array.isArray(v) ? 'an array' : 'an object';
}

export class Checker {
  readonly errors: string[] = [];

  constructor(private readonly prefix: string) {}

  path(key: string): string {
    if (key === '') return this.prefix;
    return this.prefix === '' ? key : `${this.prefix}.${key}`;
  }

  fail(key: string, what: string, got: unknown): void {
    this.errors.push(`${this.path(key)} must be ${what} (got ${describe(got)})`);
  }

  unknownKeys(obj: Record<string, unknown>, allowed: readonly string[]): void {
    for (const k of Object.keys(obj)) {
      if (!allowed.includes(k)) this.errors.push(`${this.path(k)} is not a known option (allowed: ${allowed.join(', ')})`);
    }
  }

  int(obj: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(key, `an integer from ${min} to ${max}`, v);
      return undefined;
    }
    return v;
  }

  num(obj: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      this.fail(key, `a number from ${min} to ${max}`, v);
      return undefined;
    }
    return v;
  }

  bool(obj: Record<string, unknown>, key: string): boolean | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') {
      this.fail(key, 'true or false', v);
      return undefined;
    }
    return v;
  }

  oneOf<T extends string>(obj: Record<string, unknown>, key: string, allowed: readonly T[]): T | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.fail(key, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
      return undefined;
    }
    return v as T;
  }

  str(obj: Record<string, unknown>, key: string, pattern: RegExp, what: string): string | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !pattern.test(v)) {
      this.fail(key, what, v);
      return undefined;
    }
    return v;
  }

  strings(obj: Record<string, unknown>, key: string, max: number): string[] | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length > max || !v.every((s) => typeof s === 'string')) {
      this.fail(key, `an array of at most ${max} strings`, v);
      return undefined;
    }
    return v as string[];
  }

  record(obj: Record<string, unknown>, key: string): Record<string, unknown> | undefined {
    const v = obj[key];
    if (v === undefined) return undefined;
    if (!isRecord(v)) {
      this.fail(key, 'an object', v);
      return undefined;
    }
    return v;
  }

  child(key: string): Checker {
    const c = new Checker(this.path(key));
    return c;
  }

  absorb(c: Checker): void {
    this.errors.push(...c.errors);
  }
}
