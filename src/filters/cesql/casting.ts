// Spec §3.7 casts. Each returns `undefined` when the cast fails; the evaluator turns that into a
// CastError attributed to the operator or function that asked for the cast.
import { INT32_MAX, INT32_MIN } from './types.js';
import type { CesqlValue } from './types.js';

const DECIMAL = /^[+-]?[0-9]+$/;

/** String -> Integer: base 10, optional sign, no whitespace, must fit in 32 bits. */
export function parseInt32(text: string): number | undefined {
  if (!DECIMAL.test(text)) return undefined;
  const n = Number(text);
  if (n < INT32_MIN || n > INT32_MAX) return undefined;
  return n | 0; // also turns "-0" into 0
}

/** String -> Boolean: "true"/"false" in any letter case, nothing else. */
export function parseBool(text: string): boolean | undefined {
  if (text.length === 4 && text.toLowerCase() === 'true') return true;
  if (text.length === 5 && text.toLowerCase() === 'false') return false;
  return undefined;
}

export function castToInt(value: CesqlValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return parseInt32(value);
}

export function castToBool(value: CesqlValue): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  return parseBool(value);
}

/** Never fails: every Integer and Boolean has a String form. */
export function castToString(value: CesqlValue): string {
  return typeof value === 'string' ? value : String(value);
}
