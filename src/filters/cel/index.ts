import type { CloudEvent } from '../../events/event.js';
import type { EventFilter, FilterResult } from '../filter.js';
import { bindEvent } from './binding.js';
import { celEnvironment } from './environment.js';
import { CelLoadError, guardAndRewrite } from './guards.js';
import { CEL_LIMITS } from './limits.js';

export { CelLoadError } from './guards.js';

/** The Trigger annotation that holds a CEL filter (design.md). */
export const CEL_ANNOTATION = 'eventyard.dev/cel';

export type CelOutcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export interface CelProgram {
  readonly expression: string;
  run(event: CloudEvent): CelOutcome;
}

/** Parses, checks and guards an expression once; throws CelLoadError with the reason. */
export function compileCel(expression: string): CelProgram {
  if (expression.length > CEL_LIMITS.maxExpressionLength) {
    throw new CelLoadError(`expression is ${expression.length} characters; the limit is ${CEL_LIMITS.maxExpressionLength}`);
  }
  let evaluate;
  try {
    const parsed = celEnvironment.parse(expression);
    const safe = guardAndRewrite(expression, parsed.ast);
    evaluate = safe === expression ? parsed : celEnvironment.parse(safe);
    const check = evaluate.check();
    if (!check.valid) throw new CelLoadError(check.error?.message ?? 'does not type-check');
    if (check.type !== 'bool' && check.type !== 'dyn') throw new CelLoadError(`must be a bool expression, but its type is ${check.type}`);
  } catch (err) {
    if (err instanceof CelLoadError) throw err;
    throw new CelLoadError((err as Error).message.split('\n')[0]!);
  }
  return {
    expression,
    run(event: CloudEvent): CelOutcome {
      const { activation, dataProblem } = bindEvent(event);
      try {
        return { ok: true, value: evaluate(activation) };
      } catch (err) {
        const message = (err as Error).message.split('\n')[0]!;
        return { ok: false, error: dataProblem && /data/.test(message) ? `${message} (${dataProblem})` : message };
      }
    },
  };
}

/** A CEL Trigger filter: true passes; false, any other value, or an evaluation error fails. */
export function celFilter(expression: string): EventFilter {
  const program = compileCel(expression);
  return {
    dialect: 'cel',
    text: `cel ${JSON.stringify(expression)}`,
    children: [],
    evaluate(event: CloudEvent): FilterResult {
      const outcome = program.run(event);
      return outcome.ok && outcome.value === true ? 'pass' : 'fail';
    },
    explain(event: CloudEvent) {
      const outcome = program.run(event);
      return { detail: outcome.ok ? `value ${formatValue(outcome.value)}` : `error: ${outcome.error}` };
    },
  };
}

function formatValue(value: unknown): string {
  return typeof value === 'bigint' ? String(value) : JSON.stringify(value) ?? String(value);
}
