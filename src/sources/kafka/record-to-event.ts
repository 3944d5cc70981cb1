/**
 * KafkaSource: one Kafka record → one CloudEvent, as Knative's KafkaSource data plane does it
 * (research/knative-spec.md §5.11–§5.13; eventing-kafka-broker's CloudEventDeserializer →
 * NullCloudEventInterceptor → InvalidCloudEventInterceptor → CloudEventOverridesMutator, with
 * cloudevents/sdk-java's Kafka binding). Pure: no I/O, no clock.
 *
 * Where this differs from upstream on purpose (each one keeps the event deliverable) the code says so;
 * MAPPING.md next to this file lists every rule.
 */
import { attributeRecord, type OwnedCloudEvent } from '../../events/event.js';
import { decodeStructured } from '../../events/json-format.js';
import { mediaTypeOf } from '../../events/media-type.js';
import { InvalidEventError, isSpecVersion, isValidMediaType, validateAttributes } from '../../events/validate.js';

/** `type` of an event built from a record that is not a CloudEvent (InvalidCloudEventInterceptor.TYPE). */
export const KAFKA_EVENT_TYPE = 'dev.knative.kafka.event';
/** Prefix of the extension each record header becomes in a built event. */
export const KAFKA_HEADER_EXTENSION_PREFIX = 'kafkaheader';
/** Label on a KafkaSource that says how to read record keys. */
export const KAFKA_KEY_TYPE_LABEL = 'kafkasources.sources.knative.dev/key-type';

export type KafkaKeyType = 'string' | 'int' | 'float' | 'byte-array';

/** A header value as kafkajs hands it over (a Buffer; null when the header has no value). */
export type KafkaHeaderValue = Buffer | string | null | undefined;

/** kafkajs's IHeaders, also allowing the null values its decoder really produces. */
export type KafkaRecordHeaders = Readonly<Record<string, KafkaHeaderValue | readonly KafkaHeaderValue[]>>;

/** A consumed record: kafkajs's KafkaMessage plus the topic and partition of `eachMessage`. */
export interface KafkaRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: KafkaRecordHeaders | undefined;
  /** Epoch milliseconds, as a decimal string (kafkajs). */
  readonly timestamp: string;
  /** A 64-bit offset, as a decimal string (kafkajs). */
  readonly offset: string;
}

export interface KafkaSourceContext {
  /** Namespace of the KafkaSource. */
  readonly namespace: string;
  /** Name of the KafkaSource. */
  readonly name: string;
  /** From the `kafkasources.sources.knative.dev/key-type` label; see keyTypeFromLabel. */
  readonly keyType: KafkaKeyType;
  /** `spec.ceOverrides.extensions`. */
  readonly ceOverrides?: Readonly<Record<string, string>> | undefined;
}

/** The record → event mapping: the record's own CloudEvent if it is one, else an event built from it. */
export function recordToEvent(record: KafkaRecord, context: KafkaSourceContext): OwnedCloudEvent {
  const event = decodeRecordAsCloudEvent(record) ?? buildEventFromRecord(record, context);
  addKafkaPosition(event.attributes, record);
  applyCeOverrides(event.attributes, context.ceOverrides);
  return event;
}

/** The label's value → key type; anything unknown (or no label) reads keys as strings, as Knative does. */
export function keyTypeFromLabel(value: string | undefined): KafkaKeyType {
  return value === 'int' || value === 'float' || value === 'byte-array' ? value : 'string';
}

// ---------------------------------------------------------------------------------------------
// §5.11: a record that already is a CloudEvent (CloudEvents Kafka protocol binding, as sdk-java reads it)

const CONTENT_TYPE_HEADER = 'content-type';
const CE_HEADER_PREFIX = 'ce_';
const STRUCTURED_JSON = 'application/cloudevents+json';

/**
 * The record's CloudEvent, or undefined when the record is not a valid one (then Knative builds one).
 *
 * Header names are matched exactly (Kafka header names are case-sensitive, and sdk-java looks up
 * `content-type` and `ce_specversion` verbatim); the media type is matched case-insensitively, as the
 * binding says. Attribute names come from `ce_<name>` lower-cased; values are the UTF-8 text of the
 * bytes, not percent-decoded (that is HTTP's encoding, not Kafka's).
 */
export function decodeRecordAsCloudEvent(record: Pick<KafkaRecord, 'headers' | 'value'>): OwnedCloudEvent | undefined {
  const headers = headerEntries(record.headers);
  const contentType = lastValue(headers, (name) => name === CONTENT_TYPE_HEADER);
  if (contentType !== undefined) {
    const mediaType = mediaTypeOf(contentType);
    if (mediaType === STRUCTURED_JSON) {
      if (record.value === null) return undefined;
      try {
        return decodeStructured(record.value);
      } catch (err) {
        if (err instanceof InvalidEventError) return undefined;
        throw err;
      }
    }
    // Another CloudEvents format (batch, avro, …): sdk-java cannot read it, so the record is "invalid".
    if (mediaType.startsWith('application/cloudevents')) return undefined;
  }

  const specversion = lastValue(headers, (name) => name === `${CE_HEADER_PREFIX}specversion`);
  if (!isSpecVersion(specversion)) return undefined;
  const attributes = attributeRecord();
  for (const [name, value] of headers) {
    if (name === CONTENT_TYPE_HEADER) attributes.datacontenttype = value;
    else if (name.length > CE_HEADER_PREFIX.length && name.startsWith(CE_HEADER_PREFIX)) {
      attributes[name.slice(CE_HEADER_PREFIX.length).toLowerCase()] = value;
    }
  }
  attributes.specversion = specversion;
  try {
    validateAttributes(attributes);
  } catch (err) {
    if (err instanceof InvalidEventError) return undefined;
    throw err;
  }
  // sdk-java's binary reader treats an empty value like no value: an event without data.
  const data = record.value !== null && record.value.length > 0 ? record.value : undefined;
  return { attributes, data };
}

// ---------------------------------------------------------------------------------------------
// §5.12: an event built from a record that is not a CloudEvent (InvalidCloudEventInterceptor)

/** The event Knative builds from a record that is not a valid CloudEvent (before §5.13). */
export function buildEventFromRecord(record: KafkaRecord, context: KafkaSourceContext): OwnedCloudEvent {
  const attributes = attributeRecord();
  attributes.specversion = '1.0';
  attributes.id = `partition:${record.partition}/offset:${record.offset}`;
  attributes.source = `/apis/v1/namespaces/${context.namespace}/kafkasources/${context.name}#${record.topic}`;
  attributes.type = KAFKA_EVENT_TYPE;
  attributes.subject = `partition:${record.partition}#${record.offset}`;
  const time = kafkaTimestampToTime(record.timestamp);
  if (time !== undefined) attributes.time = time;

  const key = deserializeKey(record.key, context.keyType);
  if (key !== undefined) {
    attributes.key = key;
    attributes.partitionkey = key;
  }

  let contentType: string | undefined;
  for (const [name, value] of headerEntries(record.headers)) {
    // Any spelling of content-type (equalsIgnoreCase upstream) carries datacontenttype, the last one wins.
    if (name.toLowerCase() === CONTENT_TYPE_HEADER) contentType = value;
    else attributes[kafkaHeaderExtensionName(name)] = value;
  }
  if (contentType !== undefined) {
    const usable = builtContentType(contentType);
    if (usable !== undefined) attributes.datacontenttype = usable;
    else attributes[`${KAFKA_HEADER_EXTENSION_PREFIX}contenttype`] = contentType;
  }

  const data = record.value !== null && record.value.length > 0 ? record.value : undefined;
  return { attributes, data };
}

/** `kafkaheader` + the header name lower-cased with everything outside [a-z0-9] removed: `My-Header_1` → `kafkaheadermyheader1`. */
export function kafkaHeaderExtensionName(headerName: string): string {
  return KAFKA_HEADER_EXTENSION_PREFIX + extensionNameSuffix(headerName);
}

/**
 * What is left of a name once it is lower-cased and stripped to [a-z0-9]. Lower-casing goes one UTF-16
 * unit at a time, as Java's Character.toLowerCase does, so `É` is dropped rather than becoming `é`.
 */
export function extensionNameSuffix(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const c = name[i]!.toLowerCase();
    for (const ch of c) if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) out += ch;
  }
  return out;
}

/**
 * datacontenttype of a built event: the header value lower-cased (as upstream does). Two cases keep it
 * as an extension instead, because upstream's event could not be delivered: a value that is no media
 * type (every CloudEvents SDK rejects the event), and a CloudEvents format such as
 * `application/cloudevents+json` whose body did not decode (binary-mode delivery would send that
 * content-type, and the receiver would read the body as a structured event and reject it).
 */
export function builtContentType(value: string): string | undefined {
  const lower = value.toLowerCase();
  if (!isValidMediaType(lower)) return undefined;
  if (mediaTypeOf(lower).startsWith('application/cloudevents')) return undefined;
  return lower;
}

/**
 * The key as an extension value (KeyDeserializer), in the canonical string form an extension has on the
 * wire; undefined for a null or empty key. `int` needs exactly 4 bytes (big-endian int32), `float`
 * 4 (float32) or 8 (float64) bytes; other lengths fall back to the UTF-8 string. Numbers are written
 * as Java's Integer/Float/Double.toString do, since that is what sdk-java puts on the wire.
 */
export function deserializeKey(key: Buffer | null, keyType: KafkaKeyType): string | undefined {
  if (key === null || key.length === 0) return undefined;
  switch (keyType) {
    case 'int':
      return key.length === 4 ? String(key.readInt32BE(0)) : key.toString('utf8');
    case 'float':
      if (key.length === 4) return javaFloatingString(key.readFloatBE(0), true);
      if (key.length === 8) return javaFloatingString(key.readDoubleBE(0), false);
      return key.toString('utf8');
    case 'byte-array':
      return key.toString('base64'); // the CloudEvents Binary type's canonical string
    default:
      return key.toString('utf8');
  }
}

/**
 * Java's Double.toString (float32 false) or Float.toString (float32 true), JDK 19+: the shortest
 * decimal that reads back to the same value; plain notation for 1e-3 ≤ |x| < 1e7, else `d.dddE±n`;
 * always at least one fractional digit (`1.0`, `1.0E10`).
 */
export function javaFloatingString(value: number, float32: boolean): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  const { digits, exponent } = shortestDecimal(abs, float32);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
    const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
    return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exponent}`;
}

/** Significant digits (no trailing zeros) and decimal exponent of the shortest round-tripping decimal. */
function shortestDecimal(abs: number, float32: boolean): { digits: string; exponent: number } {
  const roundTrips = (text: string): boolean => (float32 ? Math.fround(Number(text)) : Number(text)) === abs;
  let chosen: string | undefined;
  if (float32) {
    for (let precision = 1; precision <= 9 && chosen === undefined; precision++) {
      chosen = roundTrippingAt(abs, precision, roundTrips);
    }
  } else {
    chosen = abs.toExponential(); // ECMAScript: shortest, and the closest one among the shortest
  }
  let parsed = parseExponential(chosen!);
  // JDK 19+: when one digit is enough, the closest two-digit decimal is preferred (Double.MIN_VALUE
  // prints 4.9E-324, not 5.0E-324). Only subnormals are affected.
  if (parsed.digits.length === 1) {
    const two = abs.toExponential(1);
    if (roundTrips(two)) parsed = parseExponential(two);
  }
  return parsed;
}

/** The p-digit decimal closest to abs that reads back to it, or the next one on the other side. */
function roundTrippingAt(abs: number, precision: number, roundTrips: (text: string) => boolean): string | undefined {
  const closest = abs.toExponential(precision - 1);
  if (roundTrips(closest)) return closest;
  // At a power of two the rounding interval is lopsided: a neighbour can read back when the closest does not.
  const { digits, exponent } = parseExponential(closest, false);
  for (const delta of [-1n, 1n]) {
    const candidate = `${BigInt(digits) + delta}e${exponent - precision + 1}`;
    if (roundTrips(candidate)) return Number(candidate).toExponential(precision - 1);
  }
  return undefined;
}

function parseExponential(text: string, trim = true): { digits: string; exponent: number } {
  const [mantissa, exp] = text.split('e') as [string, string];
  let digits = mantissa.replace('.', '');
  if (trim) digits = digits.replace(/0+$/, '') || '0';
  return { digits, exponent: Number(exp) };
}

const MAX_RFC3339_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The record timestamp as `time`: UTC, written as sdk-java writes it (ISO_OFFSET_DATE_TIME: no fraction
 * when the milliseconds are zero, no trailing zeros otherwise). Undefined for -1 (Kafka's "no
 * timestamp", which upstream would turn into 1969-12-31T23:59:59.999Z) and for anything that is not a
 * time RFC 3339 can write.
 */
export function kafkaTimestampToTime(timestamp: string): string | undefined {
  if (!/^-?\d+$/.test(timestamp)) return undefined;
  return epochMillisToTime(Number(timestamp));
}

export function epochMillisToTime(ms: number): string | undefined {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_RFC3339_MS) return undefined;
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:mm:ss.sssZ
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction === '' ? '' : `.${fraction}`}Z`;
}

// ---------------------------------------------------------------------------------------------
// §5.13: every event, a CloudEvent or built (CloudEventOverridesMutator)

function addKafkaPosition(attributes: Record<string, string>, record: Pick<KafkaRecord, 'partition' | 'offset'>): void {
  if (!Number.isInteger(record.partition) || !/^\d+$/.test(record.offset)) {
    throw new TypeError(`a Kafka record needs an integer partition and a decimal offset (got ${record.partition}, ${JSON.stringify(record.offset)})`);
  }
  attributes.knativekafkapartition = String(record.partition);
  attributes.knativekafkaoffset = record.offset;
}

const EXTENSION_NAME = /^[a-z0-9]+$/;
/** Context attributes (1.0 and 0.3) and JSON members that an override must not replace. */
const RESERVED_NAMES = new Set([
  'specversion', 'id', 'source', 'type', 'datacontenttype', 'dataschema', 'subject', 'time',
  'schemaurl', 'datacontentencoding', 'data',
]);

/**
 * Sets each `ceOverrides.extensions` entry, replacing an extension of the same name. Entries that are
 * not extensions, or whose value is not a string, are skipped: Knative's webhook lets through names with
 * upper-case letters and names of context attributes, but sdk-go refuses to set them as extensions
 * and sdk-java throws; skipping keeps every event valid. ceOverridesProblems reports them at load.
 */
export function applyCeOverrides(attributes: Record<string, string>, overrides: Readonly<Record<string, string>> | undefined): void {
  if (!overrides) return;
  for (const name of Object.keys(overrides)) {
    const value = overrides[name];
    if (EXTENSION_NAME.test(name) && !RESERVED_NAMES.has(name) && typeof value === 'string') attributes[name] = value;
  }
}

/** One message per `ceOverrides.extensions` entry that applyCeOverrides will skip, for `check`/`dev`. */
export function ceOverridesProblems(overrides: Readonly<Record<string, string>> | undefined): string[] {
  const problems: string[] = [];
  if (!overrides) return problems;
  for (const name of Object.keys(overrides)) {
    if (!EXTENSION_NAME.test(name)) {
      problems.push(`ceOverrides.extensions."${name}": an extension name is lower-case letters and digits only; it is ignored`);
    } else if (RESERVED_NAMES.has(name)) {
      problems.push(`ceOverrides.extensions."${name}": "${name}" is a CloudEvents context attribute, not an extension; it is ignored`);
    } else if (typeof overrides[name] !== 'string') {
      problems.push(`ceOverrides.extensions."${name}": the value must be a string`);
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

/**
 * Headers as [name, UTF-8 text] in record order, values without bytes (null) left out; for a name
 * that kafkajs collected into an array, only its last value (duplicates: last wins, as lastHeader
 * and a map put do upstream).
 */
function headerEntries(headers: KafkaRecordHeaders | undefined): Array<[string, string]> {
  const entries: Array<[string, string]> = [];
  if (!headers) return entries;
  for (const name of Object.keys(headers)) {
    const raw = headers[name];
    const values = Array.isArray(raw) ? (raw as readonly KafkaHeaderValue[]) : [raw as KafkaHeaderValue];
    let last: string | undefined;
    for (const value of values) {
      if (value === null || value === undefined) continue;
      last = typeof value === 'string' ? value : value.toString('utf8');
    }
    if (last !== undefined) entries.push([name, last]);
  }
  return entries;
}

function lastValue(entries: Array<[string, string]>, match: (name: string) => boolean): string | undefined {
  let found: string | undefined;
  for (const [name, value] of entries) if (match(name)) found = value;
  return found;
}
