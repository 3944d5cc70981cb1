// CloudEvents SQL (CESQL) v1, written from the spec and checked against its TCK
// (tests/conformance/cesql-tck.test.ts). Compile once per Trigger, evaluate once per event.
import { compileProgram } from './evaluate.js';
import type { CesqlResult } from './evaluate.js';
import { undispatchableCalls } from './diagnostics.js';
import { compileExplain } from './explain.js';
import type { CesqlExplanation } from './explain.js';
import { parse } from './parser.js';
import type { CesqlValue } from './types.js';

export { CesqlError, CesqlParseError } from './errors.js';
export type { CesqlErrorKind } from './errors.js';
export type { CesqlResult } from './evaluate.js';
export type { CesqlExplanation, CesqlTrace } from './explain.js';
export type { CesqlValue } from './types.js';
export { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH } from './limits.js';

export interface CesqlProgram {
  readonly expression: string;
  /**
   * Never throws. `lookup` returns the attribute or extension value, or undefined when the event
   * does not have it; names are passed lower-cased. Any error in the result means "no match".
   */
  evaluate(lookup: (name: string) => CesqlValue | undefined): CesqlResult;
  /**
   * Evaluates like evaluate() (same result, same lookups) and also returns what each sub-expression
   * gave. For diagnostics: it is several times slower than evaluate(), which it does not slow down.
   */
  explain(lookup: (name: string) => CesqlValue | undefined): CesqlExplanation;
  /** Function calls that can never succeed, so the expression can never be true. */
  readonly undispatchableCalls: readonly string[];
}

/** Throws CesqlParseError on a syntax error, or on an expression over the size or nesting limits. */
export function compileCesql(expression: string): CesqlProgram {
  const root = parse(expression);
  const evaluate = compileProgram(root);
  // The traced form is compiled on first use: most programs only ever filter.
  let explainer: ((lookup: (name: string) => CesqlValue | undefined) => CesqlExplanation) | undefined;
  const explain = (lookup: (name: string) => CesqlValue | undefined): CesqlExplanation =>
    (explainer ??= compileExplain(root, expression))(lookup);
  return { expression, evaluate, explain, undispatchableCalls: undispatchableCalls(root) };
}
