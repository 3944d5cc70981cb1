// What Trigger filters rely on beyond the TCK (tests/conformance/cesql-tck.test.ts).
import { describe, expect, it } from 'vitest';
import {
  CesqlError,
  CesqlParseError,
  MAX_EXPRESSION_LENGTH,
  MAX_NESTING_DEPTH,
  compileCesql,
} from './index.js';
import type { CesqlResult, CesqlValue } from './index.js';

function evaluate(expression: string, attributes: Record<string, unknown> = {}): CesqlResult {
  const event: Record<string, unknown> = {
    specversion: '1.0',
    id: 'e-1',
    source: '/orders/42',
    type: 'com.example.order.created',
    ...attributes,
  };
  return compileCesql(expression).evaluate((name) => event[name] as CesqlValue | undefined);
}

function parseError(expression: string): CesqlParseError {
  try {
    compileCesql(expression);
  } catch (e) {
    expect(e).toBeInstanceOf(CesqlParseError);
    return e as CesqlParseError;
  }
  throw new Error(`expected ${JSON.stringify(expression)} not to compile`);
}

describe('parse errors', () => {
  it('say where the problem is', () => {
    const e = parseError("type = 'a' AND (source = ");
    expect(e.kind).toBe('parse');
    expect(e.position).toBe(25);
    expect(e.line).toBe(1);
    expect(e.column).toBe(26);
    expect(e.expression).toBe("type = 'a' AND (source = ");
    expect(e.message).toContain('line 1, column 26');
    expect(e.message).toContain('end of the expression');
  });

  it('count lines in multi-line expressions', () => {
    const e = parseError("type = 'a'\n  AND source ==  'b'");
    expect([e.line, e.column]).toEqual([2, 15]);
    expect(e.message).toContain('line 2, column 15');
  });

  it('reject a LIKE pattern that is not a string literal', () => {
    expect(parseError('subject LIKE 5').message).toContain('string literal');
  });

  it('reject integer literals outside 32 bits, but accept both ends of the range', () => {
    expect(parseError('x = 2147483648').message).toContain('32 bits');
    expect(evaluate('-2147483648').value).toBe(-2147483648);
    expect(evaluate('2147483647').value).toBe(2147483647);
  });

  it('reject attribute names with characters CloudEvents does not allow', () => {
    parseError('my_ext = 1');
    parseError('my.ext = 1');
    parseError('data.tiles > 1');
  });
});

describe('Knative Trigger filter behaviour', () => {
  it('compares a string-valued extension with an integer (implicit String -> Integer cast)', () => {
    // Binary-mode events carry every extension as a string, e.g. knativebrokerttl: "255".
    expect(evaluate('knativebrokerttl < 300', { knativebrokerttl: '255' })).toEqual({ value: true, errors: [] });
    expect(evaluate('knativebrokerttl < 30', { knativebrokerttl: '255' })).toEqual({ value: false, errors: [] });
    expect(evaluate('knativebrokerttl = 255', { knativebrokerttl: '255' })).toEqual({ value: true, errors: [] });
    expect(evaluate('knativebrokerttl < 30', { knativebrokerttl: 20 })).toEqual({ value: true, errors: [] });
  });

  it('reports a CastError when such an extension is not a number', () => {
    const r = evaluate('knativebrokerttl < 30', { knativebrokerttl: 'lots' });
    expect(r.value).toBe(false);
    expect(r.errors.map((e) => e.kind)).toEqual(['cast']);
  });

  it('reports a missing attribute as missingAttribute and yields the zero value', () => {
    const r = evaluate("myext = 'x'");
    expect(r.value).toBe(false);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toBeInstanceOf(CesqlError);
    expect(r.errors[0]?.kind).toBe('missingAttribute');
    expect(r.errors[0]?.message).toContain('myext');
    expect(evaluate('myext + 1').value).toBe(0);
    expect(evaluate("UPPER(myext)").value).toBe('');
  });

  it('passes attribute names to the lookup in lower case', () => {
    const seen: string[] = [];
    compileCesql("MyExt = 'a' OR SUBJECT = 'b'").evaluate((name) => {
      seen.push(name);
      return 'z';
    });
    expect(seen).toEqual(['myext', 'subject']);
  });

  it('needs no lookup for EXISTS on required attributes', () => {
    const r = compileCesql('EXISTS id AND EXISTS Type').evaluate(() => {
      throw new Error('should not be called');
    });
    expect(r).toEqual({ value: true, errors: [] });
  });

  it('short-circuits AND and OR, so a guard protects the rest of the filter', () => {
    expect(evaluate("EXISTS myext AND myext = 'x'")).toEqual({ value: false, errors: [] });
    expect(evaluate("NOT EXISTS myext OR myext = 'x'")).toEqual({ value: true, errors: [] });
  });
});

describe('LIKE', () => {
  it('treats regular-expression characters in the pattern literally', () => {
    // In a CESQL string literal a backslash escapes only the quote, so the backslash before x stays.
    const special = 'a.b*c+(d)?[e]{2}^$|/\\x';
    expect(evaluate(`subject LIKE '${special}'`, { subject: special }).value).toBe(true);
    expect(evaluate(`subject LIKE '${special}'`, { subject: 'aXb*c+(d)?[e]{2}^$|/\\x' }).value).toBe(false);
    expect(evaluate(`subject LIKE '${special}'`, { subject: 'a.b*c+(d)?[e]{2}^$|/x' }).value).toBe(false);
    expect(evaluate("source LIKE '%.example.com'", { source: 'https://api.example.com' }).value).toBe(true);
    expect(evaluate("source LIKE '%.example.com'", { source: 'https://apiXexample.com' }).value).toBe(false);
    expect(evaluate("subject LIKE '(%)'", { subject: '(x)' }).value).toBe(true);
    expect(evaluate("subject LIKE '.*'", { subject: 'anything' }).value).toBe(false);
  });

  it('handles escapes, mixed wildcards and empty values', () => {
    expect(evaluate("subject LIKE '50\\%'", { subject: '50%' }).value).toBe(true);
    expect(evaluate("subject LIKE '50\\%'", { subject: '500' }).value).toBe(false);
    expect(evaluate("subject LIKE 'a_c%e_g'", { subject: 'abcdddeXg' }).value).toBe(true);
    expect(evaluate("subject LIKE '%b_d%'", { subject: 'xxbYdxx' }).value).toBe(true);
    expect(evaluate("subject LIKE '%b_d%'", { subject: 'xxbYYdxx' }).value).toBe(false);
    expect(evaluate("subject LIKE '%'", { subject: '' }).value).toBe(true);
    expect(evaluate("subject LIKE '_'", { subject: '' }).value).toBe(false);
    expect(evaluate("subject LIKE 'ab%ba'", { subject: 'aba' }).value).toBe(false);
  });

  it('matches _ against one character, also outside the BMP', () => {
    expect(evaluate("subject LIKE 'a_c'", { subject: 'a😀c' }).value).toBe(true);
    expect(evaluate("subject LIKE '%_c'", { subject: '😀c' }).value).toBe(true);
    expect(evaluate("subject LIKE '__c'", { subject: '😀c' }).value).toBe(false);
    expect(evaluate('LENGTH(subject)', { subject: 'a😀c' }).value).toBe(3);
  });
});

describe('semantics the TCK leaves open', () => {
  it('uses the grammar precedence: AND/OR/XOR share one level and group to the right', () => {
    expect(evaluate('FALSE AND FALSE OR TRUE').value).toBe(false);
    expect(evaluate('TRUE OR FALSE AND FALSE').value).toBe(true);
  });

  it('binds NOT tighter than comparisons, and LIKE/IN tighter than arithmetic', () => {
    expect(evaluate('NOT TRUE = FALSE').value).toBe(true); // (NOT TRUE) = FALSE
    expect(evaluate("1 + 2 LIKE '2'").value).toBe(2); // 1 + (2 LIKE '2') = 1 + TRUE
  });

  it('wraps 32-bit integer overflow', () => {
    expect(evaluate('2147483647 + 1').value).toBe(-2147483648);
    expect(evaluate('-2147483648 - 1').value).toBe(2147483647);
    expect(evaluate('65536 * 65536').value).toBe(0);
    expect(evaluate('-2147483648 / -1').value).toBe(-2147483648);
    expect(evaluate('-(-2147483648)').value).toBe(-2147483648);
    expect(evaluate('-7 / 2').value).toBe(-3);
    expect(evaluate('-7 % 2').value).toBe(-1);
  });

  it('accepts 4-1 as a subtraction', () => {
    expect(evaluate('4-1').value).toBe(3);
    expect(evaluate('4 - -1').value).toBe(5);
  });

  it('decodes doubled quotes in string literals', () => {
    expect(evaluate("'it''s'").value).toBe("it's");
    expect(evaluate('"say ""hi"""').value).toBe('say "hi"');
  });

  it('represents attribute values that are not CESQL types as strings', () => {
    expect(evaluate('x', { x: 2.5 }).value).toBe('2.5');
    expect(evaluate('x', { x: 2 ** 40 }).value).toBe('1099511627776');
    expect(evaluate('x', { x: new Date('2024-01-02T03:04:05Z') }).value).toBe('2024-01-02T03:04:05.000Z');
  });

  it('evaluates every IN element, so a missing attribute anywhere in the set is an error', () => {
    const r = evaluate("source IN ('/orders/42', myext)");
    expect(r.value).toBe(false);
    expect(r.errors.map((e) => e.kind)).toEqual(['missingAttribute']);
  });

  it('raises a MissingFunctionError for unknown functions and wrong arities at evaluation', () => {
    for (const expression of ['NOPE(1)', 'LOWER()', "LEFT('a')"]) {
      const r = evaluate(expression);
      expect(r.value).toBe(false);
      expect(r.errors.map((e) => e.kind)).toEqual(['missingFunction']);
    }
    expect(evaluate("lower('ABC')").value).toBe('abc');
  });

  it('reports errors again on every evaluation, also for constant sub-expressions', () => {
    const program = compileCesql('1 / 0 = 0');
    for (let i = 0; i < 3; i++) {
      const r = program.evaluate(() => undefined);
      expect(r.value).toBe(false);
      expect(r.errors.map((e) => e.kind)).toEqual(['math']);
    }
  });
});

describe('hostile input', () => {
  it('rejects expressions longer than the limit', () => {
    const e = parseError(`subject = '${'a'.repeat(MAX_EXPRESSION_LENGTH)}'`);
    expect(e.message).toContain(`at most ${MAX_EXPRESSION_LENGTH}`);
  });

  it('rejects deep nesting of parentheses, NOT, minus and function calls', () => {
    for (const expression of [
      '('.repeat(5000) + '1' + ')'.repeat(5000),
      'NOT '.repeat(MAX_NESTING_DEPTH + 1) + 'TRUE',
      '-'.repeat(2000) + '1',
      'ABS('.repeat(MAX_NESTING_DEPTH + 1) + '1' + ')'.repeat(MAX_NESTING_DEPTH + 1),
      Array.from({ length: 200 }, (_, i) => `a${i} ${i % 2 ? 'AND' : 'OR'}`).join(' ') + ' z',
      Array.from({ length: 200 }, () => '1 <').join(' ') + ' 2',
    ]) {
      expect(parseError(expression).message).toContain(`nested more than ${MAX_NESTING_DEPTH} levels`);
    }
    expect(evaluate('('.repeat(MAX_NESTING_DEPTH - 1) + '1' + ')'.repeat(MAX_NESTING_DEPTH - 1)).value).toBe(1);
  });

  it('keeps long chains of one operator flat, so they stay within the limits', () => {
    const types = Array.from({ length: 800 }, (_, i) => `type = 't${i}'`).join(' OR ');
    expect(evaluate(types, { type: 't799' })).toEqual({ value: true, errors: [] });
    const sum = Array.from({ length: 2000 }, () => '1').join(' + ');
    expect(evaluate(sum).value).toBe(2000);
  });

  it('matches huge LIKE patterns in bounded time without throwing', () => {
    const value = 'a'.repeat(10_000);
    const started = performance.now();
    // As a RegExp, /^(.*a){2000}b$/-like patterns backtrack for ever on this value.
    expect(evaluate(`subject LIKE '${'%a'.repeat(2000)}b'`, { subject: value }).value).toBe(false);
    expect(evaluate(`subject LIKE '%${'a'.repeat(2000)}_b%'`, { subject: value }).value).toBe(false);
    expect(evaluate(`subject LIKE '${'_%'.repeat(3000)}'`, { subject: value }).value).toBe(true);
    expect(evaluate(`subject LIKE '%${'_'.repeat(5000)}%a'`, { subject: value }).value).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('never throws from evaluate, even when the lookup does', () => {
    const r = compileCesql('subject = 1').evaluate(() => {
      throw new Error('boom');
    });
    expect(r.value).toBe(false);
    expect(r.errors.map((e) => e.kind)).toEqual(['generic']);
    expect(r.errors[0]?.message).toContain('boom');
  });

  it('either rejects or evaluates random token soup, never anything else', () => {
    const alphabet = [
      '(', ')', ',', 'NOT', 'AND', 'OR', 'XOR', 'LIKE', 'IN', 'EXISTS', '-', '+', '*', '/', '%', '=', '!=',
      '<>', '<', '>=', 'TRUE', 'false', '0', '1', '2147483647', '-2147483648', "'a%_'", '"x"', "'\\%'",
      'subject', 'myext', 'id', 'ABS', 'LEFT', 'SUBSTRING', 'concat_ws', 'INT', 'BOOL', 'LENGTH', 'nope',
    ];
    let seed = 12345;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const attributes: Record<string, unknown> = { subject: '12', myext: true };
    let compiled = 0;
    for (let i = 0; i < 5000; i++) {
      const length = 1 + random(12);
      const expression = Array.from({ length }, () => alphabet[random(alphabet.length)]).join(' ');
      let program;
      try {
        program = compileCesql(expression);
      } catch (e) {
        expect(e, expression).toBeInstanceOf(CesqlParseError);
        continue;
      }
      compiled++;
      const r = program.evaluate((name) => (name in attributes ? (attributes[name] as CesqlValue) : undefined));
      expect(['string', 'number', 'boolean'], expression).toContain(typeof r.value);
      if (typeof r.value === 'number') expect(r.value | 0, expression).toBe(r.value);
      for (const error of r.errors) expect(error, expression).toBeInstanceOf(CesqlError);
      expect(r.errors.every((error) => error.kind !== 'generic'), `${expression}: ${r.errors[0]?.message}`).toBe(true);
    }
    expect(compiled).toBeGreaterThan(100);
  });
});
