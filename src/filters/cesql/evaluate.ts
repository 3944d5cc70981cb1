// Turns the AST into a tree of closures, once per expression, so that evaluating a filter is a few
// direct calls with no dispatch on node kinds. Casts whose source type is known are resolved here,
// literal operands are cast ahead of time, and subtrees that read no attribute are folded.
//
// Errors follow the spec's fail-fast mode (§4.1, which §1.2 recommends for filters): the first error
// decides the outcome, and the expression returns the zero value of its type (§3.3), except when
// the failing operator or function is the root, which returns its own fallback (ABS(-2147483648) is
// 2147483647, LEFT('abc', -2) is 'abc'). A missing attribute fails the identifier itself, so the
// operator above it returns its zero value, never the result of its own arithmetic (`1 / missing`
// is 0 with a MissingAttributeError, not a MathError).
//
// Since the root alone decides the value once something failed, nothing needs to unwind: a failing
// node records the first failure and hands its parent an ordinary value, the evaluation runs to its
// end, and the root reads the record. That keeps the success path free of checks and the failure
// path free of exceptions (a throw costs about a microsecond, more than a whole evaluation).
import type { ArithmeticNode, CallNode, ComparisonNode, InNode, LogicNode, Node } from './ast.js';
import { castToBool, castToInt, castToString } from './casting.js';
import { CesqlError, evaluationError, quote } from './errors.js';
import type { CesqlErrorKind } from './errors.js';
import { hasFunction, parameterType, resolveFunction } from './functions.js';
import type { Fail } from './functions.js';
import { compileLike } from './like.js';
import { toCesqlValue, typeOfValue, zeroValue } from './types.js';
import type { CesqlType, CesqlValue } from './types.js';

export type Lookup = (name: string) => CesqlValue | undefined;

export interface CesqlResult {
  value: CesqlValue;
  errors: CesqlError[];
}

type Eval<T = CesqlValue> = (lookup: Lookup) => T;

export interface Failure {
  readonly error: CesqlError;
  /** The node that failed: if it is the root, `fallback` is the expression's value. */
  readonly node: Node;
  readonly fallback: CesqlValue;
}

/** The first failure of the evaluation in progress; one per compiled program. */
interface State {
  failure: Failure | null;
}

type ArithmeticOperator = ArithmeticNode['operators'][number];

/** Attributes every valid event has, so EXISTS on them is true without a look (§3.4.4). */
const REQUIRED_ATTRIBUTES: ReadonlySet<string> = new Set(['specversion', 'id', 'source', 'type']);

const NO_ATTRIBUTES: Lookup = () => undefined;

/** The type a node evaluates to, or undefined when it is an attribute whose type only the event knows. */
export function staticType(node: Node): CesqlType | undefined {
  switch (node.kind) {
    case 'literal':
      return typeOfValue(node.value);
    case 'identifier':
      return undefined;
    case 'negate':
    case 'arithmetic':
      return 'Integer';
    case 'call':
      return resolveFunction(node.name, node.args.length)?.returns ?? 'Boolean';
    default:
      return 'Boolean';
  }
}

/** §3.2: where the type cannot be known, Boolean is assumed. */
export function zeroOf(node: Node): CesqlValue {
  return zeroValue(staticType(node) ?? 'Boolean');
}

/**
 * Called as each node finishes evaluating, with the value it returned and the first failure inside
 * its subtree (its own, or a descendant's), or null. explain.ts builds its trace from these calls.
 */
export type NodeObserver = (node: Node, value: CesqlValue, failure: Failure | null) => void;

/**
 * With `observe`, this compiles a separate, slower form for explain(): every node reports to it,
 * nothing is constant-folded (folded nodes would not report) and no operand is inlined. Every
 * shortcut skipped that way computes exactly what the general code does, so results are unchanged.
 * Without it the closures are the same as if `observe` did not exist.
 */
export function compileProgram(root: Node, observe?: NodeObserver): (lookup: Lookup) => CesqlResult {
  const state: State = { failure: null };
  const evaluate = new Compiler(root, state, observe).compile(root);
  const rootZero = zeroOf(root);
  return (lookup) => {
    // Saved and restored in case a lookup evaluates this same program (odd, but must not corrupt it).
    const outer = state.failure;
    state.failure = null;
    let value: CesqlValue;
    try {
      value = evaluate(lookup);
    } catch (e) {
      // Only a throwing lookup (or a bug) gets here: still no exception for the caller, and no match.
      const detail = e instanceof Error ? e.message : String(e);
      state.failure = outer;
      return { value: rootZero, errors: [evaluationError('generic', `evaluation failed: ${detail}`)] };
    }
    // The cast undoes TypeScript's narrowing to null from the assignment above; evaluate() sets it.
    const failure = state.failure as Failure | null;
    state.failure = outer;
    if (failure === null) return { value, errors: [] };
    return { value: failure.node === root ? failure.fallback : rootZero, errors: [failure.error] };
  };
}

class Compiler {
  /** Nodes that read the event; every other node can be evaluated once, here. */
  private readonly dynamic = new Set<Node>();
  private readonly constants = new Map<Node, CesqlValue | undefined>();

  constructor(
    root: Node,
    private readonly state: State,
    private readonly observe: NodeObserver | undefined,
  ) {
    this.markDynamic(root);
  }

  compile(node: Node): Eval {
    const folded = this.constantValue(node);
    if (folded !== undefined) return () => folded;
    return this.compileNode(node);
  }

  /**
   * Records a failure of `node` unless an earlier one is already recorded. `fallback` is what `node`
   * returns (it is the expression's value if `node` is the root); the caller returns it too.
   */
  private fail<T extends CesqlValue>(node: Node, kind: CesqlErrorKind, message: string, fallback: T): T {
    const state = this.state;
    if (state.failure === null) state.failure = { error: evaluationError(kind, message), node, fallback };
    return fallback;
  }

  /** A cast for operator or function `owner` failed: §3.7 gives the cast the zero value of its target. */
  private castFailure<T extends CesqlValue>(owner: Node, value: CesqlValue, type: CesqlType, zero: T): T {
    this.fail(owner, 'cast', `cannot cast ${typeOfValue(value)} ${quote(value)} to ${type}`, zeroOf(owner));
    return zero;
  }

  // --- operands cast to what their operator needs (§3.7) --------------------------------------

  /** `node` as an Integer operand of `owner`, which owns any CastError. */
  private int(node: Node, owner: Node): Eval<number> {
    const constant = this.constantValue(node);
    if (constant !== undefined) {
      const cast = castToInt(constant);
      return cast !== undefined ? () => cast : () => this.castFailure(owner, constant, 'Integer', 0);
    }
    const f = this.compileNode(node);
    if (staticType(node) === 'Integer') return f as Eval<number>;
    return (lookup) => {
      const v = f(lookup);
      return typeof v === 'number' ? v : (castToInt(v) ?? this.castFailure(owner, v, 'Integer', 0));
    };
  }

  private bool(node: Node, owner: Node): Eval<boolean> {
    const constant = this.constantValue(node);
    if (constant !== undefined) {
      const cast = castToBool(constant);
      return cast !== undefined ? () => cast : () => this.castFailure(owner, constant, 'Boolean', false);
    }
    const f = this.compileNode(node);
    if (staticType(node) === 'Boolean') return f as Eval<boolean>;
    return (lookup) => {
      const v = f(lookup);
      return typeof v === 'boolean' ? v : (castToBool(v) ?? this.castFailure(owner, v, 'Boolean', false));
    };
  }

  private string(node: Node): Eval<string> {
    const constant = this.constantValue(node);
    if (constant !== undefined) {
      const cast = castToString(constant);
      return () => cast;
    }
    const f = this.compileNode(node);
    if (staticType(node) === 'String') return f as Eval<string>;
    return (lookup) => {
      const v = f(lookup);
      return typeof v === 'string' ? v : String(v);
    };
  }

  private as(node: Node, type: CesqlType, owner: Node): Eval {
    return type === 'Integer' ? this.int(node, owner) : type === 'Boolean' ? this.bool(node, owner) : this.string(node);
  }

  // --- nodes ------------------------------------------------------------------------------------

  private compileNode(node: Node): Eval {
    const evaluate = this.build(node);
    const observe = this.observe;
    if (observe === undefined) return evaluate;
    const state = this.state;
    return (lookup) => {
      // Clear the record so it shows the first failure of this subtree, then put back the first
      // failure overall: the program sees the same record it would without the observer.
      const outer = state.failure;
      state.failure = null;
      const value = evaluate(lookup);
      const failure = state.failure as Failure | null;
      observe(node, value, failure);
      state.failure = outer ?? failure;
      return value;
    };
  }

  private build(node: Node): Eval {
    switch (node.kind) {
      case 'literal': {
        const value = node.value;
        return () => value;
      }
      case 'identifier': {
        const name = node.name;
        const message = `missing attribute ${quote(name)}`;
        return (lookup) => {
          const v: unknown = lookup(name);
          if (typeof v === 'string' || typeof v === 'boolean') return v;
          if (v === undefined || v === null) return this.fail(node, 'missingAttribute', message, false);
          return toCesqlValue(v);
        };
      }
      case 'exists': {
        const name = node.name;
        if (REQUIRED_ATTRIBUTES.has(name)) return () => true;
        return (lookup) => {
          const v = lookup(name);
          return v !== undefined && v !== null;
        };
      }
      case 'not': {
        const operand = this.bool(node.operand, node);
        return (lookup) => !operand(lookup);
      }
      case 'negate': {
        const operand = this.int(node.operand, node);
        return (lookup) => -operand(lookup) | 0; // -(-2147483648) wraps, as int32 does in sdk-go
      }
      case 'like': {
        const value = this.string(node.operand);
        const matches = compileLike(node.pattern);
        return node.negated ? (lookup) => !matches(value(lookup)) : (lookup) => matches(value(lookup));
      }
      case 'in':
        return this.compileIn(node);
      case 'comparison':
        return this.compileComparison(node);
      case 'arithmetic':
        return this.compileArithmetic(node);
      case 'logic':
        return this.compileLogic(node);
      case 'call':
        return this.compileCall(node);
    }
  }

  private compileComparison(node: ComparisonNode): Eval<boolean> {
    const op = node.operator;
    if (op === '=' || op === '!=' || op === '<>') {
      const negated = op !== '=';
      // §3.7: `=` is overloaded, so the right operand's type decides what the left one is cast to.
      if (node.right.kind === 'literal' && this.observe === undefined) {
        const constant = node.right.value;
        const left = this.as(node.left, typeOfValue(constant), node);
        return negated ? (lookup) => left(lookup) !== constant : (lookup) => left(lookup) === constant;
      }
      const left = this.compile(node.left);
      const right = this.compile(node.right);
      return (lookup) => {
        const a = left(lookup);
        const b = right(lookup);
        // a is cast to b's type.
        if (typeof b === 'string') return (typeof a === 'string' ? a : String(a)) === b !== negated;
        if (typeof b === 'number') {
          return (typeof a === 'number' ? a : (castToInt(a) ?? this.castFailure(node, a, 'Integer', 0))) === b !== negated;
        }
        return (typeof a === 'boolean' ? a : (castToBool(a) ?? this.castFailure(node, a, 'Boolean', false))) === b !== negated;
      };
    }
    const left = this.int(node.left, node);
    const right = this.int(node.right, node);
    switch (op) {
      case '<':
        return (lookup) => left(lookup) < right(lookup);
      case '<=':
        return (lookup) => left(lookup) <= right(lookup);
      case '>':
        return (lookup) => left(lookup) > right(lookup);
      case '>=':
        return (lookup) => left(lookup) >= right(lookup);
    }
  }

  private compileIn(node: InNode): Eval<boolean> {
    const negated = node.negated;
    const operand = this.compile(node.operand);
    const constants = node.set.map((element) => this.constantValue(element));
    if (constants.every((c) => c !== undefined)) {
      // A literal set (the usual case) becomes one hash lookup per possible operand type. A literal
      // that cannot take that type still raises its CastError, as it would if evaluated in turn.
      const values = constants as CesqlValue[];
      const strings = new Set(values.map(castToString));
      const ints = castAll(values, castToInt);
      const bools = castAll(values, castToBool);
      return (lookup) => {
        const v = operand(lookup);
        let found: boolean;
        if (typeof v === 'string') {
          found = strings.has(v);
        } else if (typeof v === 'number') {
          if (ints.failed !== undefined) this.castFailure(node, ints.failed, 'Integer', 0);
          found = ints.set.has(v);
        } else {
          if (bools.failed !== undefined) this.castFailure(node, bools.failed, 'Boolean', false);
          found = bools.set.has(v);
        }
        return found !== negated;
      };
    }
    const elements = node.set.map((element) => this.compile(element));
    return (lookup) => {
      const v = operand(lookup);
      // Every element is evaluated, as for any operator's operands: only AND and OR short-circuit.
      // Each is cast to the type of the left operand (§3.4.5).
      let found = false;
      for (const element of elements) {
        const e = element(lookup);
        let equal: boolean;
        if (typeof v === 'string') equal = (typeof e === 'string' ? e : String(e)) === v;
        else if (typeof v === 'number') equal = (typeof e === 'number' ? e : (castToInt(e) ?? this.castFailure(node, e, 'Integer', 0))) === v;
        else equal = (typeof e === 'boolean' ? e : (castToBool(e) ?? this.castFailure(node, e, 'Boolean', false))) === v;
        if (equal) found = true;
      }
      return found !== negated;
    };
  }

  private compileArithmetic(node: ArithmeticNode): Eval<number> {
    const operands = node.operands.map((operand) => this.int(operand, node));
    const operators = node.operators;
    if (operands.length === 2) {
      const [a, b] = operands as [Eval<number>, Eval<number>];
      switch (operators[0]) {
        case '+':
          return (lookup) => (a(lookup) + b(lookup)) | 0;
        case '-':
          return (lookup) => (a(lookup) - b(lookup)) | 0;
        case '*':
          return (lookup) => Math.imul(a(lookup), b(lookup));
        default: {
          const op = operators[0] as ArithmeticOperator;
          return (lookup) => {
            const x = a(lookup);
            return this.arithmetic(op, x, b(lookup), node);
          };
        }
      }
    }
    return (lookup) => {
      let acc = (operands[0] as Eval<number>)(lookup);
      for (let i = 1; i < operands.length; i++) {
        acc = this.arithmetic(operators[i - 1] as ArithmeticOperator, acc, (operands[i] as Eval<number>)(lookup), node);
      }
      return acc;
    };
  }

  /** 32-bit integer arithmetic: wraps on overflow like sdk-go's int32; / truncates toward 0; % takes the dividend's sign. */
  private arithmetic(op: ArithmeticOperator, a: number, b: number, node: Node): number {
    switch (op) {
      case '+':
        return (a + b) | 0;
      case '-':
        return (a - b) | 0;
      case '*':
        return Math.imul(a, b);
      case '/':
        return b === 0 ? this.fail(node, 'math', 'division by zero', 0) : (a / b) | 0;
      case '%':
        return b === 0 ? this.fail(node, 'math', 'modulo by zero', 0) : (a % b) | 0;
    }
  }

  private compileLogic(node: LogicNode): Eval<boolean> {
    const operands = node.operands.map((operand) => this.bool(operand, node));
    const [a, b] = operands as [Eval<boolean>, Eval<boolean>];
    const pair = operands.length === 2;
    switch (node.operator) {
      case 'AND':
        if (pair) return (lookup) => a(lookup) && b(lookup);
        return (lookup) => {
          for (const operand of operands) if (!operand(lookup)) return false;
          return true;
        };
      case 'OR':
        if (pair) return (lookup) => a(lookup) || b(lookup);
        return (lookup) => {
          for (const operand of operands) if (operand(lookup)) return true;
          return false;
        };
      case 'XOR':
        if (pair) return (lookup) => a(lookup) !== b(lookup);
        return (lookup) => {
          let acc = false;
          for (const operand of operands) acc = acc !== operand(lookup);
          return acc;
        };
    }
  }

  private compileCall(node: CallNode): Eval {
    const fn = resolveFunction(node.name, node.args.length);
    if (fn === undefined) {
      // §3.5: an invocation that cannot be dispatched returns false and a MissingFunctionError.
      const message = hasFunction(node.name)
        ? `function ${node.name} does not take ${node.args.length} argument(s)`
        : `unknown function ${node.name}`;
      return () => this.fail(node, 'missingFunction', message, false);
    }
    const args = node.args.map((arg, i) => this.as(arg, parameterType(fn, i), node));
    const failHere: Fail = (kind, message, fallback) => this.fail(node, kind, message, fallback);
    const call = fn.call;
    switch (args.length) {
      case 0:
        return () => call([], failHere);
      case 1: {
        const a = args[0] as Eval;
        return (lookup) => call([a(lookup)], failHere);
      }
      case 2: {
        const [a, b] = args as [Eval, Eval];
        return (lookup) => {
          const x = a(lookup);
          return call([x, b(lookup)], failHere);
        };
      }
      default:
        return (lookup) => call(args.map((arg) => arg(lookup)), failHere);
    }
  }

  // --- constant folding -------------------------------------------------------------------------

  private markDynamic(node: Node): boolean {
    let dynamic = node.kind === 'identifier' || (node.kind === 'exists' && !REQUIRED_ATTRIBUTES.has(node.name));
    for (const child of children(node)) if (this.markDynamic(child)) dynamic = true;
    if (dynamic) this.dynamic.add(node);
    return dynamic;
  }

  /** The node's value if it reads no attribute and evaluates without error; otherwise undefined. */
  private constantValue(node: Node): CesqlValue | undefined {
    if (this.observe !== undefined) return undefined;
    if (node.kind === 'literal') return node.value;
    if (this.dynamic.has(node)) return undefined;
    if (this.constants.has(node)) return this.constants.get(node);
    const state = this.state;
    state.failure = null;
    let value: CesqlValue | undefined = this.compileNode(node)(NO_ATTRIBUTES);
    // Errors such as 1/0 must still be reported by every evaluation, so such a node stays live.
    if (state.failure !== null) value = undefined;
    state.failure = null;
    this.constants.set(node, value);
    return value;
  }
}

/** A node's operands, in evaluation order. */
export function children(node: Node): readonly Node[] {
  switch (node.kind) {
    case 'not':
    case 'negate':
    case 'like':
      return [node.operand];
    case 'in':
      return [node.operand, ...node.set];
    case 'comparison':
      return [node.left, node.right];
    case 'arithmetic':
    case 'logic':
      return node.operands;
    case 'call':
      return node.args;
    default:
      return [];
  }
}

function castAll<T>(values: readonly CesqlValue[], cast: (v: CesqlValue) => T | undefined): { set: Set<T>; failed: CesqlValue | undefined } {
  const set = new Set<T>();
  for (const value of values) {
    const c = cast(value);
    if (c === undefined) return { set, failed: value };
    set.add(c);
  }
  return { set, failed: undefined };
}
