import type { CesqlValue } from './types.js';

export type ComparisonOperator = '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';
export type ArithmeticOperator = '*' | '/' | '%' | '+' | '-';
export type LogicOperator = 'AND' | 'OR' | 'XOR';

interface NodeBase {
  /**
   * Offsets of the node's first character and just past its last one, so `expression.slice(pos, end)`
   * is its source text (for messages and explain()). A parenthesized expression spans its parentheses.
   */
  readonly pos: number;
  readonly end: number;
  /** Height of the subtree; the parser caps it so evaluation cannot exhaust the stack. */
  readonly depth: number;
}

export interface LiteralNode extends NodeBase {
  readonly kind: 'literal';
  readonly value: CesqlValue;
}

export interface IdentifierNode extends NodeBase {
  readonly kind: 'identifier';
  /** Lower-cased: attribute names are case-insensitive in expressions. */
  readonly name: string;
}

export interface ExistsNode extends NodeBase {
  readonly kind: 'exists';
  readonly name: string;
}

export interface NotNode extends NodeBase {
  readonly kind: 'not';
  readonly operand: Node;
}

export interface NegateNode extends NodeBase {
  readonly kind: 'negate';
  readonly operand: Node;
}

export interface LikeNode extends NodeBase {
  readonly kind: 'like';
  readonly operand: Node;
  /** The decoded string literal; \% and \_ are still escaped. */
  readonly pattern: string;
  readonly negated: boolean;
}

export interface InNode extends NodeBase {
  readonly kind: 'in';
  readonly operand: Node;
  readonly set: readonly Node[];
  readonly negated: boolean;
}

export interface ComparisonNode extends NodeBase {
  readonly kind: 'comparison';
  readonly operator: ComparisonOperator;
  readonly left: Node;
  readonly right: Node;
}

/**
 * A left-to-right chain of one precedence level (`a - b + c`, or `a * b / c`), kept flat so a long
 * chain neither deepens the tree nor the evaluation stack. operators[i] joins operands[i] and operands[i+1].
 */
export interface ArithmeticNode extends NodeBase {
  readonly kind: 'arithmetic';
  readonly operands: readonly Node[];
  readonly operators: readonly ArithmeticOperator[];
}

/** `a AND b AND c`, flattened for the same reason; at least two operands. */
export interface LogicNode extends NodeBase {
  readonly kind: 'logic';
  readonly operator: LogicOperator;
  readonly operands: readonly Node[];
}

export interface CallNode extends NodeBase {
  readonly kind: 'call';
  /** Upper-cased: function names are case-insensitive. */
  readonly name: string;
  readonly args: readonly Node[];
}

export type Node =
  | LiteralNode
  | IdentifierNode
  | ExistsNode
  | NotNode
  | NegateNode
  | LikeNode
  | InNode
  | ComparisonNode
  | ArithmeticNode
  | LogicNode
  | CallNode;
