import type { CloudEvent } from '../events/event.js';
import { lookupAttribute } from './attributes.js';
import type { CesqlProgram, CesqlTrace } from './cesql/index.js';
import type { Explanation } from './explain.js';
import type { EventFilter, FilterResult } from './filter.js';

/**
 * The `cesql` dialect. Attribute values reach the engine as strings (how Knative's broker sees them
 * after a binary hop); CESQL's implicit casts make `knativebrokerttl < 30` work on them.
 * Any evaluation error, or a result that is not boolean true, fails the filter (Knative cesql_filter.go).
 */
export function cesqlFilter(program: CesqlProgram): EventFilter {
  const { expression } = program;
  // One lookup for every evaluation (evaluation is synchronous), not a new closure per event.
  let current: CloudEvent;
  const lookup = (name: string) => lookupAttribute(current, name);
  return {
    dialect: 'cesql',
    text: `cesql ${JSON.stringify(expression)}`,
    children: [],
    evaluate(event: CloudEvent): FilterResult {
      current = event;
      const { value, errors } = program.evaluate(lookup);
      return errors.length === 0 && value === true ? 'pass' : 'fail';
    },
    explain(event: CloudEvent) {
      const { result, trace } = program.explain((name) => lookupAttribute(event, name));
      const detail = result.errors.length > 0 ? `error: ${result.errors[0]!.message}` : `value ${JSON.stringify(result.value)}`;
      return { detail, children: [fromTrace(trace)] };
    },
  };
}

/** A CESQL sub-expression as an explanation line: booleans pass or fail, other values are shown. */
function fromTrace(trace: CesqlTrace): Explanation {
  const result: FilterResult = trace.value === true ? 'pass' : trace.value === false ? 'fail' : 'nofilter';
  const detail = trace.skipped
    ? 'not evaluated'
    : trace.error
      ? `${trace.error.kind}: ${trace.error.message}`
      : `${trace.attribute ? `${trace.attribute} ` : ''}= ${JSON.stringify(trace.value)}`;
  return { filter: trace.text, result, detail, children: trace.children.map(fromTrace) };
}
