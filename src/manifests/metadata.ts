import type { FieldReader } from './fields.js';
import type { DocumentLocation } from './problems.js';

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface ObjectMeta {
  readonly name: string;
  readonly namespace: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly labels: Readonly<Record<string, string>>;
}

/** What every manifest object has: where it came from, its kind and its metadata. */
export interface ManifestObject {
  readonly location: DocumentLocation;
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta;
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind} ${namespace}/${name}`;
}

export function readMetadata(reader: FieldReader): ObjectMeta | undefined {
  const name = reader.string('name', { required: true, pattern: DNS1123_SUBDOMAIN, patternHelp: 'lower-case letters, digits, "-" and "."' });
  const namespace = reader.string('namespace', { pattern: DNS1123_LABEL, patternHelp: 'lower-case letters, digits and "-"' }) ?? 'default';
  const annotations = reader.stringMap('annotations') ?? {};
  const labels = reader.stringMap('labels') ?? {};
  // Other ObjectMeta fields (uid, generation, ownerReferences…) are the cluster's business.
  if (name === undefined) return undefined;
  if (name.length > 253) {
    reader.error('name', 'must be at most 253 characters');
    return undefined;
  }
  return { name, namespace, annotations, labels };
}
