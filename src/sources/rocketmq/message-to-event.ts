/**
 * RocketMQSource (`sources.eventyard.dev/v1alpha1`, this project's own CRD: Knative has no upstream
 * RocketMQ source, research/knative-spec.md §6): one RocketMQ message → one CloudEvent. Pure: no I/O.
 *
 * Built to read like the KafkaSource mapping (../kafka/record-to-event.ts): a message that already is a
 * CloudEvent is taken as it is; any other message becomes an event built from its metadata; both then
 * get their position and the ceOverrides. "Already a CloudEvent" follows the CloudEvents RocketMQ
 * binding as cloudevents/sdk-java implements it (the spec text was a 2018 draft that never merged):
 * user properties `CE_<attribute>`, and `CE_contenttype` for the content type. MAPPING.md has the table.
 */
import { attributeRecord, type OwnedCloudEvent } from '../../events/event.js';
import { decodeStructured } from '../../events/json-format.js';
import { mediaTypeOf } from '../../events/media-type.js';
import { InvalidEventError, isSpecVersion, validateAttributes } from '../../events/validate.js';
import { applyCeOverrides, builtContentType, epochMillisToTime, extensionNameSuffix } from '../kafka/record-to-event.js';

/** `type` of an event built from a message that is not a CloudEvent. */
export const ROCKETMQ_EVENT_TYPE = 'dev.eventyard.rocketmq.message';
/** Prefix of the extension each user property becomes in a built event. */
export const ROCKETMQ_PROPERTY_EXTENSION_PREFIX = 'rocketmqproperty';
/** The binding's prefix for attribute properties, and its content-type property. */
export const CE_PROPERTY_PREFIX = 'CE_';
export const CE_CONTENT_TYPE_PROPERTY = 'CE_contenttype';

/**
 * The fields of rocketmq-client-nodejs's MessageView that the mapping reads; a MessageView is one.
 * MessageView does not keep the queue id (nor the store timestamp or host): a caller that knows the
 * queue id, e.g. from the message's system properties, passes it as `queueId`.
 */
export interface RocketMQMessage {
  readonly messageId: string;
  readonly topic: string;
  readonly body: Buffer;
  readonly properties: ReadonlyMap<string, string>;
  readonly tag?: string | undefined;
  readonly keys?: readonly string[] | undefined;
  readonly messageGroup?: string | undefined;
  /** When the producer sent the message. */
  readonly bornTimestamp?: Date | undefined;
  /** Queue offset. */
  readonly offset?: number | undefined;
  readonly queueId?: number | undefined;
}

export interface RocketMQSourceContext {
  /** Namespace of the RocketMQSource. */
  readonly namespace: string;
  /** Name of the RocketMQSource. */
  readonly name: string;
  /** `spec.ceOverrides.extensions`. */
  readonly ceOverrides?: Readonly<Record<string, string>> | undefined;
}

/** The message → event mapping: the message's own CloudEvent if it is one, else an event built from it. */
export function messageToEvent(message: RocketMQMessage, context: RocketMQSourceContext): OwnedCloudEvent {
  const event = decodeMessageAsCloudEvent(message) ?? buildEventFromMessage(message, context);
  addRocketMQPosition(event.attributes, message);
  applyCeOverrides(event.attributes, context.ceOverrides);
  return event;
}

// ---------------------------------------------------------------------------------------------
// A message that already is a CloudEvent

const STRUCTURED_JSON = 'application/cloudevents+json';
/** sdk-java's writer sends this one NUL byte as the body of an event without data: RocketMQ refuses empty bodies. */
const EMPTY_BODY_MARKER = Buffer.from([0]);

/**
 * The message's CloudEvent, or undefined when it is not a valid one (then an event is built).
 *
 * Structured: `CE_contenttype` is `application/cloudevents+json` (media type compared
 * case-insensitively, parameters ignored) and the body is the JSON event. Binary: `CE_specversion` is
 * 1.0 or 0.3; every `CE_<name>` property is attribute `<name>`, the name taken as written, as sdk-java
 * does (so `CE_Type` is no attribute name and the message is not a valid CloudEvent), and
 * `CE_contenttype` is datacontenttype. Property names are case-sensitive in RocketMQ and here.
 */
export function decodeMessageAsCloudEvent(message: Pick<RocketMQMessage, 'properties' | 'body'>): OwnedCloudEvent | undefined {
  const { properties, body } = message;
  const contentType = properties.get(CE_CONTENT_TYPE_PROPERTY);
  if (contentType !== undefined) {
    const mediaType = mediaTypeOf(contentType);
    if (mediaType === STRUCTURED_JSON) return tryDecode(() => decodeStructured(body));
    // Another CloudEvents format (batch, avro, …) cannot be read, so the message is not a CloudEvent here.
    if (mediaType.startsWith('application/cloudevents')) return undefined;
  }

  const specversion = properties.get(`${CE_PROPERTY_PREFIX}specversion`);
  if (!isSpecVersion(specversion)) return undefined;
  const attributes = attributeRecord();
  for (const [name, value] of properties) {
    if (name.length > CE_PROPERTY_PREFIX.length && name.startsWith(CE_PROPERTY_PREFIX)) {
      attributes[name.slice(CE_PROPERTY_PREFIX.length)] = value;
    }
  }
  delete attributes.contenttype;
  // CE_contenttype is the binding's content-type property; it wins over a CE_datacontenttype.
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  attributes.specversion = specversion;
  const event = tryDecode(() => {
    validateAttributes(attributes);
    return { attributes, data: body.length > 0 && !body.equals(EMPTY_BODY_MARKER) ? body : undefined };
  });
  return event;
}

function tryDecode(decode: () => OwnedCloudEvent): OwnedCloudEvent | undefined {
  try {
    return decode();
  } catch (err) {
    if (err instanceof InvalidEventError) return undefined;
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// An event built from a message that is not a CloudEvent

/** The event built from a message that is not a valid CloudEvent (before the position and ceOverrides). */
export function buildEventFromMessage(message: RocketMQMessage, context: RocketMQSourceContext): OwnedCloudEvent {
  if (message.messageId === '') {
    // RocketMQ rejects a message without an id at send time, so this is not a message a broker delivers.
    throw new TypeError(`RocketMQ message on topic "${message.topic}" has no message id`);
  }
  const attributes = attributeRecord();
  attributes.specversion = '1.0';
  attributes.id = message.messageId;
  attributes.source = `/apis/v1/namespaces/${context.namespace}/rocketmqsources/${context.name}#${message.topic}`;
  attributes.type = ROCKETMQ_EVENT_TYPE;
  const tag = nonEmpty(message.tag);
  if (tag !== undefined) attributes.subject = tag;
  const time = message.bornTimestamp ? epochMillisToTime(message.bornTimestamp.getTime()) : undefined;
  if (time !== undefined) attributes.time = time;

  let contentType: string | undefined;
  for (const [name, value] of message.properties) {
    // Any spelling of CE_contenttype carries datacontenttype, as any spelling of content-type does for Kafka.
    if (name.toLowerCase() === CE_CONTENT_TYPE_PROPERTY.toLowerCase()) contentType = value;
    else attributes[rocketmqPropertyExtensionName(name)] = value;
  }
  if (contentType !== undefined) {
    const usable = builtContentType(contentType);
    if (usable !== undefined) attributes.datacontenttype = usable;
    else attributes[rocketmqPropertyExtensionName(CE_CONTENT_TYPE_PROPERTY)] = contentType;
  }

  if (tag !== undefined) attributes.rocketmqtag = tag;
  const keys = (message.keys ?? []).filter((key) => key !== '');
  // Space-separated, as RocketMQ itself joins keys in its KEYS property.
  if (keys.length > 0) attributes.rocketmqkeys = keys.join(' ');
  const group = nonEmpty(message.messageGroup);
  if (group !== undefined) {
    attributes.rocketmqmessagegroup = group;
    // The group orders messages as a Kafka key does, so it is the partition key, as a Kafka key is.
    attributes.partitionkey = group;
  }

  return { attributes, data: message.body.length > 0 ? message.body : undefined };
}

/** `rocketmqproperty` + the property name lower-cased and stripped to [a-z0-9]: `Order-Id` → `rocketmqpropertyorderid`. */
export function rocketmqPropertyExtensionName(propertyName: string): string {
  return ROCKETMQ_PROPERTY_EXTENSION_PREFIX + extensionNameSuffix(propertyName);
}

// ---------------------------------------------------------------------------------------------
// Every event, a CloudEvent or built

function addRocketMQPosition(attributes: Record<string, string>, message: Pick<RocketMQMessage, 'queueId' | 'offset'>): void {
  if (message.queueId !== undefined) attributes.rocketmqqueueid = integerString(message.queueId, 'queueId');
  if (message.offset !== undefined) attributes.rocketmqqueueoffset = integerString(message.offset, 'offset');
}

function integerString(value: number, field: string): string {
  if (!Number.isSafeInteger(value)) throw new TypeError(`RocketMQ message ${field} must be an integer (got ${value})`);
  return String(value);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
