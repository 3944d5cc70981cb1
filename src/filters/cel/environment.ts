import { Environment } from '@marcbachmann/cel-js';
import { RE2JS } from 're2js';
import { CEL_LIMITS } from './limits.js';

/** The name `.matches()` calls are rewritten to, so they run on RE2 (see guards.ts). */
export const RE2_MATCHES = 'eventyardRe2Matches';

const patterns = new Map<string, RE2JS>();
const MAX_CACHED_PATTERNS = 1000;

/**
 * CEL's `matches` is specified as RE2. cel-js runs it on JavaScript's backtracking RegExp, where a
 * pattern like `(a+)+$` takes exponential time; RE2JS matches in linear time, with RE2's syntax.
 */
function re2Matches(text: string, pattern: string): boolean {
  let compiled = patterns.get(pattern);
  if (!compiled) {
    compiled = RE2JS.compile(pattern);
    if (patterns.size >= MAX_CACHED_PATTERNS) patterns.clear();
    patterns.set(pattern, compiled);
  }
  return compiled.matcher(text).find();
}

/** One environment for every CEL Trigger: `event` is the only variable, a map. */
export const celEnvironment = new Environment({
  unlistedVariablesAreDyn: false,
  homogeneousAggregateLiterals: false,
  limits: { maxAstNodes: CEL_LIMITS.maxAstNodes, maxDepth: CEL_LIMITS.maxDepth + 1, maxListElements: 1000, maxMapEntries: 1000, maxCallArguments: 32 },
})
  .registerVariable('event', 'map')
  .registerFunction(`string.${RE2_MATCHES}(string): bool`, re2Matches);

/** Compiles a pattern now, so that a bad literal pattern is a load error rather than a silent no-match. */
export function checkRe2Pattern(pattern: string): void {
  RE2JS.compile(pattern);
}
