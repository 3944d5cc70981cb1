import type { CloudEvent } from '../events/event.js';
import { lookupAttribute } from './attributes.js';
import { compileCesql } from './cesql/index.js';
import type { EventFilter, FilterResult } from './filter.js';

/**
 * The `cesql` dialect. Attribute values reach the engine as strings (how Knative's broker sees them
 * after a binary hop); CESQL's implicit casts make `knativebrokerttl < 30` work on them.
 * Any evaluation error, or a result that is not boolean true, fails the filter (Knative cesql_filter.go).
 */
export function cesqlFilter(expression: string): EventFilter {
  const program = compileCesql(expression);
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
  };
}
