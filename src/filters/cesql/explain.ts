// explain(): evaluates a program the way evaluate() does and also says what each sub-expression
// gave, for `eventyard explain` ("why did my trigger not fire?"). It runs a second compiled form of
// the same AST (compileProgram with an observer), built on the first explain() call, so the form
// that filters events carries no tracing code at all.
import type { Node } from './ast.js';
import type { CesqlErrorKind } from './errors.js';
import { children, compileProgram, zeroOf } from './evaluate.js';
import type { CesqlResult, Failure, Lookup } from './evaluate.js';
import type { CesqlValue } from './types.js';

/**
 * One node per AST node, with the AST's shape: operators have one child per operand (a chain of one
 * operator, `a AND b AND c` or `a + b - c`, is a single node, as in the AST), function calls one per
 * argument, IN the left operand then one per set element, LIKE only its left operand, NOT and unary
 * minus one; literals, attributes and EXISTS none. Parentheses add no node: a parenthesized
 * sub-expression's text includes its parentheses.
 */
export interface CesqlTrace {
  /** This sub-expression as written: `expression.slice(start, end)`, never padded with blanks. */
  readonly text: string;
  /** Offsets into the expression (UTF-16 units, end exclusive), for highlighting. */
  readonly start: number;
  readonly end: number;
  /**
   * Its value. Fail-fast (§3.3): once the sub-expression itself or anything inside it failed, this
   * is the zero value of its type; at the root it is always the result's value.
   */
  readonly value: CesqlValue;
  /**
   * The error this sub-expression raised itself (the first inside it, and it is its own): a missing
   * attribute is on the attribute, a failed cast on the operator or function that needed it. An
   * operator whose operand already failed raises nothing more, as in a real evaluation. Errors that
   * evaluate() reports only once (it keeps the first) can show on several nodes, e.g. on both `a`
   * and `b` in `a + b` when both are missing.
   */
  readonly error?: { kind: CesqlErrorKind; message: string };
  /** For attribute references (not EXISTS): the attribute name, lower-cased as the lookup sees it. */
  readonly attribute?: string;
  /**
   * Set when a real evaluation does not evaluate this sub-expression: the rest of an AND after a
   * false operand or of an OR after a true one, or the arguments of a function that does not exist.
   * The value is then the zero value, and its children are skipped too. (Also set on the nodes a
   * throwing lookup left unfinished; the root then carries evaluate()'s generic error.)
   */
  readonly skipped?: true;
  readonly children: readonly CesqlTrace[];
}

export interface CesqlExplanation {
  /** Equal to what evaluate() returns for the same lookup. */
  readonly result: CesqlResult;
  readonly trace: CesqlTrace;
}

interface Observed {
  readonly value: CesqlValue;
  readonly failure: Failure | null;
}

export function compileExplain(root: Node, expression: string): (lookup: Lookup) => CesqlExplanation {
  // Per call; one entry per node, since no node is evaluated twice in one evaluation.
  let observed = new Map<Node, Observed>();
  const run = compileProgram(root, (node, value, failure) => observed.set(node, { value, failure }));

  /** `result` is given for the root only. */
  function trace(node: Node, result?: CesqlResult): CesqlTrace {
    const seen = observed.get(node);
    const failure = seen?.failure ?? null;
    // Fail-fast: a failure at or below a node makes its value the zero value; the root's value is the
    // result's (the root's own fallback when the root itself failed, as ABS(-2147483648) does).
    let value = seen === undefined || failure !== null ? zeroOf(node) : seen.value;
    let error = failure !== null && failure.node === node ? failure.error : undefined;
    if (result !== undefined) {
      value = result.value;
      // An unobserved root means the lookup threw: evaluate()'s generic error belongs to no other node.
      if (seen === undefined) error = result.errors[0];
    }
    return {
      text: expression.slice(node.pos, node.end),
      start: node.pos,
      end: node.end,
      value,
      ...(error && { error: { kind: error.kind, message: error.message } }),
      ...(node.kind === 'identifier' && { attribute: node.name }),
      ...(seen === undefined && result === undefined && { skipped: true as const }),
      children: children(node).map((child) => trace(child)),
    };
  }

  return (lookup) => {
    // Saved and restored like the failure record, in case a lookup explains this same program.
    const outer = observed;
    observed = new Map();
    try {
      const result = run(lookup);
      return { result, trace: trace(root, result) };
    } finally {
      observed = outer;
    }
  };
}
