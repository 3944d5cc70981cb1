import { SPEC_VERSIONS, type Attributes, type SpecVersion } from './event.js';

/** The event is not a valid CloudEvent; `message` says which attribute and why (it becomes a 400 body). */
export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
}

const EXTENSION_NAME = /^[a-z0-9]+$/;
// RFC 2046 media type: type "/" subtype, optional parameters. Tokens per RFC 7230.
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}(\\s*;\\s*${TOKEN}=(${TOKEN}|"[^"]*"))*\\s*;?\\s*$`);
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const URI_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;

export function isSpecVersion(value: unknown): value is SpecVersion {
  return typeof value === 'string' && (SPEC_VERSIONS as readonly string[]).includes(value);
}

export function isValidMediaType(value: string): boolean {
  return MEDIA_TYPE.test(value);
}

export function isValidTimestamp(value: string): boolean {
  return RFC3339.test(value) && !Number.isNaN(Date.parse(value));
}

/**
 * Checks the rules sdk-go (which Knative's broker uses) applies in Event.Validate, plus the
 * CloudEvents naming rule for extensions, which sdk-javascript and the spec enforce.
 */
export function validateAttributes(attributes: Attributes): void {
  const specversion = attributes.specversion;
  if (!isSpecVersion(specversion)) throw new InvalidEventError(`unsupported specversion "${specversion}" (supported: 1.0, 0.3)`);
  for (const name of ['id', 'source', 'type'] as const) {
    const value = attributes[name];
    if (value === undefined) throw new InvalidEventError(`missing required attribute "${name}"`);
    if (value.trim() === '') throw new InvalidEventError(`required attribute "${name}" is empty`);
  }
  if (attributes.subject !== undefined && attributes.subject === '') {
    throw new InvalidEventError('attribute "subject" is present but empty');
  }
  const contentType = attributes.datacontenttype;
  if (contentType !== undefined && !isValidMediaType(contentType)) {
    throw new InvalidEventError(`attribute "datacontenttype" is not a media type (RFC 2046): "${contentType}"`);
  }
  const schemaName = specversion === '0.3' ? 'schemaurl' : 'dataschema';
  const schema = attributes[schemaName];
  if (schema !== undefined && !(URI_SCHEME.test(schema) && URL.canParse(schema))) {
    throw new InvalidEventError(`attribute "${schemaName}" must be an absolute URI: "${schema}"`);
  }
  if (attributes.time !== undefined && !isValidTimestamp(attributes.time)) {
    throw new InvalidEventError(`attribute "time" is not an RFC 3339 timestamp: "${attributes.time}"`);
  }
  if (specversion === '0.3' && attributes.datacontentencoding !== undefined && attributes.datacontentencoding.toLowerCase() !== 'base64') {
    throw new InvalidEventError(`attribute "datacontentencoding" must be "base64": "${attributes.datacontentencoding}"`);
  }
  for (const name of Object.keys(attributes)) {
    if (!EXTENSION_NAME.test(name)) {
      throw new InvalidEventError(`attribute name "${name}" is invalid: CloudEvents attribute names are lower-case letters and digits only`);
    }
  }
}
