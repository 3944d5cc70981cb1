import type { Node } from './ast.js';
import { children } from './evaluate.js';
import { hasFunction, resolveFunction } from './functions.js';

/**
 * Calls that can never be dispatched (unknown function, wrong number of arguments). The spec makes
 * them an evaluation error (MissingFunctionError, and the TCK expects exactly that), so the
 * expression compiles — but such a filter can never pass, which `eventyard check` should say.
 */
export function undispatchableCalls(root: Node): string[] {
  const found: string[] = [];
  const visit = (node: Node): void => {
    if (node.kind === 'call' && resolveFunction(node.name, node.args.length) === undefined) {
      found.push(
        hasFunction(node.name)
          ? `${node.name} does not take ${node.args.length} argument(s) (at position ${node.pos})`
          : `unknown function ${node.name} (at position ${node.pos})`,
      );
    }
    for (const child of children(node)) visit(child);
  };
  visit(root);
  return found;
}
