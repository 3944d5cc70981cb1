import type { CloudEvent } from '../events/event.js';
import type { OwnExplanation } from './explain.js';

/**
 * Knative filters are tri-state: only `fail` drops an event; `pass` and `nofilter` deliver it.
 * The distinction matters inside `any`, `all` and `not` (knative-spec §2.15-17).
 */
export type FilterResult = 'pass' | 'fail' | 'nofilter';

/** A filter compiled once per Trigger at load time; evaluating it does no parsing. */
export interface EventFilter {
  /** The dialect that produced it: exact, prefix, suffix, all, any, not, cesql, attributes, cel, … */
  readonly dialect: string;
  /** How the filter reads in a manifest, for explanations and logs. */
  readonly text: string;
  readonly children: readonly EventFilter[];
  evaluate(event: CloudEvent): FilterResult;
  /** What this filter looked at, for `eventyard explain`; off the delivery path. */
  explain?(event: CloudEvent): OwnExplanation;
}

/** Matches every event; what a Trigger with no filter has. */
export const NO_FILTER: EventFilter = {
  dialect: 'none',
  text: '(no filter)',
  children: [],
  evaluate: () => 'nofilter',
};

/** The whole filter tree on one line, e.g. `all(prefix {type: "foo."}, not(exact {source: "/x"}))`. */
export function formatFilter(filter: EventFilter): string {
  if (filter.children.length === 0) return filter.dialect === 'not' ? 'not()' : filter.text;
  return `${filter.text}(${filter.children.map(formatFilter).join(', ')})`;
}
