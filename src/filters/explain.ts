import type { CloudEvent } from '../events/event.js';
import type { EventFilter, FilterResult } from './filter.js';

/** Why a filter gave its result for one event: its own result, what it looked at, and its parts. */
export interface Explanation {
  readonly filter: string;
  readonly result: FilterResult;
  /** What the filter saw, e.g. `type is "order.created"`, a CEL value or error. */
  readonly detail?: string;
  readonly children: readonly Explanation[];
}

/** What a filter with inner structure or inputs (attribute dialects, CESQL, CEL) adds to its explanation. */
export interface OwnExplanation {
  readonly detail?: string;
  /** Replaces the explanations of `children` (CESQL explains its sub-expressions). */
  readonly children?: readonly Explanation[];
}

/**
 * Evaluates every part of the filter on its own, so that the explanation shows each sub-filter's
 * result even where the real evaluation stopped early (all stops at the first fail).
 */
export function explainFilter(filter: EventFilter, event: CloudEvent): Explanation {
  const own = filter.explain?.(event);
  return {
    filter: filter.text,
    result: filter.evaluate(event),
    ...(own?.detail !== undefined ? { detail: own.detail } : {}),
    children: own?.children ?? filter.children.map((child) => explainFilter(child, event)),
  };
}

const MARK: Record<FilterResult, string> = { pass: '✓', fail: '✗', nofilter: '–' };

/** The explanation as indented lines, one per filter part. */
export function formatExplanation(explanation: Explanation, indent = ''): string[] {
  const detail = explanation.detail ? `   (${explanation.detail})` : '';
  const lines = [`${indent}${MARK[explanation.result]} ${explanation.filter} → ${explanation.result}${detail}`];
  for (const child of explanation.children) lines.push(...formatExplanation(child, `${indent}  `));
  return lines;
}
