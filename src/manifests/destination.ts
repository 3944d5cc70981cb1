import { FieldReader } from './fields.js';

/** A Knative KReference: the object a Destination or a Trigger points at. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Defaults to the namespace of the object that holds the reference. */
  readonly namespace: string;
}

/** duck/v1 Destination: a ref, a URI, or a ref plus a URI relative to the ref's address. */
export type Destination =
  | { readonly ref: ObjectRef; readonly uri?: string }
  | { readonly ref?: undefined; readonly uri: string };

export function readObjectRef(reader: FieldReader, defaultNamespace: string): ObjectRef | undefined {
  const apiVersion = reader.string('apiVersion', { required: true });
  const kind = reader.string('kind', { required: true });
  const name = reader.string('name', { required: true });
  const namespace = reader.string('namespace') ?? defaultNamespace;
  reader.rejectUnknown();
  if (apiVersion === undefined || kind === undefined || name === undefined) return undefined;
  return { apiVersion, kind, name, namespace };
}

export function readDestination(reader: FieldReader, defaultNamespace: string): Destination | undefined {
  const refReader = reader.object('ref');
  const ref = refReader ? readObjectRef(refReader, defaultNamespace) : undefined;
  const uri = reader.string('uri');
  // TLS and OIDC settings are accepted for cluster use; the local runtime speaks plain HTTP.
  reader.string('CACerts');
  reader.string('audience');
  reader.rejectUnknown();
  if (ref) return uri === undefined ? { ref } : { ref, uri };
  if (uri === undefined) {
    if (!refReader) reader.error('', 'needs a "ref" or a "uri"');
    return undefined;
  }
  if (!isAbsoluteHttpUrl(uri)) {
    reader.error('uri', `"${uri}" must be an absolute http(s) URL when there is no ref`);
    return undefined;
  }
  return { uri };
}

export function isAbsoluteHttpUrl(uri: string): boolean {
  return /^https?:\/\//i.test(uri) && URL.canParse(uri);
}

export function describeDestination(destination: Destination): string {
  if (!destination.ref) return destination.uri;
  const { kind, namespace, name } = destination.ref;
  return `${kind} ${namespace}/${name}${destination.uri ? ` + ${destination.uri}` : ''}`;
}
