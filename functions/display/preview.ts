/** Limits that keep one event's preview small, whatever its data (design: large data truncated). */
export const PREVIEW_LIMITS = {
  /** Characters of the whole preview text. */
  chars: 4000,
  /** Characters of one string inside JSON data (base64 images are long strings). */
  stringChars: 160,
  /** Items of one array or keys of one object inside JSON data. */
  items: 40,
  depth: 6,
  /** Bytes of binary data shown as hex. */
  binaryBytes: 96,
} as const;

export type DataPreview =
  | { readonly kind: 'none' }
  | { readonly kind: 'json' | 'text'; readonly text: string; readonly bytes: number; readonly truncated: boolean }
  | { readonly kind: 'binary'; readonly hex: string; readonly bytes: number; readonly truncated: boolean };

/**
 * What the page shows of an event's data: JSON pretty-printed with long strings and big arrays cut,
 * text cut, binary as a hex dump of its first bytes. Always plain strings: the page renders text.
 */
export function previewData(data: unknown): DataPreview {
  if (data === undefined) return { kind: 'none' };
  if (data instanceof Uint8Array) {
    const head = Buffer.from(data.buffer, data.byteOffset, Math.min(data.byteLength, PREVIEW_LIMITS.binaryBytes));
    return { kind: 'binary', hex: hexDump(head), bytes: data.byteLength, truncated: data.byteLength > head.byteLength };
  }
  if (typeof data === 'string') {
    const { text, truncated } = cut(data, PREVIEW_LIMITS.chars);
    return { kind: 'text', text, bytes: Buffer.byteLength(data), truncated };
  }
  let bytes = 0;
  let full: string | undefined;
  try {
    full = JSON.stringify(data);
    bytes = Buffer.byteLength(full ?? '');
  } catch {
    // cycles cannot come off the wire; anything else unserialisable shows as what shrink makes of it
  }
  const shrunk = shrink(data, 0);
  const { text, truncated } = cut(JSON.stringify(shrunk.value, null, 2) ?? String(data), PREVIEW_LIMITS.chars);
  return { kind: 'json', text, bytes, truncated: truncated || shrunk.cut };
}

/** A copy of JSON data with long strings, big arrays and objects and deep nesting cut down. */
function shrink(value: unknown, depth: number): { value: unknown; cut: boolean } {
  if (typeof value === 'string') {
    if (value.length <= PREVIEW_LIMITS.stringChars) return { value, cut: false };
    return { value: `${value.slice(0, PREVIEW_LIMITS.stringChars)}… (${value.length} chars)`, cut: true };
  }
  if (value === null || typeof value !== 'object') return { value, cut: false };
  if (depth >= PREVIEW_LIMITS.depth) return { value: Array.isArray(value) ? '[…]' : '{…}', cut: true };
  let cutAny = false;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value.slice(0, PREVIEW_LIMITS.items)) {
      const s = shrink(item, depth + 1);
      cutAny ||= s.cut;
      out.push(s.value);
    }
    if (value.length > PREVIEW_LIMITS.items) out.push(`… ${value.length - PREVIEW_LIMITS.items} more items`);
    return { value: out, cut: cutAny || value.length > PREVIEW_LIMITS.items };
  }
  const out: Record<string, unknown> = Object.create(null);
  const keys = Object.keys(value);
  for (const key of keys.slice(0, PREVIEW_LIMITS.items)) {
    const s = shrink((value as Record<string, unknown>)[key], depth + 1);
    cutAny ||= s.cut;
    out[key] = s.value;
  }
  if (keys.length > PREVIEW_LIMITS.items) out['…'] = `${keys.length - PREVIEW_LIMITS.items} more keys`;
  return { value: out, cut: cutAny || keys.length > PREVIEW_LIMITS.items };
}

/** Cuts a string to at most `max` characters (never inside a surrogate pair). */
export function cut(text: string, max: number): { text: string; truncated: boolean } {
  if (text.length <= max) return { text, truncated: false };
  let end = max;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end--;
  return { text: text.slice(0, end), truncated: true };
}

function hexDump(bytes: Buffer): string {
  const lines: string[] = [];
  for (let offset = 0; offset < bytes.length; offset += 16) {
    const row = bytes.subarray(offset, offset + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}
