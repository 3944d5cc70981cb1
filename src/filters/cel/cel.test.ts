import { describe, expect, it } from 'vitest';
import { attributeRecord, type CloudEvent } from '../../events/event.js';
import { CelLoadError, celFilter, compileCel } from './index.js';

function event(attributes: Record<string, string>, data?: unknown): CloudEvent {
  return {
    attributes: attributeRecord(Object.entries({ specversion: '1.0', id: '1', source: '/orders/7', type: 'dev.eventyard.render.requested', ...(data === undefined ? {} : { datacontenttype: 'application/json' }), ...attributes })),
    data: data === undefined ? undefined : Buffer.from(typeof data === 'string' ? data : JSON.stringify(data)),
  };
}

const render = event({ renderingid: 'r-1' }, { scene: 'cornell', divisions: 4, width: 640.5, tags: ['a', 'b'] });
const result = (expression: string, e = render) => celFilter(expression).evaluate(e);

describe('the event binding', () => {
  it.each([
    ['event.type == "dev.eventyard.render.requested"', 'pass'],
    ['event.source.startsWith("/orders/")', 'pass'],
    ['event.renderingid == "r-1"', 'pass'],
    ['event.data.divisions * event.data.divisions == 16', 'pass'],
    ['event.data.divisions + 1 == 5', 'pass'],
    ['event.data.width > 640', 'pass'],
    ['"b" in event.data.tags', 'pass'],
    ['event.data.tags.exists(t, t == "a")', 'pass'],
    ['has(event.subject)', 'fail'],
    ['event.type == "other"', 'fail'],
  ])('%s → %s', (expression, expected) => {
    expect(result(expression)).toBe(expected);
  });

  it('fails on an evaluation error (missing key, no overload)', () => {
    expect(result('event.subject == "x"')).toBe('fail');
    expect(result('event.data.scene > 1')).toBe('fail');
    expect(compileCel('event.data.nope').run(render)).toMatchObject({ ok: false, error: expect.stringMatching(/nope/) });
  });

  it('gives text data as a string and binary data as bytes', () => {
    expect(result('event.data == "hello"', event({ datacontenttype: 'text/plain' }, 'hello'))).toBe('pass');
    expect(result('size(event.data) == 3', event({ datacontenttype: 'application/octet-stream' }, 'abc'))).toBe('pass');
  });

  it('refuses an expression that is not boolean, or does not parse', () => {
    expect(() => compileCel('event.type + "x"')).toThrow(CelLoadError);
    expect(() => compileCel('1 + 1')).toThrow(/bool/);
    expect(() => compileCel('event.type ==')).toThrow(CelLoadError);
    expect(() => compileCel('nope == 1')).toThrow(CelLoadError);
  });
});

describe('hostile expressions and events', () => {
  it('refuses deep nesting at load', () => {
    expect(() => compileCel(`${'(1 + '.repeat(300)}1${')'.repeat(300)} > 0`)).toThrow(/maxDepth|nested more than/);
    expect(() => compileCel(`${'!'.repeat(300)}true`)).toThrow(CelLoadError);
    expect(() => compileCel(`${'['.repeat(1500)}${']'.repeat(1500)} == []`)).toThrow(CelLoadError);
    expect(() => compileCel(`${'('.repeat(200)}true${')'.repeat(200)}`)).toThrow(CelLoadError);
    expect(() => compileCel(`${'('.repeat(50)}true${')'.repeat(50)}`)).not.toThrow();
  });

  it('refuses huge literals and expressions at load', () => {
    expect(() => compileCel(`event.type == "${'x'.repeat(5000)}"`)).toThrow(/4096/);
    expect(() => compileCel(`event.type in [${Array.from({ length: 1500 }, (_, i) => i).join(',')}]`)).toThrow(CelLoadError);
  });

  it('refuses nested comprehensions, whose cost is the product of the data sizes', () => {
    expect(() => compileCel('event.data.tags.all(a, event.data.tags.all(b, a != b))')).toThrow(/nested comprehensions/);
    expect(() => compileCel('event.data.tags.map(a, event.data.tags.filter(b, b == a)).size() > 0')).toThrow(/nested/);
    expect(() => compileCel('event.data.tags.all(a, a != "") && event.data.tags.exists(b, b == "a")')).not.toThrow();
  });

  it('runs matches() on RE2: a catastrophic pattern for a backtracking engine answers at once', () => {
    const evil = event({ subject: `${'a'.repeat(50_000)}!` });
    expect(result('event.subject.matches("^(a+)+$")', evil)).toBe('fail');
    expect(result('event.subject.matches("^a+!$")', evil)).toBe('pass');
  });

  it('refuses an invalid RE2 pattern at load, and leaves ".matches(" inside strings alone', () => {
    expect(() => compileCel('event.type.matches("(a")')).toThrow(/RE2/);
    expect(() => compileCel('event.type.matches("(?<=a)b")')).toThrow(/RE2/);
    expect(result('event.type != "x.matches(y)" && event.type.matches("render")')).toBe('pass');
  });

  it('does not give CEL data with huge collections, and says why', () => {
    const big = event({}, { items: Array.from({ length: 20_000 }, () => 1) });
    const outcome = compileCel('event.data.items.exists(i, i == 2)').run(big);
    expect(outcome).toMatchObject({ ok: false, error: expect.stringMatching(/20000 entries/) });
    expect(result('event.type.startsWith("dev.")', big)).toBe('pass');
  });
});
