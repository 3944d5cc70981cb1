// Precedence climbing over the levels of CESQLParser.g4 (an ANTLR left-recursive rule, where an
// earlier alternative binds tighter). This is NOT SQL precedence, and the differences matter:
//  - NOT and unary minus take only a primary as operand: `NOT a = b` is `(NOT a) = b`.
//  - LIKE and IN bind tighter than arithmetic: `1 + x LIKE 'a'` is `1 + (x LIKE 'a')`.
//  - AND, OR and XOR share one level and group to the right: `a AND b OR c` is `a AND (b OR c)`.
// sdk-go (the engine Knative runs) is generated from the same grammar, so filters mean the same here.
// One deliberate leniency: a sign is folded into an integer literal only where an operand is
// expected, so `4-1` is 4 - 1 (the ANTLR lexer would make it `4` `-1`, a syntax error).
import type {
  ArithmeticOperator,
  ComparisonOperator,
  LogicOperator,
  Node,
} from './ast.js';
import { CesqlParseError } from './errors.js';
import { tokenize } from './lexer.js';
import type { Token, TokenType } from './lexer.js';
import { MAX_EXPRESSION_LENGTH, MAX_NESTING_DEPTH } from './limits.js';
import { INT32_MAX } from './types.js';

/** Binding power of each level; a higher one binds tighter. AND/OR/XOR (level 1) is parsed apart. */
const Prec = { Comparison: 2, Additive: 3, Multiplicative: 4, In: 5, Like: 6 } as const;

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer E)[] ? E[] : T[K] };
type ArithmeticChain = Mutable<Extract<Node, { kind: 'arithmetic' }>>;
/** A node as the parser writes it; `make` adds the depth. */
type NodeFields = Node extends infer N ? (N extends Node ? Omit<N, 'depth'> : never) : never;

const COMPARISON: ReadonlySet<TokenType> = new Set(['=', '!=', '<>', '<', '<=', '>', '>=']);
const LOGIC: ReadonlySet<TokenType> = new Set(['AND', 'OR', 'XOR']);

export function parse(expression: string): Node {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new CesqlParseError(
      `expression is ${expression.length} characters long; at most ${MAX_EXPRESSION_LENGTH} are allowed`,
      expression,
      MAX_EXPRESSION_LENGTH,
    );
  }
  return new Parser(expression, tokenize(expression)).parseAll();
}

class Parser {
  private index = 0;
  private nesting = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: readonly Token[],
  ) {}

  parseAll(): Node {
    const node = this.parseExpression();
    const t = this.peek();
    if (t.type !== 'eof') {
      if (t.type === 'NOT') this.fail('expected LIKE or IN after NOT', this.peek(1));
      this.fail(`expected an operator or the end of the expression but found ${describe(t)}`, t);
    }
    return node;
  }

  // --- expression levels -------------------------------------------------------------------

  /** The AND/OR/XOR level: operands are collected flat, then grouped to the right. */
  private parseExpression(): Node {
    this.enter(this.peek());
    const operands: Node[] = [this.parseBinary(Prec.Comparison)];
    const operators: LogicOperator[] = [];
    while (LOGIC.has(this.peek().type)) {
      operators.push(this.next().type as LogicOperator);
      operands.push(this.parseBinary(Prec.Comparison));
    }
    this.leave();
    // Right grouping turns each run of one operator into a single n-ary node whose last operand is
    // the rest of the chain: a AND b AND c OR d = AND(a, b, OR(c, d)).
    let node = operands[operands.length - 1] as Node;
    let runEnd = operators.length;
    while (runEnd > 0) {
      const op = operators[runEnd - 1] as LogicOperator;
      let runStart = runEnd - 1;
      while (runStart > 0 && operators[runStart - 1] === op) runStart--;
      const members = operands.slice(runStart, runEnd);
      members.push(node);
      node = this.make({ kind: 'logic', operator: op, operands: members, pos: (members[0] as Node).pos, end: node.end }, members);
      runEnd = runStart;
    }
    return node;
  }

  private parseBinary(minPrec: number): Node {
    let left = this.parseUnary();
    // The arithmetic chain `left` currently is, if this loop built it, so that it can grow in place.
    let chain: ArithmeticChain | null = null;
    for (;;) {
      const t = this.peek();
      let type = t.type;
      let negated = false;
      if (type === 'NOT') {
        const after = this.peek(1).type;
        if (after !== 'LIKE' && after !== 'IN') break;
        type = after;
        negated = true;
      }
      if (type === 'LIKE') {
        if (Prec.Like < minPrec) break;
        this.skip(negated ? 2 : 1);
        const pattern = this.next();
        if (pattern.type !== 'string') this.fail(`expected a string literal pattern after LIKE but found ${describe(pattern)}`, pattern);
        left = this.make({ kind: 'like', operand: left, pattern: pattern.text, negated, pos: left.pos, end: pattern.end }, [left]);
        chain = null;
      } else if (type === 'IN') {
        if (Prec.In < minPrec) break;
        this.skip(negated ? 2 : 1);
        const { set, end } = this.parseSet();
        left = this.make({ kind: 'in', operand: left, set, negated, pos: left.pos, end }, [left, ...set]);
        chain = null;
      } else if (type === '*' || type === '/' || type === '%' || type === '+' || type === '-') {
        const prec = type === '+' || type === '-' ? Prec.Additive : Prec.Multiplicative;
        if (prec < minPrec) break;
        this.next();
        const right = this.parseBinary(prec + 1);
        if (chain !== null && levelOf(chain.operators[0] as ArithmeticOperator) === prec) {
          chain.operands.push(right);
          chain.operators.push(type);
          chain.depth = Math.max(chain.depth, right.depth + 1);
          chain.end = right.end;
          this.checkDepth(chain);
        } else {
          chain = this.make({ kind: 'arithmetic', operands: [left, right], operators: [type], pos: left.pos, end: right.end }, [left, right]) as ArithmeticChain;
          left = chain;
        }
      } else if (COMPARISON.has(type)) {
        if (Prec.Comparison < minPrec) break;
        this.next();
        const right = this.parseBinary(Prec.Comparison + 1);
        left = this.make({ kind: 'comparison', operator: type as ComparisonOperator, left, right, pos: left.pos, end: right.end }, [left, right]);
        chain = null;
      } else {
        break;
      }
    }
    return left;
  }

  private parseUnary(): Node {
    const t = this.peek();
    if (t.type === 'NOT' || t.type === '-' || t.type === '+') {
      const after = this.peek(1);
      if ((t.type === '-' || t.type === '+') && after.type === 'integer' && after.pos === t.end) {
        this.skip(2);
        return this.integer(t.text + after.text, t, after.end);
      }
      if (t.type === '+') this.fail('unexpected "+": there is no unary plus', t);
      this.next();
      this.enter(t);
      const operand = this.parseUnary();
      this.leave();
      return this.make({ kind: t.type === 'NOT' ? 'not' : 'negate', operand, pos: t.pos, end: operand.end }, [operand]);
    }
    return this.parsePrimary();
  }

  private parsePrimary(): Node {
    const t = this.next();
    switch (t.type) {
      case 'integer':
        return this.integer(t.text, t);
      case 'string':
        return this.make({ kind: 'literal', value: t.text, pos: t.pos, end: t.end }, []);
      case 'TRUE':
      case 'FALSE':
        return this.make({ kind: 'literal', value: t.type === 'TRUE', pos: t.pos, end: t.end }, []);
      case 'identifier':
        if (this.peek().type === '(') return this.parseCall(t);
        return this.make({ kind: 'identifier', name: t.text.toLowerCase(), pos: t.pos, end: t.end }, []);
      case 'identifierWithNumber':
        return this.make({ kind: 'identifier', name: t.text.toLowerCase(), pos: t.pos, end: t.end }, []);
      case 'functionIdentifier':
        if (this.peek().type === '(') return this.parseCall(t);
        return this.fail(
          `${describe(t)} is not an attribute name (those have only letters and digits) and is not followed by "(" as a function call would be`,
          t,
        );
      case 'EXISTS': {
        const name = this.next();
        if (name.type !== 'identifier' && name.type !== 'identifierWithNumber') {
          this.fail(`expected an attribute name after EXISTS but found ${describe(name)}`, name);
        }
        return this.make({ kind: 'exists', name: name.text.toLowerCase(), pos: t.pos, end: name.end }, []);
      }
      case '(': {
        const inner = this.parseExpression();
        const close = this.expect(')', 'to close the "(" at offset ' + t.pos);
        // No node of its own, but the span covers the parentheses, so a parent's text stays whole.
        return { ...inner, pos: t.pos, end: close.end };
      }
      default:
        return this.fail(`expected an expression but found ${describe(t)}`, t);
    }
  }

  private parseCall(name: Token): Node {
    this.next(); // "("
    const args: Node[] = [];
    if (this.peek().type !== ')') {
      args.push(this.parseExpression());
      while (this.peek().type === ',') {
        this.next();
        args.push(this.parseExpression());
      }
    }
    const close = this.expect(')', `to close the argument list of ${name.text.toUpperCase()}`);
    return this.make({ kind: 'call', name: name.text.toUpperCase(), args, pos: name.pos, end: close.end }, args);
  }

  private parseSet(): { set: Node[]; end: number } {
    const open = this.next();
    if (open.type !== '(') this.fail(`expected "(" to start the IN set but found ${describe(open)}`, open);
    if (this.peek().type === ')') this.fail('an IN set needs at least one value', this.peek());
    const set: Node[] = [this.parseExpression()];
    while (this.peek().type === ',') {
      this.next();
      set.push(this.parseExpression());
    }
    const close = this.expect(')', 'to close the IN set');
    return { set, end: close.end };
  }

  // --- helpers --------------------------------------------------------------------------------

  private integer(text: string, at: Token, end = at.end): Node {
    // Number() of a long digit string is inexact but lands far outside the range, which is all we test.
    const value = Number(text);
    if (value > INT32_MAX || value < -INT32_MAX - 1) {
      this.fail(`integer literal ${text} does not fit in 32 bits (-2147483648 to 2147483647)`, at);
    }
    return this.make({ kind: 'literal', value: value | 0, pos: at.pos, end }, []);
  }

  private make(fields: NodeFields, children: readonly Node[]): Node {
    let depth = 0;
    for (const child of children) if (child.depth > depth) depth = child.depth;
    const node = { ...fields, depth: depth + 1 } as Node;
    this.checkDepth(node);
    return node;
  }

  private checkDepth(node: Node): void {
    if (node.depth > MAX_NESTING_DEPTH) this.tooDeep(node.pos);
  }

  private enter(at: Token): void {
    if (++this.nesting > MAX_NESTING_DEPTH) this.tooDeep(at.pos);
  }

  private leave(): void {
    this.nesting--;
  }

  private tooDeep(pos: number): never {
    throw new CesqlParseError(`expression is nested more than ${MAX_NESTING_DEPTH} levels deep`, this.source, pos);
  }

  private peek(ahead = 0): Token {
    const tokens = this.tokens;
    return (tokens[this.index + ahead] ?? tokens[tokens.length - 1]) as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.type !== 'eof') this.index++;
    return t;
  }

  private skip(count: number): void {
    for (let i = 0; i < count; i++) this.next();
  }

  private expect(type: TokenType, why: string): Token {
    const t = this.next();
    if (t.type !== type) this.fail(`expected "${type}" ${why} but found ${describe(t)}`, t);
    return t;
  }

  private fail(problem: string, at: Token): never {
    throw new CesqlParseError(problem, this.source, at.pos);
  }
}

function levelOf(op: ArithmeticOperator): number {
  return op === '+' || op === '-' ? Prec.Additive : Prec.Multiplicative;
}

function describe(t: Token): string {
  switch (t.type) {
    case 'eof':
      return 'the end of the expression';
    case 'string':
      return `the string ${JSON.stringify(t.text.length > 40 ? t.text.slice(0, 37) + '...' : t.text)}`;
    default:
      return JSON.stringify(t.text.length > 40 ? t.text.slice(0, 37) + '...' : t.text);
  }
}
