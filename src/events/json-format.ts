import { attributeRecord, type CloudEvent, type OwnedCloudEvent } from './event.js';
import { rawMemberText } from './json-member.js';
import { isJsonMediaType, isTextMediaType, mediaTypeOf } from './media-type.js';
import { InvalidEventError, isSpecVersion, validateAttributes } from './validate.js';

/** Context attributes whose JSON value must be a string (CloudEvents JSON format §2.2). */
const STRING_ATTRIBUTES = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema', 'schemaurl', 'datacontentencoding']);
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/** Decodes a structured-mode body (`application/cloudevents+json`) into a validated event. */
export function decodeStructured(body: Buffer): OwnedCloudEvent {
  const text = body.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidEventError(`structured event is not valid JSON: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InvalidEventError('structured event must be a JSON object (batches are not supported)');
  }
  const json = parsed as Record<string, unknown>;
  if (!isSpecVersion(json.specversion)) {
    throw new InvalidEventError(`unsupported specversion ${JSON.stringify(json.specversion)} (supported: "1.0", "0.3")`);
  }

  const attributes = attributeRecord();
  for (const [name, value] of Object.entries(json)) {
    if (name === 'data' || name === 'data_base64' || value === null) continue;
    attributes[name] = attributeString(name, value);
  }

  let data: Buffer | undefined;
  const hasData = json.data !== undefined && json.data !== null;
  const hasBase64 = json.data_base64 !== undefined && json.data_base64 !== null;
  if (hasData && hasBase64) throw new InvalidEventError('structured event has both "data" and "data_base64"');
  if (hasBase64) {
    if (typeof json.data_base64 !== 'string') throw new InvalidEventError('"data_base64" must be a string');
    data = Buffer.from(json.data_base64, 'base64');
  } else if (hasData && json.specversion === '0.3' && attributes.datacontentencoding !== undefined) {
    // 0.3 carried binary data as a base64 string in "data"; binary mode carries the bytes themselves.
    if (attributes.datacontentencoding.toLowerCase() !== 'base64' || typeof json.data !== 'string') {
      throw new InvalidEventError('"datacontentencoding" must be "base64", with a string "data"');
    }
    data = Buffer.from(json.data, 'base64');
    delete attributes.datacontentencoding;
  } else if (hasData) {
    data = structuredData(json, text, attributes);
  }
  validateAttributes(attributes);
  return { attributes, data };
}

function structuredData(json: Record<string, unknown>, text: string, attributes: Record<string, string>): Buffer {
  const mediaType = mediaTypeOf(attributes.datacontenttype);
  if (mediaType === '' || isJsonMediaType(mediaType)) {
    // JSON format §3.1: without datacontenttype, a JSON "data" value is application/json.
    if (attributes.datacontenttype === undefined) attributes.datacontenttype = 'application/json';
    return Buffer.from(rawMemberText(text, 'data') ?? stringifyData(json.data), 'utf8');
  }
  return Buffer.from(typeof json.data === 'string' ? json.data : stringifyData(json.data), 'utf8');
}

/**
 * JSON.stringify recurses: a "data" nested a few thousand levels deep (JSON.parse takes any depth)
 * overflows the stack, and that RangeError must be the client's 400, not a crash of the runtime.
 * Go's encoding/json, which Knative's broker uses, refuses more than 10,000 levels too.
 */
function stringifyData(data: unknown): string {
  try {
    return JSON.stringify(data);
  } catch (err) {
    if (err instanceof RangeError) throw new InvalidEventError('"data" is nested too deeply to re-encode; send it with a JSON datacontenttype, or as data_base64');
    throw err;
  }
}

function attributeString(name: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (STRING_ATTRIBUTES.has(name)) throw new InvalidEventError(`attribute "${name}" must be a string`);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return String(value);
  throw new InvalidEventError(
    `extension "${name}" has a ${Array.isArray(value) ? 'list' : typeof value} value; extensions are strings, booleans or 32-bit integers`,
  );
}

/** Encodes an event in structured mode, keeping JSON data verbatim and other data as text or base64. */
export function encodeStructured(event: CloudEvent): Buffer {
  const { attributes, data } = event;
  const v03 = attributes.specversion === '0.3';
  let members = '';
  for (const [name, value] of Object.entries(attributes)) members += `${JSON.stringify(name)}:${JSON.stringify(value)},`;
  if (data !== undefined) {
    const mediaType = mediaTypeOf(attributes.datacontenttype);
    const text = data.toString('utf8');
    if ((mediaType === '' || isJsonMediaType(mediaType)) && isJson(text)) members += `"data":${text},`;
    else if (isTextMediaType(mediaType) && Buffer.byteLength(text) === data.length) members += `"data":${JSON.stringify(text)},`;
    else if (v03) members += `"datacontentencoding":"base64","data":"${data.toString('base64')}",`;
    else members += `"data_base64":"${data.toString('base64')}",`;
  }
  return Buffer.from(`{${members.slice(0, -1)}}`, 'utf8');
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
