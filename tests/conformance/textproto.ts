// A small parser for the protobuf text format, enough to read the cel-spec conformance files
// (tests/simple/testdata/*.textproto). It is schema-less: it keeps what was written (quoted
// strings as raw bytes, numbers as their source text) and leaves the interpretation to typed
// accessors, because without the .proto descriptor a string cannot be told apart from bytes,
// nor an int64 from a double.

/** A message: its fields in source order. Repeated fields simply occur more than once. */
export interface TextprotoMessage {
  readonly kind: 'message';
  readonly fields: readonly TextprotoField[];
}

export interface TextprotoField {
  /** The field name, or for extensions and expanded `Any`s the bracketed name without brackets. */
  readonly name: string;
  readonly value: TextprotoValue;
}

/** A quoted literal (adjacent literals concatenated), as bytes: the format escapes bytes, not characters. */
export interface TextprotoString {
  readonly kind: 'string';
  readonly bytes: Uint8Array;
}

/** A numeric literal as written, with its sign, e.g. `-9223372036854775808`, `0x1F`, `1.5e3f`. */
export interface TextprotoNumber {
  readonly kind: 'number';
  readonly text: string;
}

/** A bare identifier: an enum value name, `true`/`false`, or `inf`/`nan` (with an optional `-`). */
export interface TextprotoIdentifier {
  readonly kind: 'identifier';
  readonly name: string;
}

export type TextprotoScalar = TextprotoString | TextprotoNumber | TextprotoIdentifier;
export type TextprotoValue = TextprotoMessage | TextprotoScalar;

export class TextprotoError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(`textproto ${line}:${column}: ${message}`);
    this.name = 'TextprotoError';
  }
}

/** Parses a whole text-format document (the body of the top-level message). */
export function parseTextproto(source: string): TextprotoMessage {
  const parser = new Parser(source);
  const message = parser.messageBody(null);
  parser.expectEnd();
  return message;
}

const SIMPLE_ESCAPES: Readonly<Record<string, number>> = {
  a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b,
  '\\': 0x5c, "'": 0x27, '"': 0x22, '?': 0x3f,
};

const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/y;
// Hex, octal and decimal integers, and floats with optional exponent and `f` suffix.
const NUMBER = /(?:0[xX][0-9A-Fa-f]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[fF]?)/y;

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  /** Fields up to `close` (or the end of input for the top level). */
  messageBody(close: '}' | '>' | null): TextprotoMessage {
    const fields: TextprotoField[] = [];
    for (;;) {
      this.skipSpace();
      if (close === null ? this.atEnd() : this.peek() === close) break;
      if (this.atEnd()) this.fail(`missing '${close}'`);
      const name = this.fieldName();
      this.skipSpace();
      const hadColon = this.eat(':');
      this.skipSpace();
      for (const value of this.fieldValues(hadColon)) fields.push({ name, value });
      this.skipSpace();
      if (!this.eat(',')) this.eat(';');
    }
    if (close !== null) this.pos++;
    return { kind: 'message', fields };
  }

  expectEnd(): void {
    this.skipSpace();
    if (!this.atEnd()) this.fail(`unexpected '${this.peek()}'`);
  }

  private fieldName(): string {
    if (this.eat('[')) {
      // `[type.googleapis.com/pkg.Msg]` or `[pkg.extension]`; whitespace inside is insignificant.
      const end = this.src.indexOf(']', this.pos);
      if (end < 0) this.fail("missing ']'");
      const name = this.src.slice(this.pos, end).replace(/\s+/g, '');
      this.pos = end + 1;
      return name;
    }
    return this.identifier();
  }

  /** One value, or several for the `field: [a, b]` list shorthand of repeated fields. */
  private fieldValues(hadColon: boolean): TextprotoValue[] {
    if (this.peek() === '[') {
      if (!hadColon) this.fail("expected ':' before a list");
      this.pos++;
      const values: TextprotoValue[] = [];
      this.skipSpace();
      while (!this.eat(']')) {
        if (values.length > 0) {
          if (!this.eat(',')) this.fail("expected ',' or ']'");
          this.skipSpace();
        }
        values.push(this.value(true));
        this.skipSpace();
      }
      return values;
    }
    return [this.value(hadColon)];
  }

  private value(scalarAllowed: boolean): TextprotoValue {
    const c = this.peek();
    if (c === '{') return (this.pos++, this.messageBody('}'));
    if (c === '<') return (this.pos++, this.messageBody('>'));
    if (!scalarAllowed) this.fail("expected ':' before a scalar value");
    if (c === '"' || c === "'") return this.strings();
    return this.numberOrIdentifier();
  }

  private numberOrIdentifier(): TextprotoNumber | TextprotoIdentifier {
    const negative = this.eat('-');
    if (negative) this.skipSpace();
    const sign = negative ? '-' : '';
    NUMBER.lastIndex = this.pos;
    const num = NUMBER.exec(this.src);
    if (num) {
      this.pos += num[0].length;
      if (/[A-Za-z0-9_]/.test(this.peek())) this.fail(`malformed number '${num[0]}${this.peek()}'`);
      return { kind: 'number', text: sign + num[0] };
    }
    return { kind: 'identifier', name: sign + this.identifier() };
  }

  /** Adjacent quoted literals concatenate, as in C. */
  private strings(): TextprotoString {
    const out: number[] = [];
    do {
      this.quoted(out);
      this.skipSpace();
    } while (this.peek() === '"' || this.peek() === "'");
    return { kind: 'string', bytes: Uint8Array.from(out) };
  }

  private quoted(out: number[]): void {
    const quote = this.src[this.pos++];
    for (;;) {
      if (this.atEnd()) this.fail('unterminated string');
      const c = this.src[this.pos]!;
      if (c === quote) return void this.pos++;
      if (c === '\n') this.fail('newline in string');
      if (c === '\\') {
        this.pos++;
        this.escape(out);
        continue;
      }
      const cp = this.src.codePointAt(this.pos)!;
      this.pos += cp > 0xffff ? 2 : 1;
      pushUtf8(out, cp);
    }
  }

  private escape(out: number[]): void {
    const c = this.src[this.pos++] ?? '';
    const simple = SIMPLE_ESCAPES[c];
    if (simple !== undefined) return void out.push(simple);
    if (c >= '0' && c <= '7') {
      // Up to three octal digits, one of which we already consumed.
      const digits = c + this.run(/[0-7]/, 2);
      const byte = parseInt(digits, 8);
      if (byte > 0xff) this.fail(`octal escape \\${digits} out of range`);
      return void out.push(byte);
    }
    if (c === 'x' || c === 'X') {
      const digits = this.run(/[0-9A-Fa-f]/, 2);
      if (!digits) this.fail('\\x needs a hex digit');
      return void out.push(parseInt(digits, 16));
    }
    if (c === 'u' || c === 'U') return void pushUtf8(out, this.unicodeEscape(c === 'u' ? 4 : 8));
    this.fail(`unknown escape \\${c}`);
  }

  /** `\uXXXX` (possibly a surrogate pair of two such escapes) or `\UXXXXXXXX`. */
  private unicodeEscape(width: number): number {
    const digits = this.run(/[0-9A-Fa-f]/, width);
    if (digits.length !== width) this.fail(`\\${width === 4 ? 'u' : 'U'} needs ${width} hex digits`);
    const cp = parseInt(digits, 16);
    if (cp > 0x10ffff) this.fail(`code point ${digits} out of range`);
    if (cp >= 0xd800 && cp <= 0xdbff && this.src.startsWith('\\u', this.pos)) {
      this.pos += 2;
      const low = parseInt(this.run(/[0-9A-Fa-f]/, 4), 16);
      if (!(low >= 0xdc00 && low <= 0xdfff)) this.fail('unpaired surrogate');
      return 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    }
    if (cp >= 0xd800 && cp <= 0xdfff) this.fail('unpaired surrogate');
    return cp;
  }

  /** Consumes up to `max` characters matching `re`. */
  private run(re: RegExp, max: number): string {
    let s = '';
    while (s.length < max && !this.atEnd() && re.test(this.src[this.pos]!)) s += this.src[this.pos++];
    return s;
  }

  private identifier(): string {
    IDENTIFIER.lastIndex = this.pos;
    const m = IDENTIFIER.exec(this.src);
    if (!m) this.fail(this.atEnd() ? 'unexpected end of input' : `unexpected '${this.peek()}'`);
    this.pos += m[0].length;
    return m[0];
  }

  private skipSpace(): void {
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') this.pos++;
      else if (c === '#') {
        const nl = this.src.indexOf('\n', this.pos);
        this.pos = nl < 0 ? this.src.length : nl + 1;
      } else return;
    }
  }

  private peek(): string {
    return this.src[this.pos] ?? '';
  }

  private eat(c: string): boolean {
    if (this.peek() !== c) return false;
    this.pos++;
    return true;
  }

  private atEnd(): boolean {
    return this.pos >= this.src.length;
  }

  private fail(message: string): never {
    const before = this.src.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - before.lastIndexOf('\n');
    throw new TextprotoError(message, line, column);
  }
}

function pushUtf8(out: number[], cp: number): void {
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
}

// ---- Typed accessors: the caller knows the schema, so it says how to read each field. ----

/** Every value of a (repeated) field, in order. */
export function all(msg: TextprotoMessage, name: string): TextprotoValue[] {
  return msg.fields.filter((f) => f.name === name).map((f) => f.value);
}

/** A singular field: the last occurrence wins, as when protobuf merges. */
export function get(msg: TextprotoMessage, name: string): TextprotoValue | undefined {
  for (let i = msg.fields.length - 1; i >= 0; i--) if (msg.fields[i]!.name === name) return msg.fields[i]!.value;
  return undefined;
}

export function has(msg: TextprotoMessage, name: string): boolean {
  return msg.fields.some((f) => f.name === name);
}

export function asMessage(v: TextprotoValue | undefined): TextprotoMessage {
  if (v?.kind !== 'message') throw new Error(`expected a message, got ${describeValue(v)}`);
  return v;
}

export function asBytes(v: TextprotoValue | undefined): Uint8Array {
  if (v?.kind !== 'string') throw new Error(`expected a string literal, got ${describeValue(v)}`);
  return v.bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A proto `string` field: the bytes must be valid UTF-8. */
export function asString(v: TextprotoValue | undefined): string {
  return utf8.decode(asBytes(v));
}

/** An integer field (int32/int64/uint32/uint64), read exactly as a bigint. */
export function asInteger(v: TextprotoValue | undefined): bigint {
  if (v?.kind !== 'number') throw new Error(`expected an integer, got ${describeValue(v)}`);
  const negative = v.text.startsWith('-');
  const digits = negative ? v.text.slice(1) : v.text;
  let n: bigint;
  if (/^0[xX][0-9A-Fa-f]+$/.test(digits)) n = BigInt(digits);
  else if (/^0[0-7]+$/.test(digits)) n = BigInt(`0o${digits.slice(1)}`);
  else if (/^\d+$/.test(digits)) n = BigInt(digits);
  else throw new Error(`expected an integer, got '${v.text}'`);
  return negative ? -n : n;
}

/** A float/double field: numbers, integers, and the identifiers inf, infinity and nan. */
export function asDouble(v: TextprotoValue | undefined): number {
  if (v?.kind === 'identifier') {
    const negative = v.name.startsWith('-');
    const word = (negative ? v.name.slice(1) : v.name).toLowerCase();
    if (word === 'inf' || word === 'infinity') return negative ? -Infinity : Infinity;
    if (word === 'nan') return NaN;
  }
  if (v?.kind !== 'number') throw new Error(`expected a number, got ${describeValue(v)}`);
  // Hex and octal integers are valid float values too; Number() would misread them.
  if (/^-?(0[xX][0-9A-Fa-f]+|0[0-7]+)$/.test(v.text)) return Number(asInteger(v));
  return Number(v.text.replace(/[fF]$/, ''));
}

/** A bool field: `true`/`false` (also `True`, `t`, `f`) or 1/0. */
export function asBool(v: TextprotoValue | undefined): boolean {
  if (v?.kind === 'identifier' && ['true', 'True', 't'].includes(v.name)) return true;
  if (v?.kind === 'identifier' && ['false', 'False', 'f'].includes(v.name)) return false;
  if (v?.kind === 'number' && (v.text === '1' || v.text === '0')) return v.text === '1';
  throw new Error(`expected a bool, got ${describeValue(v)}`);
}

/** An enum field: the value's name, or its number when written as one. */
export function asEnum(v: TextprotoValue | undefined): string | bigint {
  if (v?.kind === 'identifier') return v.name;
  if (v?.kind === 'number') return asInteger(v);
  throw new Error(`expected an enum value, got ${describeValue(v)}`);
}

function describeValue(v: TextprotoValue | undefined): string {
  if (v === undefined) return 'nothing';
  if (v.kind === 'number') return `number ${v.text}`;
  if (v.kind === 'identifier') return `identifier ${v.name}`;
  return v.kind;
}
