import type { CloudEvent } from '../events/event.js';
import { mediaTypeOf } from '../events/media-type.js';

/**
 * The value an attribute filter compares against, or undefined when the event lacks the attribute.
 *
 * Knative's LookupAttribute returns "" for an absent optional context attribute and the Go zero time
 * for an absent `time`; every dialect treats "" like a missing value (an empty filter value is
 * rejected or skipped), so returning undefined is equivalent — except that no filter can match the
 * invented "0001-01-01T00:00:00Z", which is deliberate (README: differences).
 */
export function lookupAttribute(event: CloudEvent, name: string): string | undefined {
  const attributes = event.attributes;
  const value = attributes[name];
  if (value !== undefined) return value;
  switch (name) {
    case 'schemaurl':
      return attributes.dataschema;
    case 'dataschema':
      return attributes.schemaurl;
    case 'datamediatype':
      return attributes.datacontenttype === undefined ? undefined : mediaTypeOf(attributes.datacontenttype);
    default:
      return undefined;
  }
}
