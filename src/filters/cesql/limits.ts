// Filters come from Trigger manifests that any tenant can write, so compile rejects expressions
// big or deep enough to cost real time or to overflow the stack while parsing or evaluating.

/** Longest accepted expression, in UTF-16 code units. Real filters are well under 1 KiB. */
export const MAX_EXPRESSION_LENGTH = 16_384;

/**
 * Deepest accepted nesting: parentheses, unary operators, function arguments and operators whose
 * operand is itself an operator all count one level. Chains of one operator (`a OR b OR c ...`,
 * `a + b - c ...`) are flattened and count once however long they are.
 */
export const MAX_NESTING_DEPTH = 64;
