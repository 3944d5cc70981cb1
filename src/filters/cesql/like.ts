// LIKE patterns are compiled once into a matcher. Not a RegExp: `a%b%c` as /^a.*b.*c$/ backtracks
// polynomially (exponentially as the % count grows) on a hostile value, and both the pattern (a
// Trigger) and the value (an event) come from tenants. Instead the pattern is cut at each `%` into
// segments of fixed width; the first is anchored at the start, the last at the end, and each middle
// one is taken at its leftmost match, which is always safe for fixed-width pieces. Cost is at most
// value length x pattern length, and a plain string search in the common cases.
//
// `_` matches one character (a whole surrogate pair for a character outside the BMP). Only `\%` and
// `\_` are escapes (spec §3.4.3); any other backslash stands for itself.

export type LikeMatcher = (value: string) => boolean;

/** A run of literal text (string) or of `_` wildcards (their count). */
type Part = string | number;

interface Segment {
  readonly parts: readonly Part[];
  /** Set when the segment has no wildcard; then it is just this text. */
  readonly literal: string | null;
  /** Fewest and most UTF-16 units the segment can span. */
  readonly minUnits: number;
  readonly maxUnits: number;
}

export function compileLike(pattern: string): LikeMatcher {
  const segments = splitPattern(pattern);
  const first = segments[0] as Segment;
  if (segments.length === 1) {
    if (first.literal !== null) {
      const exact = first.literal;
      return (value) => value === exact;
    }
    return (value) => matchAt(value, 0, first) === value.length;
  }
  const last = segments[segments.length - 1] as Segment;
  const middles = segments.slice(1, -1).filter((s) => s.parts.length > 0);

  // The shapes Trigger filters use: prefix%, %suffix, prefix%suffix, %infix%.
  if (middles.length === 0 && first.literal !== null && last.literal !== null) {
    const prefix = first.literal;
    const suffix = last.literal;
    if (suffix === '') return prefix === '' ? () => true : (value) => value.startsWith(prefix);
    if (prefix === '') return (value) => value.endsWith(suffix);
    const min = prefix.length + suffix.length;
    return (value) => value.length >= min && value.startsWith(prefix) && value.endsWith(suffix);
  }
  if (middles.length === 1 && first.parts.length === 0 && last.parts.length === 0) {
    const infix = (middles[0] as Segment).literal;
    if (infix !== null) return (value) => value.includes(infix);
  }

  return (value) => {
    let pos = matchAt(value, 0, first);
    if (pos < 0) return false;
    for (const segment of middles) {
      pos = findFrom(value, pos, segment);
      if (pos < 0) return false;
    }
    return endsWithSegment(value, pos, last);
  };
}

function splitPattern(pattern: string): Segment[] {
  const segments: Segment[] = [];
  let parts: Part[] = [];
  let text = '';
  const flushText = (): void => {
    if (text !== '') parts.push(text);
    text = '';
  };
  const endSegment = (): void => {
    flushText();
    segments.push(makeSegment(parts));
    parts = [];
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      text += pattern[++i];
    } else if (c === '%') {
      endSegment();
    } else if (c === '_') {
      flushText();
      const lastPart = parts[parts.length - 1];
      if (typeof lastPart === 'number') parts[parts.length - 1] = lastPart + 1;
      else parts.push(1);
    } else {
      text += c;
    }
  }
  endSegment();
  return segments;
}

function makeSegment(parts: Part[]): Segment {
  let minUnits = 0;
  let maxUnits = 0;
  for (const part of parts) {
    if (typeof part === 'string') {
      minUnits += part.length;
      maxUnits += part.length;
    } else {
      minUnits += part;
      maxUnits += 2 * part;
    }
  }
  const literal = parts.length === 0 ? '' : parts.length === 1 && typeof parts[0] === 'string' ? parts[0] : null;
  return { parts, literal, minUnits, maxUnits };
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** True when `pos` falls between the two halves of a surrogate pair, where no character starts. */
function splitsPair(value: string, pos: number): boolean {
  return pos > 0 && pos < value.length && isLow(value.charCodeAt(pos)) && isHigh(value.charCodeAt(pos - 1));
}

/** Matches `segment` starting exactly at `pos`; returns where the match ends, or -1. */
function matchAt(value: string, pos: number, segment: Segment): number {
  const n = value.length;
  for (const part of segment.parts) {
    if (typeof part === 'string') {
      if (!value.startsWith(part, pos)) return -1;
      pos += part.length;
    } else {
      for (let k = 0; k < part; k++) {
        if (pos >= n) return -1;
        pos += isHigh(value.charCodeAt(pos)) && pos + 1 < n && isLow(value.charCodeAt(pos + 1)) ? 2 : 1;
      }
    }
  }
  return pos;
}

/** The end of the leftmost match of `segment` at or after `from`, or -1. */
function findFrom(value: string, from: number, segment: Segment): number {
  if (segment.literal !== null) {
    const at = value.indexOf(segment.literal, from);
    return at < 0 ? -1 : at + segment.literal.length;
  }
  const lead = segment.parts[0];
  const last = value.length - segment.minUnits;
  for (let start = from; start <= last; start++) {
    if (typeof lead === 'string') {
      // Jump straight to the next place the leading text occurs.
      start = value.indexOf(lead, start);
      if (start < 0 || start > last) return -1;
    }
    if (splitsPair(value, start)) continue;
    const end = matchAt(value, start, segment);
    if (end >= 0) return end;
  }
  return -1;
}

/** Whether `segment` can match a suffix of `value` that starts at or after `from`. */
function endsWithSegment(value: string, from: number, segment: Segment): boolean {
  const n = value.length;
  if (segment.literal !== null) return n - segment.literal.length >= from && value.endsWith(segment.literal);
  for (let start = Math.max(from, n - segment.maxUnits); start <= n - segment.minUnits; start++) {
    if (!splitsPair(value, start) && matchAt(value, start, segment) === n) return true;
  }
  return false;
}
