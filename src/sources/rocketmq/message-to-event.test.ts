import { createRequire } from 'node:module';
import type { MessageView } from 'rocketmq-client-nodejs';
import { describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../events/event.js';
import { validateAttributes } from '../../events/validate.js';
import {
  ROCKETMQ_EVENT_TYPE,
  decodeMessageAsCloudEvent,
  messageToEvent,
  rocketmqPropertyExtensionName,
  type RocketMQMessage,
  type RocketMQSourceContext,
} from './message-to-event.js';

// Compile-time: the official client's MessageView is a valid input as it is.
const viewIsInput = (view: MessageView): RocketMQMessage => view;
void viewIsInput;

const context: RocketMQSourceContext = { namespace: 'live', name: 'chat-source' };
const SOURCE = '/apis/v1/namespaces/live/rocketmqsources/chat-source#chat';

function message(overrides: Partial<RocketMQMessage> = {}): RocketMQMessage {
  return {
    messageId: '01F3A5B7C9D1E3F5A7B9C1D3E5',
    topic: 'chat',
    body: Buffer.from('{"text":"hi"}'),
    properties: new Map(),
    tag: undefined,
    keys: [],
    messageGroup: undefined,
    bornTimestamp: new Date(1700000000123),
    offset: 17,
    ...overrides,
  };
}

const props = (entries: Record<string, string>) => new Map(Object.entries(entries));

function map(input: RocketMQMessage, ctx: RocketMQSourceContext = context): CloudEvent {
  const event = messageToEvent(input, ctx);
  expect(() => validateAttributes(event.attributes)).not.toThrow();
  return event;
}

const binaryProps = {
  CE_specversion: '1.0',
  CE_id: 'evt-1',
  CE_source: '/chat',
  CE_type: 'dev.eventyard.chat.message',
};
const minimalJson = { specversion: '1.0', id: 'evt-9', source: '/chat', type: 'dev.eventyard.chat.message' };

// One row per rule of MAPPING.md.
describe('RocketMQSource message → CloudEvent, by rule', () => {
  it('R1 structured: CE_contenttype application/cloudevents+json → the body is the JSON event', () => {
    const event = map(message({
      properties: props({ CE_contenttype: 'application/cloudevents+json; charset=UTF-8' }),
      body: Buffer.from(JSON.stringify({ ...minimalJson, subject: 'room-1', data: { text: 'hi' }, comexampleext: 'v' })),
    }));
    expect({ ...event.attributes }).toEqual({
      specversion: '1.0', id: 'evt-9', source: '/chat', type: 'dev.eventyard.chat.message', subject: 'room-1',
      datacontenttype: 'application/json', comexampleext: 'v', rocketmqqueueoffset: '17',
    });
    expect(event.data?.toString()).toBe('{"text":"hi"}');
  });

  it('R2 binary: CE_specversion → CE_<attr> properties are attributes, CE_contenttype is datacontenttype, body is data', () => {
    const event = map(message({
      properties: props({ ...binaryProps, CE_subject: 'room-1', CE_time: '2018-04-05T17:31:00Z', CE_contenttype: 'application/json', CE_comexampleext: 'v' }),
    }));
    expect({ ...event.attributes }).toEqual({
      specversion: '1.0', id: 'evt-1', source: '/chat', type: 'dev.eventyard.chat.message', subject: 'room-1',
      time: '2018-04-05T17:31:00Z', datacontenttype: 'application/json', comexampleext: 'v', rocketmqqueueoffset: '17',
    });
    expect(event.data?.toString()).toBe('{"text":"hi"}');
  });

  it('R2 binary: the one-NUL-byte body sdk-java writes for an event without data, and an empty body, are no data', () => {
    expect(map(message({ properties: props(binaryProps), body: Buffer.from([0]) })).data).toBeUndefined();
    expect(map(message({ properties: props(binaryProps), body: Buffer.alloc(0) })).data).toBeUndefined();
  });

  it('R3 valid CE: other properties, tag, keys and message group are not mapped', () => {
    const event = map(message({
      properties: props({ ...binaryProps, 'Order-Id': '77' }), tag: 'TagA', keys: ['k1'], messageGroup: 'g1',
    }));
    expect(Object.keys(event.attributes).sort()).toEqual(['id', 'rocketmqqueueoffset', 'source', 'specversion', 'type']);
  });

  it('R4 not a CE → id is the message id', () => {
    expect(map(message()).attributes.id).toBe('01F3A5B7C9D1E3F5A7B9C1D3E5');
  });

  it('R4 not a CE → source /apis/v1/namespaces/<ns>/rocketmqsources/<name>#<topic>', () => {
    expect(map(message()).attributes.source).toBe(SOURCE);
  });

  it('R4 not a CE → type dev.eventyard.rocketmq.message', () => {
    expect(map(message()).attributes.type).toBe('dev.eventyard.rocketmq.message');
    expect(ROCKETMQ_EVENT_TYPE).toBe('dev.eventyard.rocketmq.message');
  });

  it('R4 not a CE → subject is the tag; no tag (or an empty one), no subject', () => {
    expect(map(message({ tag: 'TagA' })).attributes.subject).toBe('TagA');
    expect(map(message({ tag: undefined })).attributes.subject).toBeUndefined();
    expect(map(message({ tag: '' })).attributes.subject).toBeUndefined();
  });

  it('R4 not a CE → time is the born timestamp in UTC (written as for Kafka); none without one', () => {
    expect(map(message()).attributes.time).toBe('2023-11-14T22:13:20.123Z');
    expect(map(message({ bornTimestamp: new Date(1700000000000) })).attributes.time).toBe('2023-11-14T22:13:20Z');
    expect(map(message({ bornTimestamp: undefined })).attributes.time).toBeUndefined();
    expect(map(message({ bornTimestamp: new Date(Number.NaN) })).attributes.time).toBeUndefined();
  });

  it('R4 not a CE → datacontenttype is the CE_contenttype property (any case), lower-cased', () => {
    const event = map(message({ properties: props({ ce_ContentType: 'Application/JSON' }) }));
    expect(event.attributes.datacontenttype).toBe('application/json');
    expect(event.attributes.rocketmqpropertycecontenttype).toBeUndefined();
    expect(map(message()).attributes.datacontenttype).toBeUndefined();
  });

  it('R4 not a CE → every other user property P is extension rocketmqproperty<P normalized>', () => {
    const event = map(message({ properties: props({ 'Order-Id': '77', 'content-type': 'text/plain', city: 'Zürich' }) }));
    expect(event.attributes.rocketmqpropertyorderid).toBe('77');
    expect(event.attributes.rocketmqpropertycity).toBe('Zürich');
    // Only the binding's CE_contenttype carries the content type; content-type is an ordinary property.
    expect(event.attributes.rocketmqpropertycontenttype).toBe('text/plain');
    expect(event.attributes.datacontenttype).toBeUndefined();
  });

  it('R4 not a CE → tag → rocketmqtag', () => {
    expect(map(message({ tag: 'TagA' })).attributes.rocketmqtag).toBe('TagA');
    expect(map(message()).attributes.rocketmqtag).toBeUndefined();
  });

  it('R4 not a CE → keys → rocketmqkeys, space-separated; none → absent', () => {
    expect(map(message({ keys: ['order-1', 'user-7'] })).attributes.rocketmqkeys).toBe('order-1 user-7');
    expect(map(message({ keys: ['', 'only'] })).attributes.rocketmqkeys).toBe('only');
    expect(map(message({ keys: [] })).attributes.rocketmqkeys).toBeUndefined();
    expect(map(message({ keys: undefined })).attributes.rocketmqkeys).toBeUndefined();
  });

  it('R4 not a CE → message group → rocketmqmessagegroup and partitionkey', () => {
    const event = map(message({ messageGroup: 'room-1' }));
    expect(event.attributes.rocketmqmessagegroup).toBe('room-1');
    expect(event.attributes.partitionkey).toBe('room-1');
    expect(map(message({ messageGroup: '' })).attributes.partitionkey).toBeUndefined();
  });

  it('R4 not a CE → data is the body bytes; an empty body is no data', () => {
    const body = Buffer.from([0, 255, 1]);
    expect(map(message({ body })).data).toEqual(body);
    expect(map(message({ body: Buffer.alloc(0) })).data).toBeUndefined();
  });

  it('R5 every event gets rocketmqqueueoffset, and rocketmqqueueid when the queue is known (built)', () => {
    const event = map(message({ offset: 0, queueId: 2 }));
    expect(event.attributes.rocketmqqueueoffset).toBe('0');
    expect(event.attributes.rocketmqqueueid).toBe('2');
    const unknown = map(message({ offset: undefined }));
    expect(unknown.attributes.rocketmqqueueoffset).toBeUndefined();
    expect(unknown.attributes.rocketmqqueueid).toBeUndefined();
  });

  it('R5 every event gets rocketmqqueueoffset and rocketmqqueueid (valid CE, structured and binary)', () => {
    for (const input of [
      message({ properties: props(binaryProps), queueId: 1, offset: 99 }),
      message({ properties: props({ CE_contenttype: 'application/cloudevents+json' }), body: Buffer.from(JSON.stringify(minimalJson)), queueId: 1, offset: 99 }),
    ]) {
      const event = map(input);
      expect(event.attributes.rocketmqqueueid).toBe('1');
      expect(event.attributes.rocketmqqueueoffset).toBe('99');
    }
  });

  it('R6 ceOverrides are set last, replacing an existing extension; context attributes are not overridden', () => {
    const ctx = { ...context, ceOverrides: { rocketmqtag: 'over', rocketmqqueueoffset: 'x', team: 'live', type: 'nope' } };
    const built = map(message({ tag: 'TagA' }), ctx);
    expect(built.attributes.rocketmqtag).toBe('over');
    expect(built.attributes.rocketmqqueueoffset).toBe('x');
    expect(built.attributes.team).toBe('live');
    expect(built.attributes.type).toBe(ROCKETMQ_EVENT_TYPE);
    const valid = map(message({ properties: props({ ...binaryProps, CE_team: 'ops' }) }), ctx);
    expect(valid.attributes.team).toBe('live');
  });
});

describe('RocketMQSource edge cases', () => {
  it('binary CE with extension properties', () => {
    const event = map(message({ properties: props({ ...binaryProps, CE_traceparent: '00-abc-01', CE_renderingid: 'r-1' }) }));
    expect(event.attributes.traceparent).toBe('00-abc-01');
    expect(event.attributes.renderingid).toBe('r-1');
  });

  it('CE_ properties with non-ASCII values are kept as they are (no percent-decoding)', () => {
    const event = map(message({ properties: props({ ...binaryProps, CE_subject: 'Zoë ✓ 東京', CE_note: '100%25' }) }));
    expect(event.attributes.subject).toBe('Zoë ✓ 東京');
    expect(event.attributes.note).toBe('100%25');
  });

  it('attribute names are taken as written: CE_Subject is no attribute name → built event', () => {
    const event = map(message({ properties: props({ ...binaryProps, CE_Subject: 'x' }) }));
    expect(event.attributes.type).toBe(ROCKETMQ_EVENT_TYPE);
    expect(event.attributes.rocketmqpropertycesubject).toBe('x');
    expect(event.attributes.rocketmqpropertyceid).toBe('evt-1');
  });

  it('only the exact CE_ prefix marks an attribute property: ce_specversion is an ordinary property', () => {
    const event = map(message({ properties: props({ ce_specversion: '1.0', ce_id: 'a', ce_source: '/s', ce_type: 't' }) }));
    expect(event.attributes.type).toBe(ROCKETMQ_EVENT_TYPE);
    expect(event.attributes.rocketmqpropertycespecversion).toBe('1.0');
  });

  it.each([
    ['missing CE_id', { CE_specversion: '1.0', CE_source: '/s', CE_type: 't' }],
    ['bad CE_time', { ...binaryProps, CE_time: 'yesterday' }],
    ['empty CE_subject', { ...binaryProps, CE_subject: '' }],
    ['unknown specversion', { ...binaryProps, CE_specversion: '2.0' }],
    ['CE_contenttype that is no media type', { ...binaryProps, CE_contenttype: 'json' }],
    ['extension name with a dash', { ...binaryProps, 'CE_my-ext': 'v' }],
  ])('binary CE that is invalid (%s) → built event, CE_ properties kept as extensions', (_, properties) => {
    const event = map(message({ properties: props(properties) }));
    expect(event.attributes.type).toBe(ROCKETMQ_EVENT_TYPE);
    expect(event.attributes.id).toBe('01F3A5B7C9D1E3F5A7B9C1D3E5');
  });

  it('binary CE: CE_contenttype wins over CE_datacontenttype', () => {
    const event = map(message({ properties: props({ ...binaryProps, CE_datacontenttype: 'text/plain', CE_contenttype: 'application/json' }) }));
    expect(event.attributes.datacontenttype).toBe('application/json');
    expect(event.attributes.contenttype).toBeUndefined();
  });

  it('binary CE 0.3 stays 0.3', () => {
    expect(map(message({ properties: props({ ...binaryProps, CE_specversion: '0.3' }) })).attributes.specversion).toBe('0.3');
  });

  it('structured CE with data_base64 → the decoded bytes', () => {
    const bytes = Buffer.from([0xde, 0xad, 0xbe, 0xef]);
    const event = map(message({
      properties: props({ CE_contenttype: 'application/cloudevents+json' }),
      body: Buffer.from(JSON.stringify({ ...minimalJson, datacontenttype: 'application/octet-stream', data_base64: bytes.toString('base64') })),
    }));
    expect(event.data).toEqual(bytes);
  });

  it('structured message whose JSON is invalid → built event; the content type stays a property extension', () => {
    const body = Buffer.from('{"specversion":');
    const event = map(message({ properties: props({ CE_contenttype: 'application/cloudevents+json' }), body }));
    expect(event.attributes.type).toBe(ROCKETMQ_EVENT_TYPE);
    expect(event.data).toEqual(body);
    expect(event.attributes.datacontenttype).toBeUndefined();
    expect(event.attributes.rocketmqpropertycecontenttype).toBe('application/cloudevents+json');
  });

  it('structured wins over CE_specversion', () => {
    const event = map(message({
      properties: props({ ...binaryProps, CE_contenttype: 'application/cloudevents+json' }),
      body: Buffer.from(JSON.stringify(minimalJson)),
    }));
    expect(event.attributes.id).toBe('evt-9');
  });

  it('another CloudEvents format (batch) → built event, even with CE_specversion', () => {
    const event = map(message({ properties: props({ ...binaryProps, CE_contenttype: 'application/cloudevents-batch+json' }), body: Buffer.from('[]') }));
    expect(event.attributes.type).toBe(ROCKETMQ_EVENT_TYPE);
    expect(event.attributes.rocketmqpropertycecontenttype).toBe('application/cloudevents-batch+json');
  });

  it('content-type property casing: a lower-case ce_contenttype does not make a structured CE, but is the built datacontenttype', () => {
    const event = map(message({ properties: props({ ce_contenttype: 'application/cloudevents+json' }), body: Buffer.from(JSON.stringify(minimalJson)) }));
    expect(event.attributes.type).toBe(ROCKETMQ_EVENT_TYPE);
    expect(event.attributes.datacontenttype).toBeUndefined(); // a CloudEvents format is never a built event's content type
    const plain = map(message({ properties: props({ ce_contenttype: 'Text/Plain' }) }));
    expect(plain.attributes.datacontenttype).toBe('text/plain');
  });

  it.each([
    ['Order-Id', 'rocketmqpropertyorderid'],
    ['My-Header_1', 'rocketmqpropertymyheader1'],
    ['UNIQ_KEY', 'rocketmqpropertyuniqkey'],
    ['城市', 'rocketmqproperty'],
    ['__proto__', 'rocketmqpropertyproto'],
  ])('property name normalization: %s → %s', (name, extension) => {
    expect(rocketmqPropertyExtensionName(name)).toBe(extension);
    expect(map(message({ properties: props({ [name]: 'v' }) })).attributes[extension]).toBe('v');
  });

  it('two property names that normalize alike: the later one in the map wins', () => {
    const event = map(message({ properties: new Map([['order-id', 'a'], ['Order_Id', 'b']]) }));
    expect(event.attributes.rocketmqpropertyorderid).toBe('b');
  });

  it('a message without an id is refused (a broker never delivers one)', () => {
    expect(() => messageToEvent(message({ messageId: '' }), context)).toThrow(/no message id/);
  });

  it('a non-integer queue position is a contract error', () => {
    expect(() => messageToEvent(message({ offset: 1.5 }), context)).toThrow(TypeError);
  });

  it('decodeMessageAsCloudEvent returns undefined for a plain message', () => {
    expect(decodeMessageAsCloudEvent({ properties: props({ a: 'b' }), body: Buffer.from('x') })).toBeUndefined();
  });
});

describe('RocketMQSource with the official client', () => {
  // Builds a MessageView the way the client does on receive: from the protobuf message.
  function messageView(build: (system: any, message: any) => void): MessageView {
    const require = createRequire(import.meta.url);
    const { MessageView: View } = require('rocketmq-client-nodejs');
    const pb = require('rocketmq-client-nodejs/proto/apache/rocketmq/v2/definition_pb');
    const clientRequire = createRequire(require.resolve('rocketmq-client-nodejs'));
    const { Timestamp } = clientRequire('google-protobuf/google/protobuf/timestamp_pb');
    const proto = new pb.Message();
    const topic = new pb.Resource();
    topic.setName('chat');
    proto.setTopic(topic);
    const system = new pb.SystemProperties();
    const digest = new pb.Digest();
    digest.setType(pb.DigestType.DIGEST_TYPE_UNSPECIFIED);
    system.setBodyDigest(digest);
    system.setMessageId('01ABC');
    const born = new Timestamp();
    born.fromDate(new Date(1700000000123));
    system.setBornTimestamp(born);
    system.setBornHost('10.0.0.1');
    system.setQueueOffset(17);
    system.setDeliveryAttempt(1);
    proto.setSystemProperties(system);
    proto.setBody(Buffer.from('hello'));
    build(system, proto);
    return new View(proto);
  }

  it('a plain message with tag, keys, group and a property', () => {
    const view = messageView((system, proto) => {
      system.setTag('TagA');
      system.setKeysList(['k1', 'k2']);
      system.setMessageGroup('room-1');
      proto.getUserPropertiesMap().set('Order-Id', '77');
    });
    const event = map(view);
    expect({ ...event.attributes }).toEqual({
      specversion: '1.0', id: '01ABC', source: SOURCE, type: ROCKETMQ_EVENT_TYPE, subject: 'TagA',
      time: '2023-11-14T22:13:20.123Z', rocketmqpropertyorderid: '77', rocketmqtag: 'TagA', rocketmqkeys: 'k1 k2',
      rocketmqmessagegroup: 'room-1', partitionkey: 'room-1', rocketmqqueueoffset: '17',
    });
    expect(event.data?.toString()).toBe('hello');
  });

  it('a message without tag or group: the client reports them as empty strings, which count as absent', () => {
    const event = map(messageView(() => {}));
    expect(event.attributes.subject).toBeUndefined();
    expect(event.attributes.rocketmqtag).toBeUndefined();
    expect(event.attributes.partitionkey).toBeUndefined();
  });

  it('a binary CloudEvent, as sdk-java writes one', () => {
    const view = messageView((_, proto) => {
      const properties = proto.getUserPropertiesMap();
      for (const [name, value] of Object.entries({ ...binaryProps, CE_contenttype: 'text/plain' })) properties.set(name, value);
    });
    const event = map(view);
    expect(event.attributes.id).toBe('evt-1');
    expect(event.attributes.datacontenttype).toBe('text/plain');
    expect(event.data?.toString()).toBe('hello');
  });
});
