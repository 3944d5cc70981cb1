// Tokenizer following CESQLLexer.g4: longest match wins, and on a tie the rule listed first wins
// (so "AND" is a keyword, "ANDY" an identifier, "123" an integer and "123abc" an identifier).
// Keywords are matched case-insensitively, as the spec requires.
import { CesqlParseError } from './errors.js';

export type Keyword = 'AND' | 'OR' | 'XOR' | 'NOT' | 'LIKE' | 'EXISTS' | 'IN' | 'TRUE' | 'FALSE';
export type Punctuation =
  | '(' | ')' | ','
  | '*' | '/' | '%' | '+' | '-'
  | '=' | '!=' | '<>' | '<' | '<=' | '>' | '>=';

export type TokenType =
  | Keyword
  | Punctuation
  /** Unsigned digits; the parser folds an adjacent sign in, so that -2147483648 is expressible. */
  | 'integer'
  | 'string'
  /** Letters only: usable as an attribute name or as a function name. */
  | 'identifier'
  /** Letters and digits: attribute names only. */
  | 'identifierWithNumber'
  /** Letters and "_": function names only. */
  | 'functionIdentifier'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** The source text, except for strings, where it is the decoded value. */
  readonly text: string;
  /** Offset of the first character. */
  readonly pos: number;
  /** Offset just past the last character. */
  readonly end: number;
}

const KEYWORDS: ReadonlySet<string> = new Set<Keyword>([
  'AND', 'OR', 'XOR', 'NOT', 'LIKE', 'EXISTS', 'IN', 'TRUE', 'FALSE',
]);

const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isLetter(c) || isDigit(c)) {
      // Two candidate rules: [a-zA-Z0-9]+ and [A-Z][A-Z_]* (the latter only from a letter).
      let alnumEnd = i;
      while (alnumEnd < n && (isLetter(source.charCodeAt(alnumEnd)) || isDigit(source.charCodeAt(alnumEnd)))) alnumEnd++;
      let fnEnd = i;
      if (isLetter(c)) {
        while (fnEnd < n && (isLetter(source.charCodeAt(fnEnd)) || source.charCodeAt(fnEnd) === 95)) fnEnd++;
      }
      if (fnEnd > alnumEnd) {
        tokens.push({ type: 'functionIdentifier', text: source.slice(start, fnEnd), pos: start, end: fnEnd });
        i = fnEnd;
        continue;
      }
      const word = source.slice(start, alnumEnd);
      const upper = word.toUpperCase();
      let type: TokenType;
      if (/^[0-9]+$/.test(word)) type = 'integer';
      else if (KEYWORDS.has(upper)) type = upper as Keyword;
      else if (/^[a-zA-Z]+$/.test(word)) type = 'identifier';
      else type = 'identifierWithNumber';
      tokens.push({ type, text: word, pos: start, end: alnumEnd });
      i = alnumEnd;
      continue;
    }
    if (c === 39 /* ' */ || c === 34 /* " */) {
      const { value, end } = readString(source, start);
      tokens.push({ type: 'string', text: value, pos: start, end });
      i = end;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
      tokens.push({ type: two, text: two, pos: start, end: i + 2 });
      i += 2;
      continue;
    }
    const one = source[i] as string;
    if ('(),*/%+-=<>'.includes(one)) {
      tokens.push({ type: one as Punctuation, text: one, pos: start, end: i + 1 });
      i++;
      continue;
    }
    const shown = String.fromCodePoint(source.codePointAt(i) ?? c);
    throw new CesqlParseError(`unexpected character ${JSON.stringify(shown)}`, source, start);
  }
  tokens.push({ type: 'eof', text: '', pos: n, end: n });
  return tokens;
}

/**
 * The lexer accepts a backslash before any character and a doubled quote. Only the escapes of the
 * delimiting quote are decoded (\' or '' inside '...', \" or "" inside "..."); every other backslash is
 * kept, because LIKE patterns give \% and \_ their meaning.
 */
function readString(source: string, start: number): { value: string; end: number } {
  const quote = source.charCodeAt(start);
  let value = '';
  let chunkStart = start + 1;
  let i = start + 1;
  const n = source.length;
  while (i < n) {
    const c = source.charCodeAt(i);
    if (c === 92 /* \ */) {
      if (i + 1 >= n) break;
      if (source.charCodeAt(i + 1) === quote) {
        value += source.slice(chunkStart, i) + source[i + 1];
        chunkStart = i + 2;
      }
      i += 2;
      continue;
    }
    if (c === quote) {
      if (source.charCodeAt(i + 1) === quote) {
        value += source.slice(chunkStart, i + 1);
        i += 2;
        chunkStart = i;
        continue;
      }
      return { value: value + source.slice(chunkStart, i), end: i + 1 };
    }
    i++;
  }
  throw new CesqlParseError('unterminated string literal', source, start);
}
