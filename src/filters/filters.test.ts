// Tri-state filter semantics, ported from the tables of knative/eventing pkg/eventfilter
// (attributes/filter_test.go, subscriptionsapi/*_filter_test.go) — knative-spec §2.
import { describe, expect, it } from 'vitest';
import { attributeRecord, type CloudEvent } from '../events/event.js';
import { compileFilter, compileTriggerFilter } from './compile.js';
import type { EventFilter, FilterResult } from './filter.js';
import type { FilterSpec } from './spec.js';

function event(attributes: Record<string, string>): CloudEvent {
  return { attributes: attributeRecord(Object.entries({ specversion: '1.0', id: '1', source: '/src', type: 'com.example.type', ...attributes })), data: undefined };
}

const base = event({});
const withExt = event({ myext: 'my-value', subject: 'the-subject' });
const run = (spec: FilterSpec, e = base): FilterResult | 'skipped' => compileFilter(spec)?.evaluate(e) ?? 'skipped';
const exact = (attributes: Record<string, string>): FilterSpec => ({ dialect: 'exact', attributes });
const PASS = exact({ type: 'com.example.type' });
const FAIL = exact({ type: 'other' });
const SKIPPED = exact({ type: '' });
const EMPTY_ALL: FilterSpec = { dialect: 'all', filters: [] };

describe('exact, prefix, suffix', () => {
  it.each([
    ['exact match', exact({ type: 'com.example.type' }), 'pass'],
    ['exact mismatch', exact({ type: 'com.example' }), 'fail'],
    ['exact is case-sensitive', exact({ type: 'COM.EXAMPLE.TYPE' }), 'fail'],
    ['exact on a missing extension', exact({ myext: 'x' }), 'fail'],
    ['exact on an absent optional attribute', exact({ subject: 'x' }), 'fail'],
    ['exact with several keys: all must hold', exact({ type: 'com.example.type', source: '/other' }), 'fail'],
    ['prefix match', { dialect: 'prefix', attributes: { type: 'com.example' } }, 'pass'],
    ['prefix mismatch', { dialect: 'prefix', attributes: { type: 'example' } }, 'fail'],
    ['prefix on a missing extension', { dialect: 'prefix', attributes: { myext: 'my' } }, 'fail'],
    ['suffix match', { dialect: 'suffix', attributes: { type: '.type' } }, 'pass'],
    ['suffix mismatch', { dialect: 'suffix', attributes: { type: '.example' } }, 'fail'],
    ['an empty value skips the element (Knative drops it)', exact({ type: '' }), 'skipped'],
    ['an empty value in prefix skips it too', { dialect: 'prefix', attributes: { type: '' } }, 'skipped'],
  ] as [string, FilterSpec, string][])('%s', (_name, spec, expected) => {
    expect(run(spec)).toBe(expected);
  });

  it('reads extensions and the schemaurl/dataschema and datamediatype aliases', () => {
    expect(run(exact({ myext: 'my-value' }), withExt)).toBe('pass');
    const e = event({ dataschema: 'http://s/1', datacontenttype: 'application/json; charset=utf-8' });
    expect(run(exact({ schemaurl: 'http://s/1' }), e)).toBe('pass');
    expect(run(exact({ datamediatype: 'application/json' }), e)).toBe('pass');
  });
});

describe('all, any, not', () => {
  it.each([
    ['all of nothing is nofilter', EMPTY_ALL, 'nofilter'],
    ['all fails on any failure', { dialect: 'all', filters: [PASS, FAIL] }, 'fail'],
    ['all passes when every child passes', { dialect: 'all', filters: [PASS, PASS] }, 'pass'],
    ['all with only skipped children is nofilter', { dialect: 'all', filters: [SKIPPED] }, 'nofilter'],
    ['all ignores a skipped child', { dialect: 'all', filters: [PASS, SKIPPED] }, 'pass'],
    ['any of nothing is nofilter', { dialect: 'any', filters: [] }, 'nofilter'],
    ['any passes on one pass', { dialect: 'any', filters: [FAIL, PASS] }, 'pass'],
    ['any fails when all fail', { dialect: 'any', filters: [FAIL, FAIL] }, 'fail'],
    // Quirk: with no pass, any returns its LAST child's result; an empty all is nofilter → delivers.
    ['any [fail, all[]] is nofilter (last child wins)', { dialect: 'any', filters: [FAIL, EMPTY_ALL] }, 'nofilter'],
    ['any [all[], fail] is fail (last child wins)', { dialect: 'any', filters: [EMPTY_ALL, FAIL] }, 'fail'],
    // A skipped element is removed before any sees it: any [fail, skipped] is any [fail].
    ['any [fail, skipped] is fail', { dialect: 'any', filters: [FAIL, SKIPPED] }, 'fail'],
    ['not pass is fail', { dialect: 'not', filter: PASS }, 'fail'],
    ['not fail is pass', { dialect: 'not', filter: FAIL }, 'pass'],
    ['not of a skipped filter is nofilter', { dialect: 'not', filter: SKIPPED }, 'nofilter'],
    ['not of an empty all is nofilter', { dialect: 'not', filter: EMPTY_ALL }, 'nofilter'],
    ['nested: all [any [fail, pass], not fail]', { dialect: 'all', filters: [{ dialect: 'any', filters: [FAIL, PASS] }, { dialect: 'not', filter: FAIL }] }, 'pass'],
  ] as [string, FilterSpec, string][])('%s', (_name, spec, expected) => {
    expect(run(spec)).toBe(expected);
  });
});

describe('cesql', () => {
  it('passes on true, fails on false, on errors and on a missing attribute', () => {
    const cesql = (expression: string): FilterSpec => ({ dialect: 'cesql', expression });
    expect(run(cesql("type = 'com.example.type'"))).toBe('pass');
    expect(run(cesql("type = 'x'"))).toBe('fail');
    expect(run(cesql("myext = 'x'"))).toBe('fail');
    expect(run(cesql('1 / 0 = 1'))).toBe('fail');
    // String extensions cast to integers, as Knative's "Match numeric extension" case.
    expect(run(cesql('knativebrokerttl < 30'), event({ knativebrokerttl: '20' }))).toBe('pass');
  });

  it('rejects a syntax error at compile time', () => {
    expect(() => compileFilter({ dialect: 'cesql', expression: "type = 'unterminated" })).toThrow();
  });
});

describe('legacy filter.attributes', () => {
  const legacy = (attributes: Record<string, string>, e = base): FilterResult => compileTriggerFilter({ attributes, filters: [] }).evaluate(e);

  it('matches every key exactly', () => {
    expect(legacy({ type: 'com.example.type', source: '/src' })).toBe('pass');
    expect(legacy({ type: 'com.example.type', source: '/other' })).toBe('fail');
  });

  it('treats "" as "present and not empty" (MT broker and spec)', () => {
    expect(legacy({ myext: '' }, withExt)).toBe('pass');
    expect(legacy({ myext: '' })).toBe('fail');
    expect(legacy({ subject: '' })).toBe('fail');
    expect(legacy({ subject: '' }, withExt)).toBe('pass');
  });

  it('passes with an empty map', () => {
    expect(legacy({})).toBe('pass');
  });
});

describe('Trigger precedence', () => {
  const trigger = (attributes: Record<string, string> | undefined, filters: FilterSpec[]): EventFilter => compileTriggerFilter({ attributes, filters });

  it('uses filters when not empty and ignores filter', () => {
    expect(trigger({ type: 'other' }, [PASS]).evaluate(base)).toBe('pass');
    expect(trigger({ type: 'com.example.type' }, [FAIL]).evaluate(base)).toBe('fail');
  });

  it('falls back to filter when filters is empty', () => {
    expect(trigger({ type: 'other' }, []).evaluate(base)).toBe('fail');
  });

  it('delivers everything without any filter', () => {
    expect(trigger(undefined, []).evaluate(base)).toBe('nofilter');
  });

  it('treats the filters list as an implicit all', () => {
    expect(trigger(undefined, [PASS, FAIL]).evaluate(base)).toBe('fail');
    expect(trigger(undefined, [SKIPPED]).evaluate(base)).toBe('nofilter');
  });
});
