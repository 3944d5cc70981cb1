// Measures how @marcbachmann/cel-js (the CEL library eventyard uses) conforms to the CEL spec,
// by running the cel-spec "simple" conformance tests of shared/conformance/cel (core files only).
//
// Failing cases are *reported*, not turned into vitest failures: one `it` per file runs every
// case, and asserts only what must hold (the file was found and parsed, every case was
// classified, no case took a second or more, and the pass count did not drop below its floor).
// afterAll prints one line per file; CEL_CONFORMANCE_VERBOSE=1 also prints every non-pass.
//
// Outcomes:
//   pass         the value is equal AND of the right CEL type; or an error was expected and the
//                library raised a CEL evaluation/type error.
//   fail         a wrong value, a value where an error was expected, an unexpected CEL error
//                (other than the "unsupported" ones below), a parse error where an evaluation
//                error was expected (every core expression is valid CEL syntax), or a crash
//                (a plain JS error rather than one of the library's error classes).
//   unsupported  a value was expected but the library rejected the expression with a
//                ParseError or a no-such-overload / no-matching-overload error (it does not
//                implement that syntax or function), or with "unknown variable" for a bound
//                qualified name like `a.b.c` (no qualified-identifier resolution). Counted as
//                not passing. This is mechanical: an error raised inside `x || true` counts
//                here too, although the real gap there is CEL's error absorption.
//   n/a          the case needs something outside the library's scope; see NOT_APPLICABLE_RULES
//                (checked first) and the NotApplicable throws in the decoders below.
//
// Library settings: Environment({unlistedVariablesAreDyn: true, homogeneousAggregateLiterals:
// false}). `disable_check` cannot be honoured: the library always runs its type checker before
// evaluating (declared variables typed, the rest dyn), so such cases go through the same path.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Environment, EvaluationError, ParseError, TypeError as CelTypeError } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import {
  all, asBool, asBytes, asDouble, asEnum, asInteger, asMessage, asString, get, has, parseTextproto,
  TextprotoError,
} from './textproto.js';
import type { TextprotoMessage, TextprotoValue } from './textproto.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sharedDir = process.env.EVENTYARD_SHARED
  ? path.resolve(process.env.EVENTYARD_SHARED)
  : path.resolve(repoRoot, '../shared');
const celDir = path.join(sharedDir, 'conformance', 'cel');
const VERBOSE = process.env.CEL_CONFORMANCE_VERBOSE === '1';

/**
 * The core files, with the pass count observed for each. A lower count means the library or
 * this harness regressed; a higher one means the floor can be raised.
 */
const PASS_FLOORS: ReadonlyArray<readonly [file: string, floor: number]> = [
  ['basic', 41],
  ['comparisons', 309],
  ['logic', 25],
  ['string', 51],
  ['fields', 43],
  ['macros', 42],
  ['parse', 167],
  ['plumbing', 5],
  ['integer_math', 62],
  ['fp_math', 30],
  ['lists', 34],
  ['conversions', 98],
  ['timestamps', 54],
];

/**
 * Evaluation is synchronous and cannot be interrupted, and the library has no cost limit (a huge
 * comprehension or a backtracking `matches()` regex would hang the worker). No core case comes
 * close, so each is timed and one taking a second or more turns the suite red.
 */
const MAX_CASE_MS = 1000;

// ---------------------------------------------------------------------------------------------
// The test data (cel.expr.conformance.test.SimpleTestFile), decoded from text format.

type Matcher =
  | { kind: 'value'; value: TextprotoMessage } // cel.expr.Value
  | { kind: 'error'; messages: string[] } // cel.expr.ErrorSet
  | { kind: 'unknown' }
  | { kind: 'typed_result' };

interface ConformanceCase {
  section: string;
  name: string;
  expr: string;
  disableMacros: boolean;
  checkOnly: boolean;
  container: string;
  typeEnv: TextprotoMessage[]; // cel.expr.Decl
  bindings: Array<{ name: string; value: TextprotoMessage }>; // cel.expr.ExprValue
  matcher: Matcher;
}

function loadFile(file: string): { name: string; cases: ConformanceCase[] } {
  const doc = parseTextproto(readFileSync(path.join(celDir, `${file}.textproto`), 'utf8'));
  const cases: ConformanceCase[] = [];
  for (const section of all(doc, 'section').map(asMessage)) {
    const sectionName = asString(get(section, 'name'));
    for (const test of all(section, 'test').map(asMessage)) cases.push(decodeCase(sectionName, test));
  }
  return { name: asString(get(doc, 'name')), cases };
}

function decodeCase(section: string, test: TextprotoMessage): ConformanceCase {
  const flag = (name: string) => has(test, name) && asBool(get(test, name));
  const text = (name: string) => (has(test, name) ? asString(get(test, name)) : '');
  return {
    section,
    name: text('name'),
    expr: text('expr'),
    disableMacros: flag('disable_macros'),
    checkOnly: flag('check_only'),
    container: text('container'),
    typeEnv: all(test, 'type_env').map(asMessage),
    bindings: all(test, 'bindings').map(asMessage).map((entry) => ({
      name: asString(get(entry, 'key')),
      value: asMessage(get(entry, 'value')),
    })),
    matcher: decodeMatcher(test),
  };
}

/** An unset result matcher means "evaluates to true" (simple.proto). */
function decodeMatcher(test: TextprotoMessage): Matcher {
  if (has(test, 'value')) return { kind: 'value', value: asMessage(get(test, 'value')) };
  const errorSet = get(test, 'eval_error') ?? firstOf(get(test, 'any_eval_errors'), 'errors');
  if (errorSet) {
    const messages = all(asMessage(errorSet), 'errors').map(asMessage)
      .map((e) => (has(e, 'message') ? asString(get(e, 'message')) : ''));
    return { kind: 'error', messages };
  }
  if (has(test, 'unknown') || has(test, 'any_unknowns')) return { kind: 'unknown' };
  if (has(test, 'typed_result')) return { kind: 'typed_result' };
  return { kind: 'value', value: parseTextproto('bool_value: true') };
}

/** any_eval_errors holds several error sets; the first stands for them all (any error passes). */
function firstOf(v: TextprotoValue | undefined, field: string): TextprotoValue | undefined {
  return v ? all(asMessage(v), field)[0] : undefined;
}

// ---------------------------------------------------------------------------------------------
// What is not applicable, and why.

/** Thrown while decoding a case that needs something outside the library's scope. */
class NotApplicable extends Error {}

/**
 * n/a rules, checked in order; the decoders add three more (see `NotApplicable` throws):
 *  - a binding or expected value holding a protobuf message (object_value other than
 *    google.protobuf.Duration/Timestamp) or an enum_value;
 *  - a type_env variable whose type is a protobuf message other than Duration/Timestamp, a
 *    wrapper, google.protobuf.Any, an abstract type or a type parameter;
 *  - a binding that is an error or unknown rather than a value.
 */
const NOT_APPLICABLE_RULES: ReadonlyArray<{ reason: string; applies: (c: ConformanceCase) => boolean }> = [
  { reason: 'disable_macros (parsing without macros is not configurable)', applies: (c) => c.disableMacros },
  { reason: 'check_only (tests the checker only)', applies: (c) => c.checkOnly },
  { reason: 'container (name resolution inside a protobuf package)', applies: (c) => c.container !== '' },
  { reason: 'expects unknowns (partial evaluation)', applies: (c) => c.matcher.kind === 'unknown' },
  { reason: "typed_result (needs the checker's deduced type)", applies: (c) => c.matcher.kind === 'typed_result' },
  { reason: 'type_env declares a function', applies: (c) => c.typeEnv.some((d) => has(d, 'function')) },
  { reason: 'expression uses protobuf messages or enums', applies: (c) => PROTOBUF_IN_EXPR.test(c.expr) },
];

/**
 * Test message types and enums, google.protobuf.* other than the Duration/Timestamp type names,
 * and message literals of those two (the library has no message construction).
 */
const PROTOBUF_IN_EXPR = new RegExp(
  [
    String.raw`\b(?:Nested)?TestAllTypes\b`,
    String.raw`\bTestRequired\w*`,
    String.raw`\b(?:GlobalEnum|NestedEnum)\b`,
    String.raw`\bcel\.expr\.`,
    String.raw`\bgoogle\.protobuf\.(?!(?:Timestamp|Duration)\b)`,
    String.raw`\bgoogle\.protobuf\.(?:Timestamp|Duration)\s*\{`,
  ].join('|'),
);

// ---------------------------------------------------------------------------------------------
// cel.expr.Value, decoded into a tagged form that keeps the CEL type.

type CelValue =
  | { type: 'int' | 'uint'; value: bigint }
  | { type: 'double'; value: number }
  | { type: 'string'; value: string }
  | { type: 'bytes'; value: Uint8Array }
  | { type: 'bool'; value: boolean }
  | { type: 'null' }
  | { type: 'list'; items: CelValue[] }
  | { type: 'map'; entries: Array<[CelValue, CelValue]> }
  | { type: 'duration' | 'timestamp'; seconds: bigint; nanos: number }
  | { type: 'type'; name: string };

const DURATION_URL = 'type.googleapis.com/google.protobuf.Duration';
const TIMESTAMP_URL = 'type.googleapis.com/google.protobuf.Timestamp';

function decodeValue(msg: TextprotoMessage): CelValue {
  const field = msg.fields.at(-1); // Value is a oneof: the last field set wins
  if (!field) throw new Error('empty cel.expr.Value');
  const v = field.value;
  switch (field.name) {
    case 'null_value': return { type: 'null' };
    case 'bool_value': return { type: 'bool', value: asBool(v) };
    case 'int64_value': return { type: 'int', value: asInteger(v) };
    case 'uint64_value': return { type: 'uint', value: asInteger(v) };
    case 'double_value': return { type: 'double', value: asDouble(v) };
    case 'string_value': return { type: 'string', value: asString(v) };
    case 'bytes_value': return { type: 'bytes', value: asBytes(v) };
    case 'type_value': return { type: 'type', name: asString(v) };
    case 'list_value': return { type: 'list', items: all(asMessage(v), 'values').map(asMessage).map(decodeValue) };
    case 'map_value': return { type: 'map', entries: all(asMessage(v), 'entries').map(asMessage).map(decodeEntry) };
    case 'object_value': return decodeObject(asMessage(v));
    case 'enum_value': throw new NotApplicable('value is a protobuf enum');
    default: throw new Error(`unknown cel.expr.Value field ${field.name}`);
  }
}

function decodeEntry(entry: TextprotoMessage): [CelValue, CelValue] {
  return [decodeValue(asMessage(get(entry, 'key'))), decodeValue(asMessage(get(entry, 'value')))];
}

/** An expanded google.protobuf.Any; only Duration and Timestamp have library equivalents. */
function decodeObject(any: TextprotoMessage): CelValue {
  const [field] = any.fields;
  if (field?.name !== DURATION_URL && field?.name !== TIMESTAMP_URL) {
    throw new NotApplicable(`value is a protobuf message (${field?.name ?? 'Any'})`);
  }
  const body = asMessage(field.value);
  return {
    type: field.name === DURATION_URL ? 'duration' : 'timestamp',
    seconds: has(body, 'seconds') ? asInteger(get(body, 'seconds')) : 0n,
    nanos: has(body, 'nanos') ? Number(asInteger(get(body, 'nanos'))) : 0,
  };
}

// ---------------------------------------------------------------------------------------------
// How the library represents CEL values (observed in 8.0.0): int = bigint, uint = UnsignedInt,
// double = number, string, bytes = Uint8Array, bool, null, list = Array, map = plain object
// (map literals stringify their keys, so a key's CEL type is lost), timestamp = Date
// (millisecond precision), duration = Duration (seconds + nanos), type = its internal Type
// class, whose name for null_type is "null".

const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });
/** The library does not export its Type class; a type literal gives it to us. */
const TypeClass = (env.evaluate('int') as object).constructor;
const LIBRARY_TYPE_NAMES: Readonly<Record<string, string>> = { null_type: 'null' };

/** A binding, as the library accepts it. */
function toLibrary(v: CelValue): unknown {
  switch (v.type) {
    case 'int': case 'double': case 'string': case 'bool': return v.value;
    case 'uint': return new UnsignedInt(v.value);
    case 'bytes': return Uint8Array.from(v.value);
    case 'null': return null;
    case 'list': return v.items.map(toLibrary);
    // Plain objects, as the library builds for map literals; it looks non-string keys up by
    // their string form too.
    case 'map': return Object.fromEntries(v.entries.map(([k, val]) => [propertyKey(k), toLibrary(val)]));
    case 'duration': return new Duration(v.seconds, v.nanos);
    case 'timestamp': return new Date(Number(v.seconds) * 1000 + Math.floor(v.nanos / 1e6));
    case 'type': return env.evaluate(v.name);
  }
}

function propertyKey(key: CelValue): string {
  if (key.type === 'string' || key.type === 'int' || key.type === 'uint' || key.type === 'bool') {
    return String(key.value);
  }
  throw new Error(`map key of type ${key.type}`);
}

/** True when the library's value equals the expected one and has the same CEL type. */
function matches(actual: unknown, expected: CelValue): boolean {
  switch (expected.type) {
    case 'int': return typeof actual === 'bigint' && actual === expected.value;
    case 'uint': return actual instanceof UnsignedInt && actual.value === expected.value;
    // Value equality: any NaN matches NaN, and -0 equals 0.
    case 'double':
      return typeof actual === 'number' && (actual === expected.value || (isNaN(actual) && isNaN(expected.value)));
    case 'string': case 'bool': return actual === expected.value;
    case 'null': return actual === null;
    case 'bytes': return actual instanceof Uint8Array && sameBytes(actual, expected.value);
    case 'list': return matchesList(actual, expected.items);
    case 'map': return matchesMap(actual, expected.entries);
    case 'duration':
      return actual instanceof Duration && actual.seconds === expected.seconds && actual.nanos === expected.nanos;
    case 'timestamp':
      // A Date holds milliseconds, so sub-millisecond nanos can never match.
      return actual instanceof Date && BigInt(actual.getTime()) * 1_000_000n ===
        expected.seconds * 1_000_000_000n + BigInt(expected.nanos);
    case 'type':
      return actual instanceof TypeClass &&
        (actual as { name: string }).name === (LIBRARY_TYPE_NAMES[expected.name] ?? expected.name);
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function matchesList(actual: unknown, items: CelValue[]): boolean {
  const list = actual instanceof Set ? [...actual] : actual;
  return Array.isArray(list) && list.length === items.length && items.every((e, i) => matches(list[i], e));
}

/** Entries are matched by key, in any order. */
function matchesMap(actual: unknown, entries: Array<[CelValue, CelValue]>): boolean {
  if (actual instanceof Map) {
    return actual.size === entries.length && entries.every(([k, v]) =>
      [...actual].some(([ak, av]) => matches(ak, k) && matches(av, v)));
  }
  if (!isPlainObject(actual)) return false;
  // Plain-object keys are strings whatever the key's CEL type was: compare the string forms.
  return Object.keys(actual).length === entries.length && entries.every(([k, v]) =>
    Object.hasOwn(actual, propertyKey(k)) && matches(actual[propertyKey(k)], v));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && (v.constructor === Object || v.constructor === undefined);
}

// ---------------------------------------------------------------------------------------------
// Rendering values for reasons.

function show(v: unknown): string {
  if (typeof v === 'bigint') return `${v}`;
  if (v instanceof UnsignedInt) return `${v.value}u`;
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}.0` : `${v}`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return `b"${[...v].map(byteText).join('')}"`;
  if (v instanceof Date) return isNaN(v.getTime()) ? 'timestamp(invalid)' : `timestamp("${v.toISOString()}")`;
  if (v instanceof Duration) return `duration("${v.toString()}")`;
  if (v instanceof TypeClass) return `type ${(v as { name: string }).name}`;
  if (Array.isArray(v) || v instanceof Set) return `[${[...v].map(show).join(', ')}]`;
  if (v instanceof Map) return `{${[...v].map(([k, val]) => `${show(k)}: ${show(val)}`).join(', ')}}`;
  if (isPlainObject(v)) return `{${Object.entries(v).map(([k, val]) => `${JSON.stringify(k)}: ${show(val)}`).join(', ')}}`;
  return `${String(v)} (JS ${typeof v})`;
}

function byteText(b: number): string {
  return b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
}

function showExpected(e: CelValue): string {
  switch (e.type) {
    case 'int': return `${e.value}`;
    case 'uint': return `${e.value}u`;
    case 'double': return show(e.value);
    case 'string': case 'bytes': case 'bool': return show(e.value);
    case 'null': return 'null';
    case 'list': return `[${e.items.map(showExpected).join(', ')}]`;
    case 'map': return `{${e.entries.map(([k, v]) => `${showExpected(k)}: ${showExpected(v)}`).join(', ')}}`;
    case 'duration': case 'timestamp': return `${e.type}(${e.seconds}s ${e.nanos}ns)`;
    case 'type': return `type ${e.name}`;
  }
}

function clip(s: string, max = 160): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

// ---------------------------------------------------------------------------------------------
// Running one case.

type Outcome = 'pass' | 'fail' | 'unsupported' | 'n/a';

interface CaseResult {
  test: string;
  outcome: Outcome;
  reason: string;
  ms: number;
}

type Execution = { ok: true; value: unknown } | { ok: false; error: unknown };

/** The library reports these when it lacks a function or operator overload. */
const UNSUPPORTED_CODES = new Set(['no_matching_overload', 'no_such_overload']);

const PRIMITIVE_TYPES: Readonly<Record<string, string>> = {
  BOOL: 'bool', INT64: 'int', UINT64: 'uint', DOUBLE: 'double', STRING: 'string', BYTES: 'bytes',
};
const TIME_TYPES: Readonly<Record<string, string>> = {
  TIMESTAMP: 'google.protobuf.Timestamp', DURATION: 'google.protobuf.Duration',
  'google.protobuf.Timestamp': 'google.protobuf.Timestamp', 'google.protobuf.Duration': 'google.protobuf.Duration',
};

/** A cel.expr.Type as a library type string. */
function libraryType(type: TextprotoMessage): string {
  const field = type.fields.at(-1);
  const v = field?.value;
  switch (field?.name) {
    case 'dyn': return 'dyn';
    case 'null': return 'null';
    case 'type': return 'type';
    case 'primitive': return PRIMITIVE_TYPES[String(asEnum(v))] ?? badData(`primitive ${String(asEnum(v))}`);
    case 'list_type': return `list<${libraryType(asMessage(get(asMessage(v), 'elem_type')))}>`;
    case 'map_type': {
      const m = asMessage(v);
      return `map<${libraryType(asMessage(get(m, 'key_type')))}, ${libraryType(asMessage(get(m, 'value_type')))}>`;
    }
    case 'well_known': case 'message_type': {
      const name = field.name === 'well_known' ? String(asEnum(v)) : asString(v);
      const mapped = TIME_TYPES[name];
      if (!mapped) throw new NotApplicable(`type_env uses protobuf type ${name}`);
      return mapped;
    }
    default: throw new NotApplicable(`type_env uses a ${field?.name ?? 'missing'} type`);
  }
}

function badData(what: string): never {
  throw new Error(`unexpected ${what} in the test data`);
}

/** The environment for one case: the shared one, or a clone with its type_env declared. */
function environmentFor(c: ConformanceCase): Environment {
  if (c.typeEnv.length === 0) return env;
  const declared = env.clone();
  for (const decl of c.typeEnv) {
    const name = asString(get(decl, 'name'));
    const type = libraryType(asMessage(get(asMessage(get(decl, 'ident')), 'type')));
    try {
      declared.registerVariable(name, type);
    } catch {
      // e.g. `type` is a builtin and cannot be redeclared; the binding is then looked up as dyn.
    }
  }
  return declared;
}

function contextFor(c: ConformanceCase): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const { name, value } of c.bindings) {
    if (!has(value, 'value')) throw new NotApplicable('binding is an error or unknown');
    context[name] = toLibrary(decodeValue(asMessage(get(value, 'value'))));
  }
  return context;
}

function execute(environment: Environment, expr: string, context: Record<string, unknown>): Execution {
  try {
    const value: unknown = environment.parse(expr)(context);
    if (value instanceof Promise) return { ok: false, error: new Error('evaluation returned a Promise') };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}

function runCase(c: ConformanceCase): Omit<CaseResult, 'test' | 'ms'> {
  const rule = NOT_APPLICABLE_RULES.find((r) => r.applies(c));
  if (rule) return { outcome: 'n/a', reason: rule.reason };
  let environment: Environment, context: Record<string, unknown>, expected: CelValue | undefined;
  try {
    environment = environmentFor(c);
    context = contextFor(c);
    expected = c.matcher.kind === 'value' ? decodeValue(c.matcher.value) : undefined;
  } catch (e) {
    if (e instanceof NotApplicable) return { outcome: 'n/a', reason: e.message };
    throw e;
  }
  const result = execute(environment, c.expr, context);
  if (!expected) return judgeError(c.matcher.kind === 'error' ? c.matcher.messages : [], result);
  return judgeValue(expected, result, c.bindings.some((b) => b.name.includes('.')));
}

/** `dottedBinding`: the case binds a qualified name such as `a.b.c`, which the library cannot resolve. */
function judgeValue(expected: CelValue, result: Execution, dottedBinding: boolean): Omit<CaseResult, 'test' | 'ms'> {
  if (result.ok) {
    if (matches(result.value, expected)) return { outcome: 'pass', reason: '' };
    return { outcome: 'fail', reason: clip(`expected ${showExpected(expected)}, got ${show(result.value)}`) };
  }
  const { error } = result;
  if (error instanceof ParseError) return { outcome: 'unsupported', reason: `parse error: ${errorText(error)}` };
  if (isCelError(error) && UNSUPPORTED_CODES.has(error.code)) {
    return { outcome: 'unsupported', reason: `${error.code}: ${errorText(error)}` };
  }
  if (dottedBinding && error instanceof EvaluationError && error.code === 'unknown_variable') {
    return { outcome: 'unsupported', reason: `qualified variable names: ${errorText(error)}` };
  }
  return { outcome: 'fail', reason: `expected ${clip(showExpected(expected), 60)}, got ${describeError(error)}` };
}

function judgeError(messages: string[], result: Execution): Omit<CaseResult, 'test' | 'ms'> {
  const wanted = messages.map((m) => JSON.stringify(m)).join(' or ') || 'an error';
  if (result.ok) return { outcome: 'fail', reason: clip(`expected error ${wanted}, got ${show(result.value)}`) };
  const { error } = result;
  // Error messages differ between implementations, so any evaluation or type error will do.
  if (error instanceof EvaluationError || error instanceof CelTypeError) return { outcome: 'pass', reason: '' };
  return { outcome: 'fail', reason: `expected error ${wanted}, got ${describeError(error)}` };
}

function isCelError(e: unknown): e is ParseError | EvaluationError | CelTypeError {
  return e instanceof ParseError || e instanceof EvaluationError || e instanceof CelTypeError;
}

function errorText(e: ParseError | EvaluationError | CelTypeError): string {
  return clip(e.summary.split('\n')[0] ?? '', 120);
}

function describeError(e: unknown): string {
  if (isCelError(e)) return `${e.name} ${e.code}: ${errorText(e)}`;
  if (e instanceof Error) return `crash ${e.name}: ${clip(e.message.split('\n')[0] ?? '', 120)}`;
  return `crash: thrown ${typeof e}`;
}

function runFile(file: string): { name: string; results: CaseResult[] } {
  const { name, cases } = loadFile(file);
  const results = cases.map((c) => {
    const start = performance.now();
    const verdict = runCase(c);
    return { test: `${c.section}/${c.name}`, ...verdict, ms: performance.now() - start };
  });
  return { name, results };
}

// ---------------------------------------------------------------------------------------------

const report = new Map<string, CaseResult[]>();

describe('CEL conformance (@marcbachmann/cel-js, cel-spec simple tests)', () => {
  it('finds the cel-spec simple tests', () => {
    expect(existsSync(celDir), `${celDir} is missing; set EVENTYARD_SHARED to the shared folder`).toBe(true);
  });

  for (const [file, floor] of PASS_FLOORS) {
    it(`${file}.textproto`, () => {
      const { name, results } = runFile(file);
      report.set(file, results);
      expect(name, 'the file names itself').toBe(file);
      expect(results.length, 'the file holds tests').toBeGreaterThan(0);
      for (const r of results) expect(['pass', 'fail', 'unsupported', 'n/a'], r.test).toContain(r.outcome);
      const slow = results.filter((r) => r.ms >= MAX_CASE_MS).map((r) => `${r.test} (${Math.round(r.ms)} ms)`);
      expect(slow, 'cases taking a second or more').toEqual([]);
      const passed = results.filter((r) => r.outcome === 'pass').length;
      expect(passed, `pass count of ${file} fell below its floor`).toBeGreaterThanOrEqual(floor);
    });
  }
});

afterAll(() => {
  const lines = ['CEL conformance, @marcbachmann/cel-js, core cel-spec simple tests:'];
  const total = { pass: 0, fail: 0, unsupported: 0, 'n/a': 0, all: 0 };
  for (const [file] of PASS_FLOORS) {
    const results = report.get(file);
    if (!results) {
      lines.push(`  ${file}: not run`);
      continue;
    }
    const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
    const row = { pass: count('pass'), fail: count('fail'), unsupported: count('unsupported'), 'n/a': count('n/a') };
    lines.push(`  ${file}: ${tallyText(row, results.length)}`);
    for (const k of ['pass', 'fail', 'unsupported', 'n/a'] as const) total[k] += row[k];
    total.all += results.length;
  }
  lines.push(`  total: ${tallyText(total, total.all)}`);
  if (VERBOSE) {
    for (const [file, results] of report) {
      for (const r of results) if (r.outcome !== 'pass') lines.push(`  [${r.outcome}] ${file}/${r.test}: ${r.reason}`);
    }
  }
  console.log(lines.join('\n'));
});

function tallyText(c: Record<Outcome, number>, of: number): string {
  return `${c.pass} passed, ${c.fail} failed, ${c.unsupported} unsupported, ${c['n/a']} n/a (of ${of})`;
}

// ---------------------------------------------------------------------------------------------

describe('conformance value matching', () => {
  it('tells CEL int, uint and double apart', () => {
    expect(matches(1n, { type: 'int', value: 1n })).toBe(true);
    expect(matches(new UnsignedInt(1n), { type: 'int', value: 1n })).toBe(false);
    expect(matches(1n, { type: 'uint', value: 1n })).toBe(false);
    expect(matches(1, { type: 'int', value: 1n })).toBe(false);
    expect(matches(NaN, { type: 'double', value: NaN })).toBe(true);
    expect(matches([1n, 2], { type: 'list', items: [{ type: 'int', value: 1n }, { type: 'int', value: 2n }] })).toBe(false);
  });

  it('matches maps in any order, bytes by content, and types by CEL name', () => {
    const entries: Array<[CelValue, CelValue]> = [
      [{ type: 'string', value: 'b' }, { type: 'null' }],
      [{ type: 'string', value: 'a' }, { type: 'bytes', value: Uint8Array.of(1) }],
    ];
    expect(matches({ a: Uint8Array.of(1), b: null }, { type: 'map', entries })).toBe(true);
    expect(matches({ a: Uint8Array.of(2), b: null }, { type: 'map', entries })).toBe(false);
    expect(matches(env.evaluate('type(null)'), { type: 'type', name: 'null_type' })).toBe(true);
    expect(matches(env.evaluate('int'), { type: 'type', name: 'uint' })).toBe(false);
  });
});

describe('textproto parser', () => {
  it('reads messages, repeated fields, both brace styles, list shorthand and comments', () => {
    const doc = parseTextproto(`
      # a comment
      name: "x"  # trailing comment
      section { test < n: 1 >, test: { n: 2 }; }
      nums: [1, -2, 0x1F]
      [type.googleapis.com/google.protobuf.Duration] { seconds: 3 }
    `);
    expect(asString(get(doc, 'name'))).toBe('x');
    const tests = all(asMessage(get(doc, 'section')), 'test').map(asMessage);
    expect(tests.map((t) => asInteger(get(t, 'n')))).toEqual([1n, 2n]);
    expect(all(doc, 'nums').map(asInteger)).toEqual([1n, -2n, 31n]);
    expect(asInteger(get(asMessage(get(doc, DURATION_URL)), 'seconds'))).toBe(3n);
  });

  it('decodes every string escape into bytes', () => {
    const doc = parseTextproto(String.raw`
      a: "\a\b\f\n\r\t\v\\\'\"\?"
      b: '\000\377\x41\xe2\x9c\x8c'
      c: "\u270c\U0001f431\ud83d\ude00"
      d: "ÿ" 'and' "more"
    `);
    expect([...asBytes(get(doc, 'a'))]).toEqual([7, 8, 12, 10, 13, 9, 11, 92, 39, 34, 63]);
    expect([...asBytes(get(doc, 'b'))]).toEqual([0, 255, 0x41, 0xe2, 0x9c, 0x8c]);
    expect(asString(get(doc, 'c'))).toBe('\u270c\u{1f431}\u{1f600}');
    expect(asString(get(doc, 'd'))).toBe('ÿandmore');
    expect(asBytes(get(doc, 'd')).length).toBe(9); // ÿ is two bytes in UTF-8
    expect(() => asString(parseTextproto(String.raw`s: "\377"`).fields[0]!.value)).toThrow();
  });

  it('reads 64-bit integers exactly, doubles with special values, bools and enums', () => {
    const doc = parseTextproto(`
      i: -9223372036854775808  u: 18446744073709551615  o: 017
      d: [1.5, -2e3, 1e-5f, inf, -inf, -infinity, nan, 10]
      t: true f: false e: NULL_VALUE n: 3
    `);
    expect(asInteger(get(doc, 'i'))).toBe(-9223372036854775808n);
    expect(asInteger(get(doc, 'u'))).toBe(18446744073709551615n);
    expect(asInteger(get(doc, 'o'))).toBe(15n);
    expect(all(doc, 'd').map(asDouble)).toEqual([1.5, -2000, 1e-5, Infinity, -Infinity, -Infinity, NaN, 10]);
    expect([asBool(get(doc, 't')), asBool(get(doc, 'f'))]).toEqual([true, false]);
    expect([asEnum(get(doc, 'e')), asEnum(get(doc, 'n'))]).toEqual(['NULL_VALUE', 3n]);
    expect(() => asInteger(all(doc, 'd')[0])).toThrow();
  });

  it('reports malformed input with a position', () => {
    expect(() => parseTextproto('a { b: 1')).toThrow(TextprotoError);
    expect(() => parseTextproto('a: "unterminated')).toThrow(/1:\d+/);
    expect(() => parseTextproto('a: 12abc')).toThrow(TextprotoError);
    expect(() => parseTextproto(String.raw`a: "\q"`)).toThrow(/unknown escape/);
    expect(() => parseTextproto(String.raw`a: "\400"`)).toThrow(/out of range/);
  });
});
