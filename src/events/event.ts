/**
 * A CloudEvent as the broker carries it.
 *
 * Attributes are kept in their canonical string form (CloudEvents type system, §"Type System"): this is
 * how every hop of Knative's MT broker sees them, because it re-encodes each hop as binary HTTP.
 * Data is kept as the exact bytes received, so the broker never alters a payload (Knative spec:
 * "event data MUST NOT be modified").
 */
export type SpecVersion = '1.0' | '0.3';

export const SPEC_VERSIONS: readonly SpecVersion[] = ['1.0', '0.3'];

export type Attributes = Readonly<Record<string, string>>;

export interface CloudEvent {
  /** specversion, id, source, type, optional context attributes and extensions; names lower-case. */
  readonly attributes: Attributes;
  /** The data bytes, or undefined for an event without data. */
  readonly data: Buffer | undefined;
}

/**
 * An event fresh from decoding, not yet shared with anyone: its owner may still stamp attributes on
 * it in place (the broker does, instead of copying every event).
 */
export interface OwnedCloudEvent extends CloudEvent {
  readonly attributes: Record<string, string>;
}

/** Null-prototype record, so that an extension called `constructor` or `__proto__` is just a key. */
export function attributeRecord(entries?: Iterable<[string, string]>): Record<string, string> {
  const record: Record<string, string> = Object.create(null);
  if (entries) for (const [k, v] of entries) record[k] = v;
  return record;
}

/** A copy of the event with some attributes set (a value of undefined removes the attribute). */
export function withAttributes(event: CloudEvent, changes: Record<string, string | undefined>): CloudEvent {
  const attributes: Record<string, string> = Object.assign(Object.create(null), event.attributes);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete attributes[name];
    else attributes[name] = value;
  }
  return { attributes, data: event.data };
}
