// explain(): the trace behind `eventyard explain`, and its promise to agree with evaluate().
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { CesqlParseError, compileCesql } from './index.js';
import type { CesqlResult, CesqlTrace, CesqlValue } from './index.js';

type Lookup = (name: string) => CesqlValue | undefined;

const REQUIRED = { specversion: '1.0', id: 'e-1', source: '/orders/42', type: 'a' };

function lookupOf(attributes: Record<string, unknown>): Lookup {
  const event: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(attributes)) event[key.toLowerCase()] = value;
  return (name) => (Object.hasOwn(event, name) && event[name] !== null ? (event[name] as CesqlValue) : undefined);
}

function explain(expression: string, attributes: Record<string, unknown> = {}): { result: CesqlResult; trace: CesqlTrace } {
  return compileCesql(expression).explain(lookupOf({ ...REQUIRED, ...attributes }));
}

const plain = (r: CesqlResult) => ({ value: r.value, errors: r.errors.map((e) => ({ kind: e.kind, message: e.message })) });

function nodes(trace: CesqlTrace): CesqlTrace[] {
  return [trace, ...trace.children.flatMap(nodes)];
}

/** Evaluates both ways and checks that they agree and that the trace is well formed. */
function checkAgreement(expression: string, lookup: Lookup): void {
  let program;
  try {
    program = compileCesql(expression);
  } catch (e) {
    expect(e).toBeInstanceOf(CesqlParseError);
    return;
  }
  const evaluateCalls: string[] = [];
  const explainCalls: string[] = [];
  const expected = program.evaluate((name) => (evaluateCalls.push(name), lookup(name)));
  const { result, trace } = program.explain((name) => (explainCalls.push(name), lookup(name)));
  const context = `${JSON.stringify(expression)} -> ${JSON.stringify(plain(expected))}`;
  expect(plain(result), context).toEqual(plain(expected));
  expect(explainCalls, context).toEqual(evaluateCalls);
  expect(trace.value, context).toEqual(result.value);
  for (const node of nodes(trace)) {
    expect(node.text, context).toBe(expression.slice(node.start, node.end));
    expect(node.text, context).toBe(node.text.trim());
    expect(node.text.length, context).toBeGreaterThan(0);
    if (node.skipped) expect(node.children.every((c) => c.skipped), context).toBe(true);
  }
  // The error evaluate() reports is on the node that raised it.
  const first = expected.errors[0];
  if (first !== undefined) {
    expect(nodes(trace).some((n) => n.error?.kind === first.kind && n.error.message === first.message), context).toBe(true);
  } else {
    expect(nodes(trace).every((n) => n.error === undefined), context).toBe(true);
  }
}

describe('explain() agrees with evaluate()', () => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const shared = process.env.EVENTYARD_SHARED
    ? path.resolve(process.env.EVENTYARD_SHARED)
    : path.resolve(here, '../../../../shared');
  const tckDir = path.join(shared, 'conformance', 'cesql');

  it('on every case of the CESQL TCK, with its event and with a bare one', () => {
    expect(existsSync(tckDir), `CESQL TCK not found at ${tckDir}; set EVENTYARD_SHARED`).toBe(true);
    const files = readdirSync(tckDir).filter((f) => /\.ya?ml$/.test(f));
    let cases = 0;
    for (const file of files) {
      const suite = parseYaml(readFileSync(path.join(tckDir, file), 'utf8')) as {
        tests: Array<{ expression: unknown; event?: Record<string, unknown>; eventOverrides?: Record<string, unknown> }>;
      };
      for (const testCase of suite.tests) {
        const expression = String(testCase.expression);
        checkAgreement(expression, lookupOf({ ...(testCase.event ?? REQUIRED), ...testCase.eventOverrides }));
        checkAgreement(expression, lookupOf(REQUIRED));
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(200);
  });

  it('on random token soup, with attributes present, missing or of the wrong type', () => {
    const alphabet = [
      '(', ')', ',', 'NOT', 'AND', 'OR', 'XOR', 'LIKE', 'IN', 'EXISTS', '-', '*', '/', '%', '=', '!=', '<',
      '>=', 'TRUE', 'false', '0', '1', '-2147483648', "'a%'", "'x'", "'12'", 'subject', 'myext', 'n', 'id',
      'ABS', 'LEFT', 'SUBSTRING', 'CONCAT', 'INT', 'BOOL', 'LENGTH', 'nope',
    ];
    let seed = 4242;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const lookups = [lookupOf({ ...REQUIRED, subject: '12', myext: true, n: 0 }), lookupOf({ ...REQUIRED, subject: 'x' })];
    for (let i = 0; i < 4000; i++) {
      const expression = Array.from({ length: 1 + random(10) }, () => alphabet[random(alphabet.length)]).join(' ');
      checkAgreement(expression, lookups[i % 2] as Lookup);
    }
  });

  it('leaves evaluate() working alongside it', () => {
    const program = compileCesql('n / 2 = 1');
    const one = lookupOf({ n: 2 });
    expect(program.evaluate(one)).toEqual({ value: true, errors: [] });
    expect(program.explain(one).result).toEqual({ value: true, errors: [] });
    expect(plain(program.evaluate(lookupOf({})))).toEqual(plain(program.explain(lookupOf({})).result));
    expect(program.evaluate(one)).toEqual({ value: true, errors: [] });
  });
});

describe('explain() traces', () => {
  it('show which operand failed and what the others gave', () => {
    const { result, trace } = explain("type = 'a' AND tiles > 4");
    expect(result.value).toBe(false);
    expect(result.errors.map((e) => e.kind)).toEqual(['missingAttribute']);
    expect(trace).toMatchObject({ text: "type = 'a' AND tiles > 4", value: false });
    expect(trace.error).toBeUndefined();

    const [left, right] = trace.children as [CesqlTrace, CesqlTrace];
    expect(left).toMatchObject({ text: "type = 'a'", value: true });
    expect(left.children[0]).toEqual({ text: 'type', start: 0, end: 4, value: 'a', attribute: 'type', children: [] });
    expect(left.children[1]).toMatchObject({ text: "'a'", value: 'a', children: [] });

    expect(right).toMatchObject({ text: 'tiles > 4', value: false });
    expect(right.error).toBeUndefined(); // the comparison did not fail, its operand did
    expect(right.children[0]).toMatchObject({
      text: 'tiles',
      attribute: 'tiles',
      value: false,
      error: { kind: 'missingAttribute', message: 'missing attribute "tiles"' },
    });
    expect(right.children[1]).toMatchObject({ text: '4', value: 4 });
  });

  it('mark what AND and OR short-circuit as skipped, without looking it up', () => {
    const looked: string[] = [];
    const { trace } = compileCesql("type = 'b' AND tiles > 4").explain((name) => {
      looked.push(name);
      return lookupOf(REQUIRED)(name);
    });
    expect(looked).toEqual(['type']);
    expect(trace.value).toBe(false);
    expect(trace.children[1]).toMatchObject({ text: 'tiles > 4', value: false, skipped: true });
    expect(trace.children[1]?.children.map((c) => [c.text, c.value, c.skipped])).toEqual([
      ['tiles', false, true],
      ['4', 0, true],
    ]);
    expect(trace.children[0]?.skipped).toBeUndefined();

    const or = explain("type = 'a' OR LENGTH(subject) > 3 OR tiles").trace;
    expect(or.children.map((c) => [c.text, c.value, c.skipped])).toEqual([
      ["type = 'a'", true, undefined],
      ['LENGTH(subject) > 3', false, true],
      ['tiles', false, true],
    ]);
  });

  it('show the argument values of a function call', () => {
    const { trace } = explain("LEFT(subject, 1 + 1) = 'he'", { subject: 'hello' });
    const call = trace.children[0] as CesqlTrace;
    expect(call).toMatchObject({ text: 'LEFT(subject, 1 + 1)', value: 'he' });
    expect(call.children.map((c) => [c.text, c.value])).toEqual([
      ['subject', 'hello'],
      ['1 + 1', 2],
    ]);
    expect(call.children[1]?.children.map((c) => c.value)).toEqual([1, 1]);
  });

  it('skip the arguments of a function that does not exist, which is where the error is', () => {
    const { trace } = explain('NOPE(subject)', { subject: 'x' });
    expect(trace).toMatchObject({ value: false, error: { kind: 'missingFunction' } });
    expect(trace.children[0]).toMatchObject({ text: 'subject', skipped: true });
  });

  it('put a failed cast on the operator that needed it', () => {
    const { trace } = explain('subject > 3', { subject: 'hello' });
    expect(trace).toMatchObject({ value: false, error: { kind: 'cast' } });
    expect(trace.children[0]).toEqual({ text: 'subject', start: 0, end: 7, value: 'hello', attribute: 'subject', children: [] });
  });

  it('give an operator whose operand failed its zero value and no error of its own', () => {
    const { result, trace } = explain('10 / tiles + 1');
    expect(result.errors.map((e) => e.kind)).toEqual(['missingAttribute']);
    expect(trace).toMatchObject({ value: 0 });
    expect(trace.error).toBeUndefined();
    const division = trace.children[0] as CesqlTrace;
    expect(division).toMatchObject({ text: '10 / tiles', value: 0 });
    expect(division.error).toBeUndefined(); // no MathError for the 0 that stood in for tiles
    expect(division.children[1]?.error?.kind).toBe('missingAttribute');
  });

  it("show the root's own fallback value, and zero for a failed function below the root", () => {
    expect(explain('ABS(-2147483648)').trace).toMatchObject({ value: 2147483647, error: { kind: 'math' } });
    const { trace } = explain('ABS(-2147483648) = 2147483647');
    expect(trace.value).toBe(false);
    expect(trace.children[0]).toMatchObject({ value: 0, error: { kind: 'math' } });
  });

  it('follow the AST: n-ary chains, IN, LIKE, NOT, EXISTS', () => {
    const shape = (t: CesqlTrace): unknown => (t.children.length ? [t.text, t.children.map(shape)] : t.text);
    expect(shape(explain('a AND b AND c').trace)).toEqual(['a AND b AND c', ['a', 'b', 'c']]);
    expect(shape(explain('a AND b OR c').trace)).toEqual(['a AND b OR c', ['a', ['b OR c', ['b', 'c']]]]);
    expect(shape(explain('1 - 2 + 3 * 4').trace)).toEqual(['1 - 2 + 3 * 4', ['1', '2', ['3 * 4', ['3', '4']]]]);
    expect(shape(explain("type NOT IN ('a', 'b')").trace)).toEqual(["type NOT IN ('a', 'b')", ['type', "'a'", "'b'"]]);
    expect(shape(explain("subject LIKE 'h%'").trace)).toEqual(["subject LIKE 'h%'", ['subject']]);
    expect(shape(explain('NOT EXISTS tiles').trace)).toEqual(['NOT EXISTS tiles', ['EXISTS tiles']]);
    expect(explain('-2147483648').trace).toMatchObject({ text: '-2147483648', value: -2147483648, children: [] });
  });

  it('add no level for parentheses, whose text they are part of', () => {
    const { trace } = explain("((type = 'a')) AND ( NOT FALSE )");
    expect(trace.children.map((c) => c.text)).toEqual(["((type = 'a'))", '( NOT FALSE )']);
    expect(trace.children[0]?.children.map((c) => c.text)).toEqual(['type', "'a'"]);
  });

  it('give text trimmed and exact across lines', () => {
    const expression = "  type = 'a'\n    AND\n  subject LIKE 'x%'  ";
    const { trace } = compileCesql(expression).explain(lookupOf({ ...REQUIRED, subject: 'xy' }));
    expect(trace.text).toBe("type = 'a'\n    AND\n  subject LIKE 'x%'");
    expect(trace.children[1]).toMatchObject({ text: "subject LIKE 'x%'", value: true });
  });

  it('have one node per AST node, however long the chain', () => {
    const chain = Array.from({ length: 800 }, (_, i) => `type = 't${i}'`).join(' OR ');
    const { result, trace } = explain(chain, { type: 't799' });
    expect(result.value).toBe(true);
    expect(nodes(trace)).toHaveLength(1 + 800 * 3);
  });

  it('put a throwing lookup on the root, like evaluate()', () => {
    const { result, trace } = compileCesql("type = 'a' AND subject = 1").explain(() => {
      throw new Error('boom');
    });
    expect(result.value).toBe(false);
    expect(result.errors.map((e) => e.kind)).toEqual(['generic']);
    expect(trace).toMatchObject({ value: false, error: { kind: 'generic' } });
  });
});
