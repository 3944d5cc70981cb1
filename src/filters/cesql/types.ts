/** A CESQL value. `number` is always a 32-bit signed integer. */
export type CesqlValue = string | number | boolean;

export type CesqlType = 'String' | 'Integer' | 'Boolean';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export function typeOfValue(value: CesqlValue): CesqlType {
  return typeof value === 'string' ? 'String' : typeof value === 'number' ? 'Integer' : 'Boolean';
}

/** Spec §3.1: the value an operator or function returns when it cannot compute one. */
export function zeroValue(type: CesqlType): CesqlValue {
  return type === 'String' ? '' : type === 'Integer' ? 0 : false;
}

/**
 * Maps whatever an attribute lookup hands us onto the CESQL type system. Spec §3.2: values that are
 * not String, Integer or Boolean are represented as Strings (so a JSON 2.5 becomes "2.5").
 */
export function toCesqlValue(raw: unknown): CesqlValue {
  switch (typeof raw) {
    case 'string':
    case 'boolean':
      return raw;
    case 'number':
      return Number.isInteger(raw) && raw >= INT32_MIN && raw <= INT32_MAX ? raw | 0 : String(raw);
    case 'bigint':
      return raw >= INT32_MIN && raw <= INT32_MAX ? Number(raw) : String(raw);
    default:
      if (raw instanceof Date) return raw.toISOString();
      if (raw instanceof Uint8Array) return Buffer.from(raw).toString('base64');
      return String(raw);
  }
}
