import type { SchemaNode } from './crd-definition.js';
import { ruleApplies, WEBHOOK_RULES, type SchemaContext, type WebhookRule } from './crd-webhook-rules.js';
import { isObject } from './fields.js';

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

export const DNS1123_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
export const DNS1123_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** Label and annotation keys: an optional DNS-subdomain prefix and "/", then a name (apimachinery IsQualifiedName). */
export const QUALIFIED_NAME = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
export const LABEL_VALUE = '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$';

export interface StrictOptions {
  /** Add `additionalProperties: false` to objects that list properties (the unknown-field pass). */
  readonly closed: boolean;
  /**
   * Close objects marked x-kubernetes-preserve-unknown-fields too. True for Knative's CRDs: their webhook
   * decodes into Go types and rejects unknown fields, whatever the CRD lets through. False for a project's
   * own CRD: no webhook stands behind it, and the API server stores what that marker lets through.
   */
  readonly closePreserved: boolean;
  readonly context: SchemaContext;
  readonly rules?: readonly WebhookRule[];
}

/** Keywords copied as they are; anything else (description, default, x-kubernetes-*) is no rule for us. */
const COPIED = [
  'type', 'enum', 'const', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties', 'required', 'nullable',
] as const;

/**
 * metadata is ObjectMeta: the CRDs leave it untyped or open, the API server checks it. This lists its
 * fields so that a misspelt one is reported, and checks the types and syntax of the ones users write.
 */
export function objectMetaSchema(closed: boolean): SchemaNode {
  const stringOrNull = { type: 'string', nullable: true };
  return {
    type: 'object',
    properties: {
      name: { type: 'string', maxLength: 253, pattern: DNS1123_SUBDOMAIN },
      generateName: { type: 'string' },
      namespace: { type: 'string', maxLength: 63, pattern: DNS1123_LABEL },
      labels: {
        type: 'object',
        propertyNames: { pattern: QUALIFIED_NAME },
        additionalProperties: { type: 'string', maxLength: 63, pattern: LABEL_VALUE },
      },
      annotations: { type: 'object', propertyNames: { pattern: QUALIFIED_NAME }, additionalProperties: { type: 'string' } },
      uid: { type: 'string' },
      resourceVersion: { type: 'string' },
      selfLink: { type: 'string' },
      generation: { type: 'integer' },
      creationTimestamp: stringOrNull,
      deletionTimestamp: stringOrNull,
      deletionGracePeriodSeconds: { type: 'integer' },
      ownerReferences: {
        type: 'array',
        items: {
          type: 'object',
          required: ['apiVersion', 'kind', 'name', 'uid'],
          properties: {
            apiVersion: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, uid: { type: 'string' },
            controller: { type: 'boolean' }, blockOwnerDeletion: { type: 'boolean' },
          },
          ...(closed ? { additionalProperties: false } : {}),
        },
      },
      finalizers: { type: 'array', items: { type: 'string' } },
      // Written by the API server for server-side apply; its inner format is its own business.
      managedFields: { type: 'array', items: { type: 'object' } },
    },
    ...(closed ? { additionalProperties: false } : {}),
  };
}

/** The root's and a pod/revision template's metadata are ObjectMeta. */
function isObjectMeta(path: string): boolean {
  return path === 'metadata' || /(^|\.)template\.metadata$/.test(path);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Turns a CRD's structural schema into a JSON Schema for ajv that reads it as Knative's webhook does:
 * see StrictOptions for unknown fields, ObjectMeta for metadata, formats int32 as bounds, and the
 * webhook rules (crd-webhook-rules.ts) for what the Go code checks beyond the CRD.
 */
export function strictSchema(crdSchema: SchemaNode, options: StrictOptions): SchemaNode {
  const defs: Record<string, SchemaNode> = {};
  const rules = options.rules ?? WEBHOOK_RULES;

  const convert = (node: unknown, path: string): SchemaNode => {
    if (!isObject(node)) return {};
    if (isObjectMeta(path)) return objectMetaSchema(options.closed);
    let out: SchemaNode = {};
    for (const key of COPIED) if (node[key] !== undefined) out[key] = node[key];
    if (node.format === 'int32') {
      out.minimum ??= INT32_MIN;
      out.maximum ??= INT32_MAX;
    }
    // Other formats (int64, byte, date-time…) are not checked: the vendored CRDs use only int32/int64.
    if (node['x-kubernetes-int-or-string'] === true && node.anyOf === undefined) {
      delete out.type;
      out.anyOf = [{ type: 'integer' }, { type: 'string' }];
    }
    if (isObject(node.items)) out.items = convert(node.items, `${path}[]`);
    if (isObject(node.additionalProperties)) out.additionalProperties = convert(node.additionalProperties, `${path}.*`);
    else if (typeof node.additionalProperties === 'boolean') out.additionalProperties = node.additionalProperties;
    for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
      const list = node[key];
      if (Array.isArray(list)) out[key] = list.map((n) => convert(n, path));
    }
    if (isObject(node.not)) out.not = convert(node.not, path);

    const listed = isObject(node.properties);
    let properties: SchemaNode | undefined;
    if (isObject(node.properties)) {
      properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, convert(v, join(path, k))]));
    }
    // An embedded object (x-kubernetes-embedded-resource) and the root carry apiVersion, kind and metadata
    // even where the CRD does not list them: the API server adds them to every schema.
    if (path === '' || node['x-kubernetes-embedded-resource'] === true) {
      properties = {
        ...properties,
        apiVersion: { type: 'string' },
        kind: { type: 'string' },
        metadata: objectMetaSchema(options.closed),
      };
    }
    if (properties) out.properties = properties;

    // The unknown-field pass: an object that lists its fields takes no other, as Knative's webhook decodes
    // into Go types with unknown fields disallowed, even where the CRD says x-kubernetes-preserve-unknown-
    // fields (Trigger spec, delivery, Subscription refs). Left open, because a cluster keeps what it gets:
    //  - metadata (returned above): ObjectMeta, closed to ObjectMeta's own fields by objectMetaSchema;
    //  - objects that list no fields: ContainerSource's pod template, Serving's feature-gated pod fields
    //    (affinity, tolerations…), status.annotations: nothing says which fields they take;
    //  - x-kubernetes-preserve-unknown-fields in a project's own CRD (closePreserved false): no webhook
    //    stands behind it, and the API server stores what that marker lets through.
    const preserved = node['x-kubernetes-preserve-unknown-fields'] === true;
    if (options.closed && listed && out.additionalProperties === undefined && (!preserved || options.closePreserved)) {
      out.additionalProperties = false;
    }
    if (out.nullable !== undefined && out.type === undefined) delete out.nullable;
    for (const rule of rules) if (ruleApplies(rule, options.context, path, out)) out = rule.apply(out, defs);
    return out;
  };

  const root = convert(crdSchema, '');
  return Object.keys(defs).length > 0 ? { ...root, $defs: defs } : root;
}
