import { isObject } from './fields.js';

/** A JSON Schema node as found in a CRD (OpenAPI v3 subset plus `x-kubernetes-*`) or built from one. */
export type SchemaNode = Record<string, unknown>;

/** What the registry needs from one apiextensions.k8s.io/v1 CustomResourceDefinition. */
export interface CrdDefinition {
  /** `<plural>.<group>`, the CRD's metadata.name. */
  readonly name: string;
  readonly group: string;
  readonly kind: string;
  readonly plural: string;
  readonly scope: 'Namespaced' | 'Cluster';
  readonly storageVersion: string;
  /** openAPIV3Schema of each served version, keyed by version name; versions with served: false are left out. */
  readonly schemas: Readonly<Record<string, SchemaNode>>;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const KIND = /^[A-Za-z][A-Za-z0-9]*$/;

/**
 * Reads a CustomResourceDefinition document, checking what the API server checks on the fields this
 * project relies on. Returns the definition, or one message listing everything wrong.
 */
export function parseCrd(doc: unknown): CrdDefinition | string {
  if (!isObject(doc)) return 'a CustomResourceDefinition must be a YAML mapping';
  const errors: string[] = [];
  if (doc.kind !== 'CustomResourceDefinition') errors.push(`kind must be CustomResourceDefinition, got ${JSON.stringify(doc.kind)}`);
  if (doc.apiVersion === 'apiextensions.k8s.io/v1beta1') {
    errors.push('apiVersion apiextensions.k8s.io/v1beta1 was removed in Kubernetes 1.22; use apiextensions.k8s.io/v1 (versions[].schema.openAPIV3Schema)');
  } else if (doc.apiVersion !== 'apiextensions.k8s.io/v1') {
    errors.push(`apiVersion must be apiextensions.k8s.io/v1, got ${JSON.stringify(doc.apiVersion)}`);
  }
  const metadata = isObject(doc.metadata) ? doc.metadata : {};
  const spec = isObject(doc.spec) ? doc.spec : undefined;
  if (!spec) return [...errors, 'spec is required'].join('; ');

  const group = typeof spec.group === 'string' ? spec.group : '';
  // The API server wants a fully qualified group: a DNS subdomain with at least one dot.
  if (!DNS1123_SUBDOMAIN.test(group) || !group.includes('.')) errors.push(`spec.group must be a DNS subdomain with a dot (e.g. sources.example.dev), got ${JSON.stringify(spec.group)}`);
  const names = isObject(spec.names) ? spec.names : {};
  const kind = typeof names.kind === 'string' ? names.kind : '';
  const plural = typeof names.plural === 'string' ? names.plural : '';
  if (!KIND.test(kind)) errors.push(`spec.names.kind must be a CamelCase kind, got ${JSON.stringify(names.kind)}`);
  if (!DNS1123_LABEL.test(plural)) errors.push(`spec.names.plural must be lower-case letters, digits and "-", got ${JSON.stringify(names.plural)}`);
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (plural && group && name !== `${plural}.${group}`) errors.push(`metadata.name must be "${plural}.${group}" (<plural>.<group>), got ${JSON.stringify(metadata.name)}`);
  const scope = spec.scope;
  if (scope !== 'Namespaced' && scope !== 'Cluster') errors.push(`spec.scope must be Namespaced or Cluster, got ${JSON.stringify(scope)}`);

  const schemas: Record<string, SchemaNode> = {};
  const storage: string[] = [];
  if (!Array.isArray(spec.versions) || spec.versions.length === 0) {
    errors.push('spec.versions must list at least one version');
  } else {
    spec.versions.forEach((v: unknown, i: number) => {
      const at = `spec.versions[${i}]`;
      if (!isObject(v) || typeof v.name !== 'string' || !DNS1123_LABEL.test(v.name)) {
        errors.push(`${at}.name must be a version name such as v1alpha1`);
        return;
      }
      if (typeof v.served !== 'boolean') errors.push(`${at}.served must be true or false`);
      if (typeof v.storage !== 'boolean') errors.push(`${at}.storage must be true or false`);
      if (v.storage === true) storage.push(v.name);
      const schema = isObject(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (!isObject(schema)) errors.push(`${at}.schema.openAPIV3Schema is required in apiextensions.k8s.io/v1`);
      else if (schema.type !== 'object') errors.push(`${at}.schema.openAPIV3Schema.type must be object`);
      else if (v.served === true) schemas[v.name] = schema;
    });
    if (storage.length !== 1) errors.push(`exactly one version must have storage: true, found ${storage.length}`);
  }
  if (errors.length > 0) return errors.join('; ');
  return { name, group, kind, plural, scope: scope as 'Namespaced' | 'Cluster', storageVersion: storage[0] as string, schemas };
}

/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = ['items', 'additionalProperties', 'not'] as const;
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ['anyOf', 'oneOf', 'allOf'] as const;
/** Keywords whose value maps names to schemas (the names are data, not keywords). */
const SCHEMA_MAP_KEYWORDS = ['properties', 'patternProperties', 'definitions', '$defs'] as const;

/**
 * Returns a copy of a schema with every node rebuilt by `visit`, children first. It walks only schema
 * positions, so a property that happens to be named `description` stays a property.
 */
export function mapSchema(node: unknown, visit: (node: SchemaNode) => SchemaNode): unknown {
  if (Array.isArray(node)) return node.map((n) => mapSchema(n, visit));
  if (!isObject(node)) return node;
  const out: SchemaNode = { ...node };
  for (const key of SCHEMA_KEYWORDS) if (isObject(out[key]) || Array.isArray(out[key])) out[key] = mapSchema(out[key], visit);
  for (const key of SCHEMA_LIST_KEYWORDS) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map((n) => mapSchema(n, visit));
  for (const key of SCHEMA_MAP_KEYWORDS) {
    const map = out[key];
    if (isObject(map)) out[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, mapSchema(v, visit)]));
  }
  return visit(out);
}

/** Drops documentation (`description`) from every schema node: it is most of a CRD's bytes and no rule. */
export function stripDescriptions(schema: unknown): unknown {
  return mapSchema(schema, (node) => {
    const { description: _description, ...rest } = node;
    return rest;
  });
}
