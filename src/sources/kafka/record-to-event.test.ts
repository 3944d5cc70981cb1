import { createRequire } from 'node:module';
import type { KafkaMessage } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../events/event.js';
import { validateAttributes } from '../../events/validate.js';
import {
  KAFKA_EVENT_TYPE,
  applyCeOverrides,
  ceOverridesProblems,
  decodeRecordAsCloudEvent,
  deserializeKey,
  epochMillisToTime,
  javaFloatingString,
  kafkaHeaderExtensionName,
  kafkaTimestampToTime,
  keyTypeFromLabel,
  recordToEvent,
  type KafkaRecord,
  type KafkaSourceContext,
} from './record-to-event.js';

const context: KafkaSourceContext = { namespace: 'shop', name: 'orders-source', keyType: 'string' };
const SOURCE = '/apis/v1/namespaces/shop/kafkasources/orders-source#orders';

function record(overrides: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    topic: 'orders',
    partition: 3,
    key: null,
    value: Buffer.from('{"value":5}'),
    headers: {},
    timestamp: '1700000000123',
    offset: '42',
    ...overrides,
  };
}

/** Maps, and checks the one promise every mapped event keeps: it is a valid CloudEvent. */
function map(input: KafkaRecord, ctx: KafkaSourceContext = context): CloudEvent {
  const event = recordToEvent(input, ctx);
  expect(() => validateAttributes(event.attributes)).not.toThrow();
  return event;
}

const h = (value: string) => Buffer.from(value, 'utf8');

const binaryHeaders = {
  ce_specversion: h('1.0'),
  ce_id: h('evt-1'),
  ce_source: h('/orders'),
  ce_type: h('dev.eventyard.chat.message'),
};

const structured = (event: Record<string, unknown>) => Buffer.from(JSON.stringify(event));
const minimalJson = { specversion: '1.0', id: 'evt-9', source: '/chat', type: 'dev.eventyard.chat.message' };

// One row per rule of research/knative-spec.md §5.11–§5.13.
describe('KafkaSource record → CloudEvent, by rule', () => {
  it('§5.11a structured: content-type application/cloudevents+json → the value is the JSON event', () => {
    const event = map(record({
      headers: { 'content-type': h('application/cloudevents+json') },
      value: structured({ ...minimalJson, subject: 'room-1', datacontenttype: 'application/json', data: { text: 'hi' }, comexampleext: 'v' }),
    }));
    expect({ ...event.attributes }).toEqual({
      specversion: '1.0', id: 'evt-9', source: '/chat', type: 'dev.eventyard.chat.message', subject: 'room-1',
      datacontenttype: 'application/json', comexampleext: 'v', knativekafkapartition: '3', knativekafkaoffset: '42',
    });
    expect(event.data?.toString()).toBe('{"text":"hi"}');
  });

  it('§5.11a structured: the media type is matched case-insensitively and without parameters', () => {
    const event = map(record({
      headers: { 'content-type': h('Application/CloudEvents+JSON; charset=UTF-8') },
      value: structured(minimalJson),
    }));
    expect(event.attributes.id).toBe('evt-9');
  });

  it('§5.11a structured wins over ce_specversion', () => {
    const event = map(record({
      headers: { ...binaryHeaders, 'content-type': h('application/cloudevents+json') },
      value: structured(minimalJson),
    }));
    expect(event.attributes.id).toBe('evt-9');
    expect(event.attributes.type).toBe('dev.eventyard.chat.message');
  });

  it('§5.11b binary: ce_specversion → ce_<attr> headers are attributes, content-type is datacontenttype, value is data', () => {
    const event = map(record({
      headers: { ...binaryHeaders, ce_subject: h('123'), ce_time: h('2018-04-05T17:31:00Z'), 'content-type': h('application/json') },
      value: h('{"hello":"Francesco"}'),
    }));
    expect({ ...event.attributes }).toEqual({
      specversion: '1.0', id: 'evt-1', source: '/orders', type: 'dev.eventyard.chat.message', subject: '123',
      time: '2018-04-05T17:31:00Z', datacontenttype: 'application/json', knativekafkapartition: '3', knativekafkaoffset: '42',
    });
    expect(event.data?.toString()).toBe('{"hello":"Francesco"}');
  });

  it('§5.11b binary: a null value is a headers-only event without data', () => {
    const event = map(record({ headers: binaryHeaders, value: null }));
    expect(event.attributes.id).toBe('evt-1');
    expect(event.data).toBeUndefined();
  });

  it('§5.11c valid CE: other headers and the key are not mapped', () => {
    const event = map(record({
      headers: { ...binaryHeaders, 'x-trace': h('abc'), 'My-Header': h('v') },
      key: h('user-7'),
    }));
    expect(Object.keys(event.attributes).sort()).toEqual(
      ['id', 'knativekafkaoffset', 'knativekafkapartition', 'source', 'specversion', 'type'],
    );
  });

  it('§5.12 not a CE → id partition:<p>/offset:<o>', () => {
    expect(map(record()).attributes.id).toBe('partition:3/offset:42');
  });

  it('§5.12 not a CE → source /apis/v1/namespaces/<ns>/kafkasources/<name>#<topic>', () => {
    expect(map(record()).attributes.source).toBe(SOURCE);
  });

  it('§5.12 not a CE → type dev.knative.kafka.event', () => {
    expect(map(record()).attributes.type).toBe('dev.knative.kafka.event');
    expect(KAFKA_EVENT_TYPE).toBe('dev.knative.kafka.event');
  });

  it('§5.12 not a CE → subject partition:<p>#<o>', () => {
    expect(map(record()).attributes.subject).toBe('partition:3#42');
  });

  it('§5.12 not a CE → time is the record timestamp in UTC', () => {
    expect(map(record({ timestamp: '1700000000123' })).attributes.time).toBe('2023-11-14T22:13:20.123Z');
  });

  it('§5.12 not a CE → datacontenttype is the content-type header (any case), lower-cased', () => {
    const event = map(record({ headers: { 'Content-Type': h('Application/JSON') } }));
    expect(event.attributes.datacontenttype).toBe('application/json');
    expect(event.attributes.kafkaheadercontenttype).toBeUndefined();
  });

  it('§5.12 not a CE → no content-type header, no datacontenttype', () => {
    expect(map(record()).attributes.datacontenttype).toBeUndefined();
  });

  it('§5.12 not a CE → every other header H is extension kafkaheader<H normalized>, UTF-8 text', () => {
    const event = map(record({ headers: { 'My-Header_1': h('v1'), trace: h('t-ü') } }));
    expect(event.attributes.kafkaheadermyheader1).toBe('v1');
    expect(event.attributes.kafkaheadertrace).toBe('t-ü');
  });

  it('§5.12 not a CE → duplicate headers: the last one wins', () => {
    const event = map(record({ headers: { trace: [h('first'), h('second')], 'content-type': [h('text/plain'), h('application/json')] } }));
    expect(event.attributes.kafkaheadertrace).toBe('second');
    expect(event.attributes.datacontenttype).toBe('application/json');
  });

  it('§5.12 not a CE → key → extensions key and partitionkey', () => {
    const event = map(record({ key: h('0') }));
    expect(event.attributes.key).toBe('0');
    expect(event.attributes.partitionkey).toBe('0');
  });

  it('§5.12 not a CE → empty key bytes → no key extensions', () => {
    const event = map(record({ key: Buffer.alloc(0) }));
    expect(event.attributes.key).toBeUndefined();
    expect(event.attributes.partitionkey).toBeUndefined();
  });

  it('§5.12 not a CE → data is the raw value bytes', () => {
    const value = Buffer.from([0, 255, 1, 254]);
    expect(map(record({ value })).data).toEqual(value);
  });

  it('§5.12 not a CE → a null value has no data', () => {
    expect(map(record({ value: null })).data).toBeUndefined();
  });

  it('§5.13 every event gets knativekafkapartition and knativekafkaoffset (built)', () => {
    const event = map(record({ partition: 0, offset: '9007199254740993' }));
    expect(event.attributes.knativekafkapartition).toBe('0');
    expect(event.attributes.knativekafkaoffset).toBe('9007199254740993');
  });

  it('§5.13 every event gets knativekafkapartition and knativekafkaoffset (valid CE, structured and binary)', () => {
    for (const input of [
      record({ headers: binaryHeaders }),
      record({ headers: { 'content-type': h('application/cloudevents+json') }, value: structured(minimalJson) }),
    ]) {
      const event = map(input);
      expect(event.attributes.knativekafkapartition).toBe('3');
      expect(event.attributes.knativekafkaoffset).toBe('42');
    }
  });

  it('§5.13 ceOverrides are set after, replacing an existing extension', () => {
    const ctx = { ...context, ceOverrides: { knativekafkaoffset: 'x', kafkaheadertrace: 'over', team: 'shop' } };
    const built = map(record({ headers: { trace: h('t') } }), ctx);
    expect(built.attributes.knativekafkaoffset).toBe('x');
    expect(built.attributes.kafkaheadertrace).toBe('over');
    expect(built.attributes.team).toBe('shop');
    const valid = map(record({ headers: { ...binaryHeaders, ce_team: h('ops') } }), ctx);
    expect(valid.attributes.team).toBe('shop');
  });
});

describe('KafkaSource edge cases', () => {
  it('binary CE with extension headers: ce_<ext> → extension; names are lower-cased', () => {
    const event = map(record({ headers: { ...binaryHeaders, ce_comexampleextension1: h('value'), ce_ComExampleOtherValue: h('5') } }));
    expect(event.attributes.comexampleextension1).toBe('value');
    expect(event.attributes.comexampleothervalue).toBe('5');
  });

  it('ce_ headers with non-ASCII values are read as UTF-8, not percent-decoded', () => {
    const event = map(record({ headers: { ...binaryHeaders, ce_subject: h('Zoë ✓ 東京'), ce_note: h('100%25') } }));
    expect(event.attributes.subject).toBe('Zoë ✓ 東京');
    expect(event.attributes.note).toBe('100%25');
  });

  it('only the exact lower-case ce_ prefix marks an attribute header', () => {
    const event = map(record({ headers: { ...binaryHeaders, CE_subject: h('x'), 'ce-subject': h('y'), ce_: h('z') } }));
    expect(event.attributes.subject).toBeUndefined();
    expect(event.attributes.id).toBe('evt-1');
  });

  it('CE_specversion (upper case) does not make a binary CE: the record is built, its headers become kafkaheader*', () => {
    const event = map(record({ headers: { CE_specversion: h('1.0'), CE_id: h('a'), CE_source: h('/s'), CE_type: h('t') } }));
    expect(event.attributes.type).toBe(KAFKA_EVENT_TYPE);
    expect(event.attributes.kafkaheadercespecversion).toBe('1.0');
    expect(event.attributes.kafkaheaderceid).toBe('a');
  });

  it('binary CE with an invalid attribute (bad time) → built event, ce_ headers kept as kafkaheader*', () => {
    const event = map(record({ headers: { ...binaryHeaders, ce_time: h('yesterday') } }));
    expect(event.attributes.type).toBe(KAFKA_EVENT_TYPE);
    expect(event.attributes.id).toBe('partition:3/offset:42');
    expect(event.attributes.kafkaheadercetime).toBe('yesterday');
    expect(event.attributes.kafkaheaderceid).toBe('evt-1');
  });

  it.each([
    ['missing ce_id', { ce_specversion: h('1.0'), ce_source: h('/s'), ce_type: h('t') }],
    ['empty ce_subject', { ...binaryHeaders, ce_subject: h('') }],
    ['unknown specversion 2.0', { ...binaryHeaders, ce_specversion: h('2.0') }],
    ['extension name with a dash', { ...binaryHeaders, 'ce_my-ext': h('v') }],
    ['content-type that is no media type', { ...binaryHeaders, 'content-type': h('json') }],
  ])('binary CE that is invalid (%s) → built event', (_, headers) => {
    expect(map(record({ headers })).attributes.type).toBe(KAFKA_EVENT_TYPE);
  });

  it('binary CE: an empty value is no data', () => {
    expect(map(record({ headers: binaryHeaders, value: Buffer.alloc(0) })).data).toBeUndefined();
  });

  it('binary CE 0.3 is kept as 0.3', () => {
    const event = map(record({ headers: { ...binaryHeaders, ce_specversion: h('0.3') } }));
    expect(event.attributes.specversion).toBe('0.3');
  });

  it('binary CE: content-type header (exact name) is datacontenttype, kept verbatim', () => {
    const event = map(record({ headers: { ...binaryHeaders, 'content-type': h('text/plain; charset=UTF-8') } }));
    expect(event.attributes.datacontenttype).toBe('text/plain; charset=UTF-8');
  });

  it('structured CE with data_base64 → the decoded bytes', () => {
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const event = map(record({
      headers: { 'content-type': h('application/cloudevents+json') },
      value: structured({ ...minimalJson, datacontenttype: 'application/octet-stream', data_base64: bytes.toString('base64') }),
    }));
    expect(event.data).toEqual(bytes);
    expect(event.attributes.datacontenttype).toBe('application/octet-stream');
  });

  it('structured record whose JSON is invalid → built event; data is the raw bytes; the content type stays a header extension', () => {
    const value = h('{"specversion":"1.0",');
    const event = map(record({ headers: { 'content-type': h('application/cloudevents+json') }, value }));
    expect(event.attributes.type).toBe(KAFKA_EVENT_TYPE);
    expect(event.data).toEqual(value);
    // Upstream would set datacontenttype application/cloudevents+json, and binary delivery would then
    // make the receiver parse the broken body as a structured event.
    expect(event.attributes.datacontenttype).toBeUndefined();
    expect(event.attributes.kafkaheadercontenttype).toBe('application/cloudevents+json');
  });

  it('structured record that is valid JSON but not a valid CE (no id) → built event', () => {
    const event = map(record({ headers: { 'content-type': h('application/cloudevents+json') }, value: structured({ specversion: '1.0', source: '/s', type: 't' }) }));
    expect(event.attributes.type).toBe(KAFKA_EVENT_TYPE);
  });

  it('structured content-type with a null value → built event without data', () => {
    const event = map(record({ headers: { 'content-type': h('application/cloudevents+json') }, value: null }));
    expect(event.attributes.type).toBe(KAFKA_EVENT_TYPE);
    expect(event.data).toBeUndefined();
  });

  it('another CloudEvents format (batch) → built event, even with ce_specversion', () => {
    const event = map(record({ headers: { ...binaryHeaders, 'content-type': h('application/cloudevents-batch+json') }, value: h('[]') }));
    expect(event.attributes.type).toBe(KAFKA_EVENT_TYPE);
    expect(event.attributes.kafkaheadercontenttype).toBe('application/cloudevents-batch+json');
  });

  it('content-type header casing: Content-Type does not make a structured CE (Kafka header names are case-sensitive)', () => {
    const event = map(record({ headers: { 'Content-Type': h('application/cloudevents+json') }, value: structured(minimalJson) }));
    expect(event.attributes.type).toBe(KAFKA_EVENT_TYPE);
    expect(event.attributes.kafkaheadercontenttype).toBe('application/cloudevents+json');
  });

  it('content-type header casing: Content-Type next to ce_specversion is not the binary datacontenttype', () => {
    const event = map(record({ headers: { ...binaryHeaders, 'Content-Type': h('application/json') } }));
    expect(event.attributes.id).toBe('evt-1');
    expect(event.attributes.datacontenttype).toBeUndefined();
  });

  it('built event: a content-type that is no media type is kept as kafkaheadercontenttype', () => {
    const event = map(record({ headers: { 'content-type': h('JSON please') } }));
    expect(event.attributes.datacontenttype).toBeUndefined();
    expect(event.attributes.kafkaheadercontenttype).toBe('JSON please');
  });

  it('built event: parameters are lower-cased too, as upstream does', () => {
    expect(map(record({ headers: { 'content-type': h('text/plain; charset=UTF-8') } })).attributes.datacontenttype).toBe('text/plain; charset=utf-8');
  });

  it.each([
    ['My-Header_1', 'kafkaheadermyheader1'],
    ['X-B3-TraceId', 'kafkaheaderxb3traceid'],
    ['café', 'kafkaheadercaf'],
    ['Émoji🙂', 'kafkaheadermoji'],
    ['---', 'kafkaheader'],
    ['__proto__', 'kafkaheaderproto'],
  ])('header name normalization: %s → %s', (name, extension) => {
    expect(kafkaHeaderExtensionName(name)).toBe(extension);
    expect(map(record({ headers: { [name]: h('v') } })).attributes[extension]).toBe('v');
  });

  it('headers without a value (null) are ignored', () => {
    const event = map(record({ headers: { empty: null, both: [h('kept'), null], ce_specversion: null } }));
    expect(event.attributes.kafkaheaderempty).toBeUndefined();
    expect(event.attributes.kafkaheaderboth).toBe('kept');
    expect(event.attributes.type).toBe(KAFKA_EVENT_TYPE);
  });

  it('header values given as strings (kafkajs producer form) are used as they are', () => {
    expect(map(record({ headers: { ...binaryHeaders, ce_subject: 'plain' } })).attributes.subject).toBe('plain');
  });

  it('built event with no headers at all (message-set v0/v1 record)', () => {
    const event = map(record({ headers: undefined }));
    expect(event.attributes.id).toBe('partition:3/offset:42');
  });

  it('an extension named like an Object.prototype member is just an attribute', () => {
    const event = map(record({ headers: { ...binaryHeaders, ce_constructor: h('c') } }));
    expect(event.attributes.constructor).toBe('c');
  });

  it('time: zero milliseconds are left out, trailing zeros dropped (as sdk-java writes it)', () => {
    expect(map(record({ timestamp: '1700000000000' })).attributes.time).toBe('2023-11-14T22:13:20Z');
    expect(map(record({ timestamp: '1700000000120' })).attributes.time).toBe('2023-11-14T22:13:20.12Z');
    expect(map(record({ timestamp: '0' })).attributes.time).toBe('1970-01-01T00:00:00Z');
  });

  it('time: Kafka "no timestamp" (-1) → no time attribute', () => {
    expect(map(record({ timestamp: '-1' })).attributes.time).toBeUndefined();
    expect(kafkaTimestampToTime('abc')).toBeUndefined();
    expect(epochMillisToTime(Date.UTC(10000, 0, 1))).toBeUndefined();
  });

  it('partition and offset must be numbers (a contract error, not a record problem)', () => {
    expect(() => recordToEvent(record({ offset: 'x' }), context)).toThrow(TypeError);
  });

  it('a record decoded by kafkajs itself (duplicate and null headers) maps as the rules say', () => {
    const require = createRequire(import.meta.url);
    const protocol = 'kafkajs/src/protocol/';
    const Encoder = require(`${protocol}encoder`);
    const Header = require(`${protocol}recordBatch/header/v0`);
    const Decoder = require(`${protocol}decoder`);
    const decodeRecord = require(`${protocol}recordBatch/record/v0/decoder`);
    const headers = [
      { key: 'trace', value: h('one') },
      { key: 'nothing', value: null },
      { key: 'trace', value: h('two') },
      { key: 'content-type', value: h('text/plain') },
    ];
    const bytes = new Encoder().writeInt8(0).writeVarLong(123).writeVarInt(2)
      .writeVarIntBytes(h('k-1')).writeVarIntBytes(h('hello')).writeVarIntArray(headers.map(Header)).buffer;
    const message: KafkaMessage = decodeRecord(new Decoder(bytes), { firstOffset: '40', firstTimestamp: '1700000000000', magicByte: 2 });
    const event = map({ topic: 'orders', partition: 3, ...message });
    expect({ ...event.attributes }).toEqual({
      specversion: '1.0', id: 'partition:3/offset:42', source: SOURCE, type: KAFKA_EVENT_TYPE, subject: 'partition:3#42',
      time: '2023-11-14T22:13:20.123Z', key: 'k-1', partitionkey: 'k-1', kafkaheadertrace: 'two', datacontenttype: 'text/plain',
      knativekafkapartition: '3', knativekafkaoffset: '42',
    });
    expect(event.data?.toString()).toBe('hello');
  });
});

describe('KafkaSource key types (KeyDeserializer)', () => {
  const int32 = (n: number) => { const b = Buffer.alloc(4); b.writeInt32BE(n); return b; };
  const float32 = (n: number) => { const b = Buffer.alloc(4); b.writeFloatBE(n); return b; };
  const float64 = (n: number) => { const b = Buffer.alloc(8); b.writeDoubleBE(n); return b; };

  it.each([
    ['string', h('user-7'), 'user-7'],
    ['string', h('Zoë'), 'Zoë'],
    ['int', int32(-42), '-42'],
    ['int', int32(2147483647), '2147483647'],
    ['int', h('ab'), 'ab'],
    ['int', h('12345'), '12345'],
    ['int', h('1234'), '825373492'], // 4 bytes are an int32 even when they were meant as text, as upstream
    ['float', float32(1.5), '1.5'],
    ['float', float32(0.1), '0.1'],
    ['float', float64(0.1), '0.1'],
    ['float', float64(1), '1.0'],
    ['float', float64(1e21), '1.0E21'],
    ['float', h('abc'), 'abc'],
    ['float', h('12345'), '12345'],
    ['byte-array', Buffer.from([0xde, 0xad, 0xbe, 0xef]), '3q2+7w=='],
    ['byte-array', h('x'), 'eA=='],
  ] as const)('%s key %o → %s', (keyType, key, expected) => {
    expect(deserializeKey(key, keyType)).toBe(expected);
    const event = map(record({ key }), { ...context, keyType });
    expect(event.attributes.key).toBe(expected);
    expect(event.attributes.partitionkey).toBe(expected);
  });

  it.each(['string', 'int', 'float', 'byte-array'] as const)('%s: null and empty keys → no extension', (keyType) => {
    expect(deserializeKey(null, keyType)).toBeUndefined();
    expect(deserializeKey(Buffer.alloc(0), keyType)).toBeUndefined();
  });

  it('key-type label: unknown or missing → string', () => {
    expect(keyTypeFromLabel('int')).toBe('int');
    expect(keyTypeFromLabel('float')).toBe('float');
    expect(keyTypeFromLabel('byte-array')).toBe('byte-array');
    expect(keyTypeFromLabel('string')).toBe('string');
    expect(keyTypeFromLabel('double')).toBe('string');
    expect(keyTypeFromLabel(undefined)).toBe('string');
  });
});

describe("javaFloatingString (Java's Double/Float.toString, JDK 19+)", () => {
  it.each([
    [1, '1.0'], [100, '100.0'], [-1.5, '-1.5'], [0.001, '0.001'], [1e-4, '1.0E-4'], [9999999, '9999999.0'],
    [1e7, '1.0E7'], [12345678, '1.2345678E7'], [Math.PI, '3.141592653589793'], [0.1 + 0.2, '0.30000000000000004'],
    [Number.MAX_VALUE, '1.7976931348623157E308'], [Number.MIN_VALUE, '4.9E-324'], [2e23, '2.0E23'],
    [0, '0.0'], [-0, '-0.0'], [NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity'],
  ])('double %d → %s', (value, expected) => {
    expect(javaFloatingString(value, false)).toBe(expected);
  });

  it.each([
    [0.1, '0.1'], [1, '1.0'], [3.14, '3.14'], [0.3, '0.3'], [1e10, '1.0E10'], [16777216, '1.6777216E7'],
    [3.4028234663852886e38, '3.4028235E38'], [1.401298464324817e-45, '1.4E-45'], [123456.789, '123456.79'], [-2.5, '-2.5'],
  ])('float %d → %s', (value, expected) => {
    expect(javaFloatingString(Math.fround(value), true)).toBe(expected);
  });

  it('float strings read back to the same float32 for many values', () => {
    const buffer = Buffer.alloc(4);
    for (let i = 0; i < 2000; i++) {
      buffer.writeUInt32BE((i * 2654435761) >>> 0);
      const value = buffer.readFloatBE(0);
      if (!Number.isFinite(value)) continue;
      const text = javaFloatingString(value, true);
      expect(Math.fround(Number(text.replace('E', 'e')))).toBe(value);
    }
  });
});

describe('ceOverrides', () => {
  it('context attributes and invalid names are not overridden; ceOverridesProblems says why', () => {
    const overrides = { type: 'x', id: 'y', source: 'z', Team: 'a', 'my-ext': 'b', ok: 'c' };
    const attributes: Record<string, string> = Object.assign(Object.create(null), { type: 't', id: 'i', source: 's' });
    applyCeOverrides(attributes, overrides);
    expect({ ...attributes }).toEqual({ type: 't', id: 'i', source: 's', ok: 'c' });
    const problems = ceOverridesProblems(overrides);
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/"type" is a CloudEvents context attribute/);
    expect(problems.join('\n')).toMatch(/"Team": an extension name is lower-case letters and digits only/);
    expect(ceOverridesProblems({ ok: 'c' })).toEqual([]);
    expect(ceOverridesProblems(undefined)).toEqual([]);
  });

  it('overriding through the mapping never breaks the event', () => {
    const event = map(record(), { ...context, ceOverrides: { subject: 'nope', time: 'never', partitionkey: 'p' } });
    expect(event.attributes.subject).toBe('partition:3#42');
    expect(event.attributes.partitionkey).toBe('p');
  });
});

describe('decodeRecordAsCloudEvent', () => {
  it('returns undefined for a plain record', () => {
    expect(decodeRecordAsCloudEvent({ headers: { 'content-type': h('application/json') }, value: h('{}') })).toBeUndefined();
  });
});
