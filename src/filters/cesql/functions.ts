// Built-in functions (spec §3.5), plus INT, BOOL and STRING: the TCK needs them and §3.7 refers to
// their semantics, though the v1 function tables do not list them. Each is total: on bad input it
// returns `fail(...)` with the value the spec says it returns alongside the error.
import type { CesqlErrorKind } from './errors.js';
import { INT32_MAX, INT32_MIN } from './types.js';
import type { CesqlType, CesqlValue } from './types.js';

/** Records the error and returns `fallback`, the value the function then returns. */
export type Fail = (kind: CesqlErrorKind, message: string, fallback: CesqlValue) => CesqlValue;

export interface FunctionDefinition {
  /** Upper case. */
  readonly name: string;
  readonly parameters: readonly CesqlType[];
  /** Type of any further arguments, for a variadic function. */
  readonly variadic?: CesqlType;
  readonly returns: CesqlType;
  /** Receives arguments already cast to the parameter types. */
  readonly call: (args: readonly CesqlValue[], fail: Fail) => CesqlValue;
}

// Strings are indexed by Unicode character, not UTF-16 unit; the array form is only built when a
// surrogate is present, which event attributes almost never contain.
const SURROGATE = /[\uD800-\uDFFF]/;

function charLength(s: string): number {
  return SURROGATE.test(s) ? Array.from(s).length : s.length;
}

function sliceChars(s: string, start: number, end?: number): string {
  return SURROGATE.test(s) ? Array.from(s).slice(start, end).join('') : s.slice(start, end);
}

// Unicode White_Space, as §3.5.1 requires; String.prototype.trim differs (it strips U+FEFF and keeps U+0085).
const EDGE_WHITESPACE = /^\p{White_Space}+|\p{White_Space}+$/gu;

const str = (v: CesqlValue | undefined): string => v as string;
const int = (v: CesqlValue | undefined): number => v as number;

function substring(args: readonly CesqlValue[], fail: Fail): CesqlValue {
  const x = str(args[0]);
  const pos = int(args[1]);
  const len = args.length > 2 ? int(args[2]) : undefined;
  const n = charLength(x);
  if (len !== undefined && len < 0) return fail('functionEvaluation', `SUBSTRING length must not be negative, got ${len}`, '');
  if (pos > n || pos < -n) {
    return fail('functionEvaluation', `SUBSTRING position ${pos} is outside a string of length ${n}`, '');
  }
  if (pos === 0) return '';
  const start = pos > 0 ? pos - 1 : n + pos;
  return sliceChars(x, start, len === undefined ? undefined : start + len);
}

const BUILT_INS: readonly FunctionDefinition[] = [
  { name: 'LENGTH', parameters: ['String'], returns: 'Integer', call: (a) => charLength(str(a[0])) },
  { name: 'CONCAT', parameters: [], variadic: 'String', returns: 'String', call: (a) => a.join('') },
  {
    name: 'CONCAT_WS',
    parameters: ['String'],
    variadic: 'String',
    returns: 'String',
    call: (a) => a.slice(1).join(str(a[0])),
  },
  { name: 'LOWER', parameters: ['String'], returns: 'String', call: (a) => str(a[0]).toLowerCase() },
  { name: 'UPPER', parameters: ['String'], returns: 'String', call: (a) => str(a[0]).toUpperCase() },
  { name: 'TRIM', parameters: ['String'], returns: 'String', call: (a) => str(a[0]).replace(EDGE_WHITESPACE, '') },
  {
    name: 'LEFT',
    parameters: ['String', 'Integer'],
    returns: 'String',
    call: (a, fail) => {
      const x = str(a[0]);
      const y = int(a[1]);
      if (y < 0) return fail('functionEvaluation', `LEFT length must not be negative, got ${y}`, x);
      return sliceChars(x, 0, y);
    },
  },
  {
    name: 'RIGHT',
    parameters: ['String', 'Integer'],
    returns: 'String',
    call: (a, fail) => {
      const x = str(a[0]);
      const y = int(a[1]);
      if (y < 0) return fail('functionEvaluation', `RIGHT length must not be negative, got ${y}`, x);
      const n = charLength(x);
      return y >= n ? x : sliceChars(x, n - y);
    },
  },
  { name: 'SUBSTRING', parameters: ['String', 'Integer'], returns: 'String', call: substring },
  { name: 'SUBSTRING', parameters: ['String', 'Integer', 'Integer'], returns: 'String', call: substring },
  {
    name: 'ABS',
    parameters: ['Integer'],
    returns: 'Integer',
    call: (a, fail) => {
      const x = int(a[0]);
      if (x === INT32_MIN) return fail('math', 'ABS(-2147483648) does not fit in 32 bits', INT32_MAX);
      return Math.abs(x);
    },
  },
  // The implicit cast of the argument does all the work (and raises the CastError).
  { name: 'INT', parameters: ['Integer'], returns: 'Integer', call: (a) => int(a[0]) },
  { name: 'BOOL', parameters: ['Boolean'], returns: 'Boolean', call: (a) => a[0] as boolean },
  { name: 'STRING', parameters: ['String'], returns: 'String', call: (a) => str(a[0]) },
];

const BY_NAME = new Map<string, FunctionDefinition[]>();
for (const fn of BUILT_INS) {
  const list = BY_NAME.get(fn.name) ?? [];
  list.push(fn);
  BY_NAME.set(fn.name, list);
}

/**
 * Overloads are told apart by arity alone (§3.5); a variadic definition takes any count from its
 * fixed parameters up. `name` must be upper case.
 */
export function resolveFunction(name: string, arity: number): FunctionDefinition | undefined {
  const overloads = BY_NAME.get(name);
  if (overloads === undefined) return undefined;
  let variadic: FunctionDefinition | undefined;
  for (const fn of overloads) {
    if (fn.variadic === undefined) {
      if (fn.parameters.length === arity) return fn;
    } else if (arity >= fn.parameters.length) {
      variadic = fn;
    }
  }
  return variadic;
}

/** Whether any arity of `name` exists, for a clearer MissingFunctionError message. */
export function hasFunction(name: string): boolean {
  return BY_NAME.has(name);
}

/** The parameter type of argument `index` (0-based). */
export function parameterType(fn: FunctionDefinition, index: number): CesqlType {
  return fn.parameters[index] ?? (fn.variadic as CesqlType);
}
