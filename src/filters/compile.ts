import { cesqlFilter } from './cesql-filter.js';
import { compileCesql } from './cesql/index.js';
import { allOf, anyOf, attributeDialect, legacyAttributes, not } from './dialects.js';
import type { CloudEvent } from '../events/event.js';
import { NO_FILTER, type EventFilter, type FilterResult } from './filter.js';
import type { FilterSpec, TriggerFilterSpec } from './spec.js';

/**
 * Compiles one `filters` element. Undefined means Knative drops the element (see attributeDialect);
 * an invalid CESQL expression throws, because Knative's webhook rejects the Trigger.
 */
export function compileFilter(spec: FilterSpec): EventFilter | undefined {
  switch (spec.dialect) {
    case 'exact':
    case 'prefix':
    case 'suffix':
      return attributeDialect(spec.dialect, spec.attributes);
    case 'all':
      return allOf(compileList(spec.filters));
    case 'any':
      return anyOf(compileList(spec.filters));
    case 'not':
      return not(compileFilter(spec.filter));
    case 'cesql':
      return cesqlFilter(spec.program ?? compileCesql(spec.expression));
  }
}

function compileList(specs: readonly FilterSpec[]): EventFilter[] {
  return specs.map(compileFilter).filter((f): f is EventFilter => f !== undefined);
}

/**
 * A Trigger's filter (knative-spec §2 precedence): a non-empty `filters` list wins and is an implicit
 * `all`; otherwise the legacy `filter.attributes`; otherwise everything is delivered. A CEL filter
 * (the eventyard.dev/cel annotation) must hold as well.
 */
export function compileTriggerFilter(spec: TriggerFilterSpec, cel?: EventFilter): EventFilter {
  const knative = spec.filters.length > 0 ? allOf(compileList(spec.filters)) : spec.attributes !== undefined ? legacyAttributes(spec.attributes) : NO_FILTER;
  return cel ? andCel(knative, cel) : knative;
}

function andCel(knative: EventFilter, cel: EventFilter): EventFilter {
  return {
    dialect: 'and',
    text: 'Knative filters and eventyard.dev/cel',
    children: [knative, cel],
    evaluate(event: CloudEvent): FilterResult {
      if (knative.evaluate(event) === 'fail') return 'fail';
      return cel.evaluate(event);
    },
  };
}
