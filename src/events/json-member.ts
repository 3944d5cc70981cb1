/**
 * Finds the exact source text of one top-level member of a JSON object.
 *
 * JSON.parse + JSON.stringify would rewrite a payload (whitespace, key order of duplicates, and
 * integers beyond 2^53 lose precision); the broker must forward data byte for byte, so structured
 * events keep the raw text of their `data` member. The text must already be valid JSON (the caller
 * has parsed it), which keeps this scanner simple.
 */
export function rawMemberText(json: string, member: string): string | undefined {
  let found: string | undefined;
  let i = skipSpace(json, 0);
  if (json[i] !== '{') return undefined;
  i = skipSpace(json, i + 1);
  while (i < json.length && json[i] !== '}') {
    const keyEnd = skipString(json, i);
    const key = JSON.parse(json.slice(i, keyEnd)) as string;
    i = skipSpace(json, skipSpace(json, keyEnd) + 1); // past ':'
    const valueEnd = skipValue(json, i);
    // JSON.parse keeps the last of duplicate keys; so do we.
    if (key === member) found = json.slice(i, valueEnd);
    i = skipSpace(json, valueEnd);
    if (json[i] === ',') i = skipSpace(json, i + 1);
  }
  return found;
}

function skipSpace(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
    i++;
  }
  return i;
}

function skipString(s: string, i: number): number {
  i++; // opening quote
  while (i < s.length) {
    const c = s[i];
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else i++;
  }
  return i;
}

function skipValue(s: string, i: number): number {
  const c = s[i];
  if (c === '"') return skipString(s, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    while (i < s.length) {
      const d = s[i];
      if (d === '"') {
        i = skipString(s, i);
        continue;
      }
      if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    return i;
  }
  // number, true, false, null
  while (i < s.length && !',}] \n\r\t'.includes(s[i]!)) i++;
  return i;
}
