import type { ASTNode } from '@marcbachmann/cel-js';
import { checkRe2Pattern, RE2_MATCHES } from './environment.js';
import { CEL_LIMITS, COMPREHENSIONS } from './limits.js';

export class CelLoadError extends Error {
  override readonly name = 'CelLoadError';
}

/**
 * Checks what the parser's own limits do not: comprehension nesting, and regular expressions.
 * Returns the expression with every `.matches(` call renamed to the RE2 function, found by AST
 * position, so string literals that happen to contain ".matches(" are never touched.
 */
export function guardAndRewrite(expression: string, ast: ASTNode): string {
  const matchesNames: number[] = [];
  visit(ast, 0, 0, matchesNames, expression);
  let out = expression;
  for (const at of matchesNames.sort((a, b) => b - a)) out = `${out.slice(0, at)}${RE2_MATCHES}${out.slice(at + 'matches'.length)}`;
  return out;
}

function visit(node: ASTNode, depth: number, comprehensionDepth: number, matchesNames: number[], source: string): void {
  if (depth > CEL_LIMITS.maxDepth) {
    throw new CelLoadError(`expression is nested more than ${CEL_LIMITS.maxDepth} levels deep (at position ${node.start})`);
  }
  const next = depth + 1;
  if (node.op === 'rcall') {
    const [name, receiver, args] = node.args;
    if (COMPREHENSIONS.has(name)) {
      if (comprehensionDepth >= CEL_LIMITS.maxComprehensionNesting) {
        throw new CelLoadError(
          `${name}() at position ${node.start} is inside another comprehension; nested comprehensions are refused because their cost grows with the product of the data sizes`,
        );
      }
      visit(receiver, next, comprehensionDepth, matchesNames, source);
      for (const arg of args) visit(arg, next, comprehensionDepth + 1, matchesNames, source);
      return;
    }
    if (name === 'matches') {
      const pattern = args[0];
      if (pattern?.op === 'value' && typeof pattern.args === 'string') {
        try {
          checkRe2Pattern(pattern.args);
        } catch (err) {
          throw new CelLoadError(`invalid RE2 pattern ${JSON.stringify(pattern.args)} at position ${pattern.start}: ${(err as Error).message}`);
        }
      }
      // The method name sits between the receiver and the argument list: `recv . matches (`.
      const at = source.indexOf('matches', receiver.end);
      if (at === -1 || at > node.end) throw new CelLoadError(`cannot locate matches() at position ${node.start}`);
      matchesNames.push(at);
    }
    visit(receiver, next, comprehensionDepth, matchesNames, source);
    for (const arg of args) visit(arg, next, comprehensionDepth, matchesNames, source);
    return;
  }
  for (const child of childrenOf(node)) visit(child, next, comprehensionDepth, matchesNames, source);
}

function childrenOf(node: ASTNode): ASTNode[] {
  switch (node.op) {
    case 'value':
    case 'id':
      return [];
    case '.':
    case '.?':
      return [node.args[0]];
    case 'call':
      return node.args[1];
    case 'list':
      return node.args;
    case 'map':
      return node.args.flat();
    case '!_':
    case '-_':
      return [node.args];
    case 'rcall':
      return [node.args[1], ...node.args[2]];
    default:
      return node.args as ASTNode[];
  }
}
