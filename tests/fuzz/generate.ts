// Seeded generator of broker-ingress requests for the fuzz test: request `index` of seed `seed` is
// always the same bytes (its own PRNG stream), so any one of them can be replayed alone.
import type { RawRequest } from './raw-http.js';

/** mulberry32: a small, fast, seeded 32-bit PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FuzzCase extends RawRequest {
  /** What was generated, for the summary and for failure messages. */
  readonly label: string;
  /** A status the ingress must answer with, where the request makes it certain. */
  readonly expectStatus?: number;
}

export interface GenerateOptions {
  readonly maxBodyBytes: number;
  /** Host header value. */
  readonly host: string;
}

/** Header names and values are latin1 strings: one char, one byte on the wire. */
type Header = [name: string, value: string];

const TOKEN_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// What Node's (strict) llhttp accepts in a header value: HTAB, SP..~ and obs-text; no CTLs, no DEL.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Node's default --max-http-header-size is 16 KiB; stay well clear of it to call a request well-formed. */
const SAFE_HEAD_BYTES = 15_000;

class Gen {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    if (n <= 64) {
      for (let i = 0; i < n; i++) b[i] = (this.next() * 256) | 0;
      return b;
    }
    // Larger: a random 64-byte block repeated, with 4 random bytes written into each copy (cheap to make).
    b.fill(this.bytes(64));
    for (let at = 0; at + 64 <= n; at += 64) b.writeUInt32LE((this.next() * 4294967296) >>> 0, at + ((this.next() * 60) | 0));
    return b;
  }
  chars(n: number, lo: number, hi: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(this.int(lo, hi));
    return s;
  }
  /** Printable ASCII. */
  ascii(n: number): string {
    if (n <= 64) return this.chars(n, 0x20, 0x7e);
    const at = this.int(0, PRINTABLE.length - n);
    return PRINTABLE.slice(at, at + n);
  }
  lowerAlnum(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.pick(LOWER_ALNUM);
    return s;
  }
  /** Random Unicode text, as UTF-8 bytes in a latin1 string (what goes on the wire). */
  utf8OnWire(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += this.pick(UNICODE_BITS);
    return Buffer.from(s, 'utf8').toString('latin1');
  }
}

/** 64 KiB of random printable ASCII (fixed), sliced for long header values. */
const PRINTABLE = (() => {
  const next = mulberry32(0xa5c11);
  let s = '';
  for (let i = 0; i < 64 * 1024; i++) s += String.fromCharCode(0x20 + Math.floor(next() * 95));
  return s;
})();
const LOWER_ALNUM = [...'abcdefghijklmnopqrstuvwxyz0123456789'];
const UNICODE_BITS = ['é', 'ß', 'ü', '中', '文', '€', '😀', '\u200b', '\ufeff', 'a', ' ', '\u00a0', 'Ω', '𝄞', '\u2028'];
const PERCENT_GARBAGE = ['%', '%%', '%zz', '%C3', '%C3%28', '%E2%82', '%00', '%0a%0d', '%FF%FE', '100%', '%2', '%u00e9', '%25', '%C3%A9', '%F0%9F%98%80', '%ED%A0%80'];
const INVALID_UTF8 = [[0xc3, 0x28], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xf0, 0x28, 0x8c, 0x28], [0xc0, 0xaf], [0xe2, 0x82], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80]].map((b) => Buffer.from(b));
const SPEC_VERSIONS = ['1.0', '1.0', '1.0', '0.3', '0.3', '2.0', '1', '1.0 ', ' 1.0', '', '1.0, 1.0', 'garbage', '0.2', '1.00', 'v1.0', '1.0\t'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'text/plain',
  'text/plain; charset="utf-8"',
  'text/xml',
  'application/octet-stream',
  'application/cloudevents+json',
  'application/cloudevents+json; charset=utf-8',
  'APPLICATION/CLOUDEVENTS+JSON',
  ' application/cloudevents+json ;charset=utf-8',
  'application/cloudevents+json;;',
  'application/cloudevents+xml',
  'application/cloudevents+avro',
  'application/cloudevents-batch+json',
  'application/cloudevents-batch+json; charset=utf-8',
  'application/cloudevents',
  'application/cloudevents+',
  'multipart/form-data; boundary=xyz',
  'not a type',
  ';',
  '/',
  'a/b; c',
  'a/b; c="unterminated',
  'application/json; charset=',
  '',
  ' ',
];
const PATHS_OK = ['/default/default', '/default/default', '/default/default', '/default/default/', '/default/default?x=1&y=%zz'];
const PATHS_BAD = ['/', '', '/default', '/default/nope', '/nope/default', '/a/b/c', '//default', '/default//default', '/default/default//', '/%2e%2e/default', '/default/%00', '/_/x', '/_/', '/_/services', '/default/default#frag', '*', 'http://example.com/default/default', '/default/' + 'x'.repeat(2000), '/%ZZ/%C3'];
const METHODS_OTHER = ['GET', 'PUT', 'OPTIONS', 'DELETE', 'PATCH', 'OPTIONS'];
const RANDOM_HEADER_NAMES = ['x-request-id', 'knative-foo', 'x-b3-traceid', 'x-b3-spanid', 'retry-after', 'accept', 'user-agent', 'x-custom', 'prefer', 'kn-namespace', 'traceparent', 'cookie', 'authorization', 'accept-encoding', 'content-encoding', 'ce', 'ce_', 'cE-ID'];

export function generateCase(seed: number, index: number, options: GenerateOptions): FuzzCase {
  const g = new Gen(mulberry32((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0));
  // A few requests over the body limit, at fixed places in the run.
  if (index % 20_000 === 7_777) return overLimit(g, index, options);
  const roll = g.next();
  if (roll < 0.02) return validControl(g, index, options);
  if (roll < 0.025) return malformedHttp(g, index, options);
  return mutated(g, index, options, roll);
}

/** An event that must be accepted: a check that the runtime stays healthy during the run. */
function validControl(g: Gen, index: number, options: GenerateOptions): FuzzCase {
  const attrs = baseAttributes(g, index);
  if (g.chance(0.5)) {
    const headers: Header[] = Object.entries(attrs).map(([k, v]) => [`ce-${k}`, v]);
    headers.push(['content-type', 'application/json']);
    return build(g, options, { label: 'valid/binary', method: 'POST', path: '/default/default', headers, body: Buffer.from(JSON.stringify({ n: index })), expectStatus: 202 });
  }
  const body = Buffer.from(JSON.stringify({ ...attrs, data: { n: index } }));
  return build(g, options, { label: 'valid/structured', method: 'POST', path: '/default/default', headers: [['content-type', 'application/cloudevents+json']], body, expectStatus: 202 });
}

function baseAttributes(g: Gen, index: number): Record<string, string> {
  const specversion = g.chance(0.8) ? '1.0' : '0.3';
  const attrs: Record<string, string> = { specversion, id: `fz-${index}`, source: g.pick(['/fuzz', 'urn:fuzz:1', 'https://example.com/src']), type: g.pick(['dev.eventyard.fuzz', 't', 'com.example.x']) };
  if (g.chance(0.3)) attrs.subject = g.pick(['s', 'frame-1', 'a/b']);
  if (g.chance(0.3)) attrs.time = '2024-05-01T12:34:56.789Z';
  if (g.chance(0.2)) attrs[specversion === '0.3' ? 'schemaurl' : 'dataschema'] = 'https://example.com/schema.json';
  if (g.chance(0.3)) attrs[`ext${g.lowerAlnum(3)}`] = g.pick(['v', '42', 'true']);
  return attrs;
}

/** The bulk: binary, structured, batch or garbage events, mutated, on varied methods and paths. */
function mutated(g: Gen, index: number, options: GenerateOptions, roll: number): FuzzCase {
  const method = g.chance(0.92) ? 'POST' : g.pick(METHODS_OTHER);
  const path = g.chance(0.9) ? g.pick(PATHS_OK) : g.pick(PATHS_BAD);
  const mode = roll < 0.6 ? 'binary' : roll < 0.88 ? 'structured' : roll < 0.91 ? 'batch' : 'garbage';
  const headers: Header[] = [];
  let body: Buffer;
  if (mode === 'binary') {
    const attrs = baseAttributes(g, index);
    for (const [k, v] of Object.entries(attrs)) headers.push([`ce-${k}`, v]);
    mutateBinaryHeaders(g, headers);
    if (g.chance(0.7)) headers.push(['content-type', contentType(g)]);
    body = randomBody(g);
  } else if (mode === 'structured') {
    headers.push(['content-type', g.chance(0.85) ? g.pick(CONTENT_TYPES.filter((t) => t.toLowerCase().includes('cloudevents+json'))) : contentType(g)]);
    if (g.chance(0.2)) headers.push(['ce-specversion', g.pick(SPEC_VERSIONS)], ['ce-type', 'from.header']);
    body = structuredBody(g, index);
  } else if (mode === 'batch') {
    headers.push(['content-type', g.pick(['application/cloudevents-batch+json', 'application/cloudevents-batch+json; charset=utf-8'])]);
    body = Buffer.from(g.pick(['[]', `[${structuredBody(g, index).toString('latin1')}]`, '{}', '', '[', 'null']), 'latin1');
  } else {
    if (g.chance(0.5)) headers.push(['content-type', contentType(g)]);
    if (g.chance(0.3)) headers.push(['ce-specversion', g.pick(SPEC_VERSIONS)]);
    body = randomBody(g);
  }
  for (let n = g.int(0, 3); n > 0; n--) headers.push([g.pick(RANDOM_HEADER_NAMES), headerValue(g)]);
  shuffle(g, headers);
  const slow = g.chance(0.005);
  return build(g, options, { label: `${method === 'POST' ? '' : `${method} `}${mode}${slow ? '/slow' : ''}`, method, path, headers, body, pauseMs: slow ? g.int(5, 40) : 0 });
}

function mutateBinaryHeaders(g: Gen, headers: Header[]): void {
  for (let n = g.int(0, 3); n > 0; n--) {
    const at = g.int(0, headers.length - 1);
    const target = headers[at]!;
    switch (g.int(0, 11)) {
      case 0: // missing
        headers.splice(at, 1);
        break;
      case 1: // empty
        target[1] = '';
        break;
      case 2: // huge (about 8 KB)
        target[1] = g.ascii(g.int(7_000, 8_192));
        break;
      case 3: // duplicated, same or other value
        headers.push([target[0], g.chance(0.5) ? target[1] : headerValue(g)]);
        break;
      case 4: // an invalid attribute name (still a valid HTTP header name)
        headers.push([g.pick(['ce-', 'ce-My-Ext', 'ce-my_ext', 'ce-my.ext', 'ce-UPPER', 'ce-__proto__', 'ce-constructor', 'ce-toString', `ce-${g.lowerAlnum(40)}`, 'ce-data', 'ce-data_base64']), headerValue(g)]);
        break;
      case 5: // non-ASCII bytes
        target[1] = g.chance(0.5) ? g.utf8OnWire(g.int(1, 20)) : g.chars(g.int(1, 20), 0x80, 0xff);
        break;
      case 6: // percent-encoding garbage
        target[1] = `${target[1]}${g.pick(PERCENT_GARBAGE)}${g.chance(0.5) ? g.pick(PERCENT_GARBAGE) : ''}`;
        break;
      case 7:
        headers.push(['ce-specversion', g.pick(SPEC_VERSIONS)]);
        if (g.chance(0.7)) headers.splice(headers.findIndex(([k]) => k === 'ce-specversion'), 1);
        break;
      case 8:
        headers.push([g.pick(['ce-time', 'ce-dataschema', 'ce-schemaurl', 'ce-datacontenttype', 'ce-datacontentencoding', 'ce-subject']), headerValue(g)]);
        break;
      case 9:
        headers.push(['ce-knativebrokerttl', g.pick(['1', '0', '-1', '2', '255', '99999999999999999999', ' 3 ', 'x', '1e3', '0x10', ''])]);
        break;
      case 10: // whitespace padding
        target[1] = `${g.pick(['', ' ', '\t'])}${target[1]}${g.pick(['', ' ', '\t'])}`;
        break;
      default: // upper-case the header name: HTTP names are case-insensitive
        target[0] = target[0].toUpperCase();
    }
  }
}

function headerValue(g: Gen): string {
  switch (g.int(0, 6)) {
    case 0:
      return '';
    case 1:
      return g.ascii(g.int(1, 40));
    case 2:
      return g.utf8OnWire(g.int(1, 10));
    case 3:
      return g.pick(PERCENT_GARBAGE);
    case 4:
      return g.chars(g.int(1, 10), 0x80, 0xff);
    case 5:
      return g.chance(0.3) ? g.ascii(g.int(7_000, 8_192)) : g.ascii(g.int(100, 1_000));
    default:
      return g.pick(['1.0', '0.3', 'x', '2024-01-01T00:00:00Z', 'yesterday', 'http://x', 'schema.json', 'base64', '12']);
  }
}

function contentType(g: Gen): string {
  if (g.chance(0.85)) return g.pick(CONTENT_TYPES);
  return g.chance(0.5) ? g.ascii(g.int(1, 30)) : g.utf8OnWire(g.int(1, 8));
}

function randomBody(g: Gen): Buffer {
  switch (g.int(0, 9)) {
    case 0:
    case 1:
      return Buffer.alloc(0);
    case 2:
      return g.bytes(g.int(1, 512));
    case 3:
      return Buffer.concat([Buffer.from('{"a":"'), g.pick(INVALID_UTF8), Buffer.from('"}')]);
    case 4:
      return Buffer.from(JSON.stringify(randomJson(g, 4)));
    case 5:
      return deepJson(g);
    case 6:
      return g.chance(0.01) ? g.bytes(g.int(64 * 1024, 512 * 1024)) : g.bytes(g.int(512, 4096));
    default:
      return Buffer.from(`{"trainId":"train-1","seq":${g.int(0, 1e6)}}`);
  }
}

function randomJson(g: Gen, depth: number): unknown {
  const k = depth <= 0 ? g.int(0, 4) : g.int(0, 6);
  switch (k) {
    case 0:
      return null;
    case 1:
      return g.chance(0.5);
    case 2:
      return g.pick([0, -1, 2147483647, 2147483648, -2147483649, 1.5, 1e308, -0]);
    case 3:
      return g.ascii(g.int(0, 20));
    case 4:
      return g.utf8OnWire(3);
    case 5:
      return Array.from({ length: g.int(0, 4) }, () => randomJson(g, depth - 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let n = g.int(0, 4); n > 0; n--) o[g.pick(['a', 'data', 'id', '__proto__', 'specversion', g.lowerAlnum(3)])] = randomJson(g, depth - 1);
      return o;
    }
  }
}

/** Deeply nested JSON text, as raw bytes (never built as objects here). */
function deepJson(g: Gen): Buffer {
  // Mostly below and around where recursive code overflows the stack (a few thousand levels), rarely far above.
  const depth = g.chance(0.01) ? 200_000 : g.pick([100, 1_000, 3_000, 6_000, 20_000]);
  if (g.chance(0.5)) return Buffer.from('['.repeat(depth) + ']'.repeat(depth));
  return Buffer.from('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));
}

/** A structured event as JSON text, then maybe mutated: truncated, bytes flipped, values retyped. */
function structuredBody(g: Gen, index: number): Buffer {
  const attrs: Record<string, unknown> = { ...baseAttributes(g, index) };
  for (let n = g.int(0, 2); n > 0; n--) {
    const name = g.pick(['id', 'source', 'type', 'specversion', 'subject', 'time', 'datacontenttype', 'dataschema', 'extx', 'MyExt', 'my-ext', '', '__proto__', 'constructor', 'data_base64', 'datacontentencoding']);
    if (g.chance(0.3)) delete attrs[name];
    else attrs[name] = randomJson(g, 2);
  }
  if (g.chance(0.2)) attrs.specversion = g.pick(SPEC_VERSIONS);
  if (g.chance(0.3)) attrs.datacontenttype = g.pick(['application/json', 'text/plain', 'application/octet-stream', 'text/xml', 'application/vnd.x+json', 'not a type']);
  let data: string | undefined;
  switch (g.int(0, 7)) {
    case 0:
      data = undefined;
      break;
    case 1:
      data = deepJson(g).toString('latin1');
      break;
    case 2:
      data = JSON.stringify(g.ascii(g.int(0, 64)));
      break;
    case 3:
      data = g.chance(0.01) ? JSON.stringify('x'.repeat(g.int(100_000, 1_000_000))) : JSON.stringify(randomJson(g, 4));
      break;
    case 4:
      attrs.data_base64 = g.pick(['AAEC+v8=', '!!!not base64', '', 'QUJD', 42]);
      break;
    case 5:
      data = '12345678901234567890';
      break;
    default:
      data = JSON.stringify(randomJson(g, 5));
  }
  let members = Object.entries(attrs).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
  if (data !== undefined) members.push(`"data":${data}`);
  if (g.chance(0.05)) members = [...members, ...members]; // duplicate keys
  let text = `{${members.join(',')}}`;
  if (g.chance(0.05)) text = g.pick(['[]', 'null', '"x"', '42', 'true', '', ' ', '\ufeff{}']) || text;
  let body: Buffer = Buffer.from(text, 'utf8');
  if (g.chance(0.3)) body = mutateBytes(g, body);
  return body;
}

function mutateBytes(g: Gen, body: Buffer): Buffer {
  if (body.length === 0) return body;
  switch (g.int(0, 4)) {
    case 0: // truncated
      return body.subarray(0, g.int(0, body.length - 1));
    case 1: {
      const copy = Buffer.from(body);
      for (let n = g.int(1, 4); n > 0; n--) copy[g.int(0, copy.length - 1)] = (g.next() * 256) | 0;
      return copy;
    }
    case 2: {
      const at = g.int(0, body.length);
      return Buffer.concat([body.subarray(0, at), g.chance(0.5) ? g.pick(INVALID_UTF8) : Buffer.from(g.pick(['"', '\\', '{', '}', ',', ':', '\\u', '\u0000', ']']), 'utf8'), body.subarray(at)]);
    }
    case 3: {
      const at = g.int(0, body.length - 1);
      return Buffer.concat([body.subarray(0, at), body.subarray(Math.min(body.length, at + g.int(1, 16)))]);
    }
    default:
      return Buffer.concat([body, body.subarray(0, g.int(0, body.length))]);
  }
}

/** Bodies over the limit: declared by Content-Length (refused up front) or chunked (refused while reading). */
function overLimit(g: Gen, index: number, options: GenerateOptions): FuzzCase {
  const chunked = index % 40_000 !== 7_777;
  // Chunked: only a few KiB past the limit, so that the client has sent (nearly) all of it when
  // the server refuses and closes; declared: the server must answer from the head alone.
  const size = options.maxBodyBytes + (chunked ? g.int(1, 4096) : g.int(1, 64 * 1024 * 1024));
  const body = chunked ? Buffer.alloc(size, 0x61) : Buffer.alloc(0);
  const headers: Header[] = [['ce-specversion', '1.0'], ['ce-id', `big-${index}`], ['ce-source', '/fuzz'], ['ce-type', 't'], ['content-type', 'text/plain']];
  if (chunked) return build(g, options, { label: 'over-limit/chunked', method: 'POST', path: '/default/default', headers, body, expectStatus: 413, chunked: true });
  const head = Buffer.from(`POST /default/default HTTP/1.1\r\nhost: ${options.host}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}content-length: ${size}\r\n\r\n`, 'latin1');
  return { label: 'over-limit/declared', head, body: [], pauseMs: 0, malformed: false, headOnly: true, expectStatus: 413 };
}

/** Requests that are not valid HTTP/1.1: Node's parser answers (400, 431) or closes, not the ingress. */
function malformedHttp(g: Gen, index: number, options: GenerateOptions): FuzzCase {
  const good: Header[] = [['host', options.host], ['ce-specversion', '1.0'], ['ce-id', `bad-${index}`], ['ce-source', '/s'], ['ce-type', 't']];
  const line = 'POST /default/default HTTP/1.1';
  const variant = g.int(0, 9);
  let head: string;
  let body = Buffer.from('{}');
  const hdrs = (list: Header[]) => list.map(([k, v]) => `${k}: ${v}\r\n`).join('');
  switch (variant) {
    case 0: // control characters in a value
      head = `${line}\r\n${hdrs([...good, ['ce-subject', `a${g.pick(['\x00', '\x01', '\x7f', '\x1b', '\r'])}b`]])}content-length: 2\r\n\r\n`;
      break;
    case 1: // invalid header name
      head = `${line}\r\n${hdrs([...good, [g.pick(['ce subject', 'ce-(x)', 'ce-é', 'ce@x', '', ' ce-x', 'ce-x\t']), 'v']])}content-length: 2\r\n\r\n`;
      break;
    case 2: // bad content-length
      head = `${line}\r\n${hdrs(good)}content-length: ${g.pick(['abc', '-1', '1.5', '2, 3', '0x2', '99999999999999999999999'])}\r\n\r\n`;
      break;
    case 3: // conflicting framing
      head = `${line}\r\n${hdrs(good)}content-length: 2\r\n${g.pick(['content-length: 3', 'transfer-encoding: chunked', 'transfer-encoding: gzip'])}\r\n\r\n`;
      break;
    case 4: // header section over 16 KiB
      head = `${line}\r\n${hdrs([...good, ['ce-a', 'x'.repeat(8_192)], ['ce-b', 'y'.repeat(8_192)], ['ce-c', 'z'.repeat(1_000)]])}content-length: 2\r\n\r\n`;
      break;
    case 5: // bad request line
      head = `${g.pick(['post /default/default HTTP/1.1', 'POST /default/default HTTP/9.9', 'POST  /default/default HTTP/1.1', 'POST /default/default', 'POST /déf/default HTTP/1.1', '\x00\x01\x02', 'GARBAGE', 'POST /default/default HTTP/1.1 extra'])}\r\n${hdrs(good)}content-length: 2\r\n\r\n`;
      break;
    case 6: // bare LF line endings and obs-fold
      head = `${line}\n${hdrs(good).replace(/\r\n/g, g.chance(0.5) ? '\n' : '\r\n')}ce-subject: a\r\n  folded\r\ncontent-length: 2\r\n\r\n`;
      break;
    case 7: // broken chunked body
      head = `${line}\r\n${hdrs(good)}transfer-encoding: chunked\r\n\r\n`;
      body = Buffer.from(g.pick(['zz\r\nab\r\n0\r\n\r\n', '2\r\nabcdef\r\n0\r\n\r\n', '-1\r\n\r\n', 'ffffffffffffffffff\r\n', '2;' + 'e'.repeat(20_000) + '\r\nab\r\n0\r\n\r\n']));
      break;
    case 8: // random bytes instead of a request
      head = g.bytes(g.int(1, 200)).toString('latin1') + '\r\n\r\n';
      body = Buffer.alloc(0);
      break;
    default: // no Host header in HTTP/1.1
      head = `${line}\r\n${hdrs(good.slice(1))}content-length: 2\r\n\r\n`;
  }
  return { label: 'malformed-http', head: Buffer.from(head, 'latin1'), body: [body], pauseMs: 0, malformed: true };
}

interface Parts {
  label: string;
  method: string;
  path: string;
  headers: Header[];
  body: Buffer;
  expectStatus?: number;
  pauseMs?: number;
  chunked?: boolean;
}

/** Frames a request; calls it malformed when the bytes would not be valid HTTP/1.1 to Node's parser. */
function build(g: Gen, options: GenerateOptions, parts: Parts): FuzzCase {
  const chunked = parts.chunked ?? (parts.body.length > 0 && g.chance(0.05));
  const headers: Header[] = [['host', options.host], ...parts.headers, chunked ? ['transfer-encoding', 'chunked'] : ['content-length', String(parts.body.length)]];
  const head = Buffer.from(`${parts.method} ${parts.path} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1');
  const malformed = head.length > SAFE_HEAD_BYTES || !headers.every(([k, v]) => TOKEN_NAME.test(k) && FIELD_VALUE.test(v)) || parts.path.length === 0;
  let body: Buffer[];
  if (chunked) {
    body = [];
    const step = parts.body.length > 256 * 1024 ? 64 * 1024 : Math.max(1, Math.ceil(parts.body.length / g.int(1, 5)));
    for (let at = 0; at < parts.body.length; at += step) {
      const piece = parts.body.subarray(at, at + step);
      body.push(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
    }
    body.push(Buffer.from('0\r\n\r\n'));
  } else if (parts.pauseMs) {
    const cuts = g.int(2, 5);
    const step = Math.max(1, Math.ceil(parts.body.length / cuts));
    body = [];
    for (let at = 0; at < parts.body.length; at += step) body.push(parts.body.subarray(at, at + step));
  } else {
    body = [parts.body];
  }
  return { label: parts.label, head, body, pauseMs: parts.pauseMs ?? 0, malformed, ...(parts.expectStatus !== undefined ? { expectStatus: parts.expectStatus } : {}) };
}

function shuffle<T>(g: Gen, items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = g.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}
