import { Ajv, type AnySchema, type ErrorObject } from 'ajv';

/** faas-js-runtime answers a thrown error with its `code` as the HTTP status. */
export class BadEventError extends Error {
  override readonly name = 'BadEventError';
  readonly code = 400;
}

const ajv = new Ajv({ allErrors: true, strict: true });

/**
 * Checks an event's data against the JSON Schema of its type, at the function's door (design.md
 * event catalog). Invalid data is a 400: a broker does not retry it and dead-letters the event.
 */
export function dataValidator<T>(type: string, schema: AnySchema): (data: unknown) => T {
  const validate = ajv.compile(schema);
  return (data: unknown): T => {
    if (validate(data)) return data as T;
    throw new BadEventError(`invalid ${type} data: ${(validate.errors ?? []).map(describe).join('; ')}`);
  };
}

function describe(e: ErrorObject): string {
  return `${e.instancePath || '(data)'} ${e.message ?? 'is invalid'}`;
}
