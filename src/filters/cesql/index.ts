// CloudEvents SQL (CESQL) v1, written from the spec and checked against its TCK
// (tests/conformance/cesql-tck.test.ts). Compile once per Trigger, evaluate once per event.
import { compileProgram } from './evaluate.js';
import type { CesqlResult } from './evaluate.js';
import { parse } from './parser.js';
import type { CesqlValue } from './types.js';

export { CesqlError, CesqlParseError } from './errors.js';
export type { CesqlErrorKind } from './errors.js';
export type { CesqlResult } from './evaluate.js';
export type { CesqlValue } from './types.js';
export { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH } from './limits.js';

export interface CesqlProgram {
  readonly expression: string;
  /**
   * Never throws. `lookup` returns the attribute or extension value, or undefined when the event
   * does not have it; names are passed lower-cased. Any error in the result means "no match".
   */
  evaluate(lookup: (name: string) => CesqlValue | undefined): CesqlResult;
}

/** Throws CesqlParseError on a syntax error, or on an expression over the size or nesting limits. */
export function compileCesql(expression: string): CesqlProgram {
  const evaluate = compileProgram(parse(expression));
  return { expression, evaluate };
}
