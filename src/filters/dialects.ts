import type { CloudEvent } from '../events/event.js';
import { lookupAttribute } from './attributes.js';
import type { EventFilter, FilterResult } from './filter.js';

type StringTest = (value: string, expected: string) => boolean;

const TESTS: Record<'exact' | 'prefix' | 'suffix', StringTest> = {
  exact: (value, expected) => value === expected,
  prefix: (value, expected) => value.startsWith(expected),
  suffix: (value, expected) => value.endsWith(expected),
};

/**
 * exact / prefix / suffix: every pair must hold; a missing attribute fails.
 * Returns undefined when Knative would drop the filter: an empty name or value makes its constructor
 * fail, and the broker silently skips that element (create.go MaterializeFiltersList).
 */
export function attributeDialect(dialect: 'exact' | 'prefix' | 'suffix', pairs: Readonly<Record<string, string>>): EventFilter | undefined {
  const entries = Object.entries(pairs);
  if (entries.some(([name, value]) => name === '' || value === '')) return undefined;
  const test = TESTS[dialect];
  return {
    dialect,
    text: `${dialect} ${formatPairs(entries)}`,
    children: [],
    evaluate(event: CloudEvent): FilterResult {
      for (const [name, expected] of entries) {
        const value = lookupAttribute(event, name);
        if (value === undefined || !test(value, expected)) return 'fail';
      }
      return 'pass';
    },
    explain: (event) => ({ detail: describeValues(event, entries) }),
  };
}

/** `type is "order.created", subject is missing`: what an attribute filter compared against. */
function describeValues(event: CloudEvent, entries: [string, string][]): string {
  return entries
    .map(([name]) => {
      const value = lookupAttribute(event, name);
      return value === undefined ? `${name} is missing` : `${name} is ${JSON.stringify(value)}`;
    })
    .join(', ');
}

/**
 * Legacy `filter.attributes`: all must match; a value of "" means "present and not empty"
 * (MT broker and the spec; the Kafka broker differs, see README).
 */
export function legacyAttributes(pairs: Readonly<Record<string, string>>): EventFilter {
  const entries = Object.entries(pairs);
  return {
    dialect: 'attributes',
    text: `attributes ${formatPairs(entries)}`,
    children: [],
    evaluate(event: CloudEvent): FilterResult {
      for (const [name, expected] of entries) {
        const value = lookupAttribute(event, name);
        if (value === undefined || value === '') return 'fail';
        if (expected !== '' && value !== expected) return 'fail';
      }
      return 'pass';
    },
    explain: (event) => ({ detail: describeValues(event, entries) }),
  };
}

/** Fails on the first failing child, otherwise the result of the last child; no children: nofilter. */
export function allOf(children: readonly EventFilter[]): EventFilter {
  return firstDecisive('all', 'fail', children);
}

/**
 * Passes on the first passing child, otherwise the result of the LAST child — so `any: [fail, x]`
 * where x is a filter with nothing left in it delivers. That is Knative's any_filter.go, kept as is.
 */
export function anyOf(children: readonly EventFilter[]): EventFilter {
  return firstDecisive('any', 'pass', children);
}

/** Stops at the first child whose result is `decisive`; otherwise returns the last child's result. */
function firstDecisive(dialect: 'all' | 'any', decisive: FilterResult, children: readonly EventFilter[]): EventFilter {
  return {
    dialect,
    text: dialect,
    children,
    evaluate(event: CloudEvent): FilterResult {
      let result: FilterResult = 'nofilter';
      for (const child of children) {
        result = child.evaluate(event);
        if (result === decisive) return result;
      }
      return result;
    },
  };
}

/** Swaps pass and fail; nofilter (a skipped or empty filter) stays nofilter and so delivers. */
export function not(child: EventFilter | undefined): EventFilter {
  return {
    dialect: 'not',
    text: 'not',
    children: child ? [child] : [],
    evaluate(event: CloudEvent): FilterResult {
      if (!child) return 'nofilter';
      const result = child.evaluate(event);
      return result === 'pass' ? 'fail' : result === 'fail' ? 'pass' : 'nofilter';
    },
  };
}

function formatPairs(entries: [string, string][]): string {
  return `{${entries.map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(', ')}}`;
}
