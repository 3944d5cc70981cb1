import type { ProblemList } from './problems.js';

type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads one YAML object field by field, reporting wrong types and unknown fields by path — the
 * Knative webhook rejects unknown fields, so a typo must not pass silently here either.
 */
export class FieldReader {
  private readonly seen = new Set<string>();

  constructor(
    private readonly value: Json,
    readonly path: string,
    readonly problems: ProblemList,
  ) {}

  static of(value: unknown, path: string, problems: ProblemList): FieldReader | undefined {
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) {
      problems.error(path, `must be an object, got ${describe(value)}`);
      return undefined;
    }
    return new FieldReader(value, path, problems);
  }

  field(key: string): string {
    if (key === '') return this.path;
    return this.path ? `${this.path}.${key}` : key;
  }

  has(key: string): boolean {
    return this.value[key] !== undefined && this.value[key] !== null;
  }

  raw(key: string): unknown {
    this.seen.add(key);
    return this.value[key];
  }

  error(key: string, message: string): void {
    this.problems.error(this.field(key), message);
  }

  warn(key: string, message: string): void {
    this.problems.warn(this.field(key), message);
  }

  string(key: string, options: { required?: boolean; pattern?: RegExp; patternHelp?: string } = {}): string | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) {
      if (options.required) this.error(key, 'is required');
      return undefined;
    }
    if (typeof value !== 'string') {
      this.error(key, `must be a string, got ${describe(value)}`);
      return undefined;
    }
    if (options.pattern && !options.pattern.test(value)) {
      this.error(key, `"${value}" is invalid${options.patternHelp ? `: ${options.patternHelp}` : ''}`);
      return undefined;
    }
    return value;
  }

  integer(key: string, options: { min?: number; max?: number } = {}): number | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.error(key, `must be an integer, got ${describe(value)}`);
      return undefined;
    }
    if (options.min !== undefined && value < options.min) {
      this.error(key, `must be at least ${options.min}, got ${value}`);
      return undefined;
    }
    if (options.max !== undefined && value > options.max) {
      this.error(key, `must be at most ${options.max}, got ${value}`);
      return undefined;
    }
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.string(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      this.error(key, `"${value}" is not one of: ${allowed.join(', ')}`);
      return undefined;
    }
    return value as T;
  }

  object(key: string, options: { required?: boolean } = {}): FieldReader | undefined {
    const value = this.raw(key);
    if ((value === undefined || value === null) && options.required) {
      this.error(key, 'is required');
      return undefined;
    }
    return FieldReader.of(value, this.field(key), this.problems);
  }

  /** A map of string to string, e.g. filter attributes or annotations. */
  stringMap(key: string): Record<string, string> | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (!isObject(value)) {
      this.error(key, `must be a map of strings, got ${describe(value)}`);
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value)) {
      if (typeof v !== 'string') this.problems.error(`${this.field(key)}.${k}`, `must be a string, got ${describe(v)} (quote it in YAML)`);
      else out[k] = v;
    }
    return out;
  }

  list(key: string): unknown[] | undefined {
    const value = this.raw(key);
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) {
      this.error(key, `must be a list, got ${describe(value)}`);
      return undefined;
    }
    return value;
  }

  /** Reports every field of the object that no read asked for. */
  rejectUnknown(ignored: readonly string[] = []): void {
    for (const key of Object.keys(this.value)) {
      if (!this.seen.has(key) && !ignored.includes(key)) this.error(key, 'unknown field (Knative rejects unknown fields)');
    }
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${JSON.stringify(value)}`;
}
