/** What a CEL Trigger expression may be. Checked at load; an expression over a limit is refused. */
export const CEL_LIMITS = {
  maxExpressionLength: 4096,
  maxAstNodes: 1000,
  /** Depth of the syntax tree, parentheses included. */
  maxDepth: 100,
  /** A comprehension (all, exists, exists_one, map, filter) inside another one's body is refused. */
  maxComprehensionNesting: 1,
} as const;

/** What of an event a CEL expression is given. Beyond these, `event.data` is an error (no match). */
export const CEL_DATA_LIMITS = {
  /** JSON data larger than this is not parsed for CEL. */
  maxDataBytes: 1024 * 1024,
  /** Lists and maps with more entries than this make the data unavailable to CEL. */
  maxCollectionSize: 10_000,
} as const;

export const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
