import type { IncomingHttpHeaders } from 'node:http';
import { attributeRecord, type CloudEvent, type OwnedCloudEvent } from './event.js';
import { decodeStructured, encodeStructured } from './json-format.js';
import { mediaTypeOf } from './media-type.js';
import { InvalidEventError, validateAttributes } from './validate.js';

export const STRUCTURED_MEDIA_TYPE = 'application/cloudevents+json';
const BATCH_MEDIA_TYPE = 'application/cloudevents-batch+json';

export type ContentMode = 'binary' | 'structured';

/**
 * Reads a CloudEvent from an HTTP request or response (CloudEvents HTTP binding 1.0.2).
 * Structured mode wins over `ce-specversion`, as in sdk-go. Throws InvalidEventError with a reason.
 */
export function decodeHttpEvent(headers: IncomingHttpHeaders, body: Buffer): OwnedCloudEvent {
  const contentType = headers['content-type'];
  const mediaType = mediaTypeOf(contentType);
  if (mediaType === STRUCTURED_MEDIA_TYPE) return decodeStructured(body);
  if (mediaType === BATCH_MEDIA_TYPE) throw new InvalidEventError('batched events (application/cloudevents-batch+json) are not supported');
  if (mediaType.startsWith('application/cloudevents+')) {
    throw new InvalidEventError(`unsupported event format "${mediaType}" (supported: ${STRUCTURED_MEDIA_TYPE})`);
  }
  if (headers['ce-specversion'] === undefined) {
    throw new InvalidEventError(`not a CloudEvent: no ce-specversion header, and the content type is not ${STRUCTURED_MEDIA_TYPE}`);
  }
  const attributes = attributeRecord();
  for (const name in headers) {
    if (!name.startsWith('ce-')) continue;
    const value = headers[name];
    attributes[name.slice(3)] = percentDecode(Array.isArray(value) ? value.join(',') : (value ?? ''));
  }
  if (contentType !== undefined) attributes.datacontenttype = contentType;
  validateAttributes(attributes);
  return { attributes, data: body.length > 0 ? body : undefined };
}

/** Returns true when a response carries an event (and so is a reply), false for a plain body. */
export function looksLikeEvent(headers: IncomingHttpHeaders): boolean {
  return headers['ce-specversion'] !== undefined || mediaTypeOf(headers['content-type']).startsWith('application/cloudevents');
}

export interface HttpMessage {
  headers: Record<string, string>;
  body: Buffer | undefined;
}

export function encodeHttpEvent(event: CloudEvent, mode: ContentMode): HttpMessage {
  if (mode === 'structured') {
    return { headers: { 'content-type': STRUCTURED_MEDIA_TYPE }, body: encodeStructured(event) };
  }
  const headers: Record<string, string> = {};
  for (const name in event.attributes) {
    const value = event.attributes[name]!;
    if (name === 'datacontenttype') headers['content-type'] = value;
    else headers[`ce-${name}`] = percentEncode(value);
  }
  return { headers, body: event.data };
}

// HTTP binding §3.1.3.2 asks to percent-encode space, '"', '%' and anything outside printable ASCII.
// Space is left as is: sdk-javascript and sdk-go do not decode header values, so an encoded space
// would reach functions as "%20". The rest cannot travel in an HTTP header otherwise.
const NEEDS_ENCODING = /[^\x20\x21\x23\x24\x26-\x7e]/;

export function percentEncode(value: string): string {
  if (!NEEDS_ENCODING.test(value)) return value;
  let out = '';
  for (const char of value) {
    if (NEEDS_ENCODING.test(char)) {
      for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    } else {
      out += char;
    }
  }
  return out;
}

export function percentDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    // Not valid percent-encoding (e.g. "100%"): the sender meant it literally.
    return value;
  }
}
