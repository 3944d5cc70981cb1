import type { SchemaNode } from './crd-definition.js';
import { isObject } from './fields.js';

/** Which schema a rule is looking at. */
export interface SchemaContext {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/**
 * A fact the webhook (or the Go type behind it) enforces that the CRD's schema does not say, added to
 * the compiled schema. Each one is transcribed from upstream Go code, named in `source`; nothing here is
 * an eventyard rule.
 */
export interface WebhookRule {
  readonly source: string;
  readonly group?: string;
  readonly kinds?: readonly string[];
  /** Dotted schema path (`[]` for list items), or a test on the node's shape. */
  readonly at: string | ((node: SchemaNode) => boolean);
  /** Returns the amended node; `defs` collects shared definitions for `$ref` (root `$defs`). */
  readonly apply: (node: SchemaNode, defs: Record<string, SchemaNode>) => SchemaNode;
}

/** Go `map[string]string`: the CRD says "any object", the webhook's JSON decode wants string values. */
const stringMap = (extra: SchemaNode = {}) => (): SchemaNode => ({ type: 'object', additionalProperties: { type: 'string' }, ...extra });

/** ajv format name for ISO-8601 durations as Knative parses them (rickb777/date period). */
export const ISO8601_DURATION = 'iso8601-duration';

/** Trigger attribute names (trigger_validation.go validAttributeName). */
export const TRIGGER_ATTRIBUTE_NAME = '^[a-z][a-z0-9]*$';

function withProperty(node: SchemaNode, key: string, patch: SchemaNode): SchemaNode {
  const properties = isObject(node.properties) ? node.properties : {};
  const current = isObject(properties[key]) ? properties[key] : { type: 'string' };
  return { ...node, properties: { ...properties, [key]: { ...current, ...patch } } };
}

function hasProperties(node: SchemaNode, keys: readonly string[]): boolean {
  return isObject(node.properties) && keys.every((k) => k in (node.properties as SchemaNode));
}

export const WEBHOOK_RULES: readonly WebhookRule[] = [
  {
    // duck/v1 DeliverySpec, wherever a CRD embeds it. Broker, Channel and Subscription CRDs list only
    // four of its fields and mark it x-kubernetes-preserve-unknown-fields so the others reach the Go type.
    source: 'knative/eventing pkg/apis/duck/v1/delivery_types.go (DeliverySpec, Validate)',
    at: (node) => hasProperties(node, ['deadLetterSink', 'retry', 'backoffPolicy', 'backoffDelay']),
    apply: (node) => {
      let out = withProperty(node, 'retry', { minimum: 0 });
      out = withProperty(out, 'backoffPolicy', { enum: ['linear', 'exponential'] });
      out = withProperty(out, 'format', { enum: ['json', 'binary'] });
      // timeout and retryAfterMax are gated by config-features (delivery-timeout on, delivery-retryafter
      // off by default), but the Go type has them: they are no unknown fields.
      for (const key of ['backoffDelay', 'timeout', 'retryAfterMax']) out = withProperty(out, key, { format: ISO8601_DURATION });
      return out;
    },
  },
  {
    source: 'knative-extensions/eventing-kafka-broker control-plane/pkg/apis/sources/v1beta1/kafka_validation.go',
    group: 'sources.knative.dev',
    kinds: ['KafkaSource'],
    at: 'spec',
    apply: (node) => withProperty(withProperty(node, 'initialOffset', { enum: ['earliest', 'latest'] }), 'ordering', { enum: ['ordered', 'unordered'] }),
  },
  {
    source: 'knative/eventing pkg/apis/eventing/v1/trigger_types.go (Filter.Attributes map[string]string), trigger_validation.go',
    group: 'eventing.knative.dev',
    kinds: ['Trigger'],
    at: 'spec.filter.attributes',
    apply: stringMap({ propertyNames: { pattern: TRIGGER_ATTRIBUTE_NAME } }),
  },
  ...(['exact', 'prefix', 'suffix'] as const).map(
    (dialect): WebhookRule => ({
      source: 'knative/eventing pkg/apis/eventing/v1/trigger_types.go (SubscriptionsAPIFilter), trigger_validation.go',
      group: 'eventing.knative.dev',
      kinds: ['Trigger'],
      at: `spec.filters[].${dialect}`,
      apply: stringMap({ propertyNames: { pattern: TRIGGER_ATTRIBUTE_NAME } }),
    }),
  ),
  {
    // all/any/not hold filters of the same type; a CRD schema cannot recurse, so it leaves them open.
    source: 'knative/eventing pkg/apis/eventing/v1/trigger_types.go (SubscriptionsAPIFilter is recursive)',
    group: 'eventing.knative.dev',
    kinds: ['Trigger'],
    at: 'spec.filters[]',
    apply: (node, defs) => {
      const ref: SchemaNode = { $ref: '#/$defs/subscriptionsAPIFilter' };
      const properties = isObject(node.properties) ? node.properties : {};
      const out = { ...node, properties: { ...properties, all: { type: 'array', items: ref }, any: { type: 'array', items: ref }, not: ref } };
      defs.subscriptionsAPIFilter = out;
      return ref;
    },
  },
  {
    source: 'knative.dev/pkg apis/duck/v1/source_types.go (CloudEventOverrides.Extensions map[string]string)',
    group: 'sources.knative.dev',
    at: 'spec.ceOverrides.extensions',
    apply: stringMap(),
  },
  {
    source: 'k8s.io/apimachinery LabelSelector.MatchLabels map[string]string',
    group: 'sources.knative.dev',
    kinds: ['SinkBinding'],
    at: 'spec.subject.selector.matchLabels',
    apply: stringMap(),
  },
  {
    source: 'knative/serving pkg/apis/serving/k8s_validation.go (validate, validateContainerPorts, validateContainerPortBasic)',
    group: 'serving.knative.dev',
    kinds: ['Service'],
    at: 'spec.template.spec.containers[]',
    apply: (node) => {
      const out = withProperty(node, 'terminationMessagePolicy', { enum: ['File', 'FallbackToLogsOnError'] });
      const required = Array.isArray(out.required) ? out.required : [];
      return { ...out, required: [...new Set([...required, 'image'])] };
    },
  },
  {
    source: 'knative/serving pkg/apis/serving/k8s_validation.go (validContainerPorts: name h2c or http1, protocol TCP, port 0-65535)',
    group: 'serving.knative.dev',
    kinds: ['Service'],
    at: 'spec.template.spec.containers[].ports[]',
    apply: (node) => {
      // The Go code also takes "" for both (defaulted to TCP and http1).
      let out = withProperty(node, 'name', { enum: ['h2c', 'http1', ''] });
      out = withProperty(out, 'protocol', { enum: ['TCP', ''] });
      return withProperty(out, 'containerPort', { type: 'integer', minimum: 0, maximum: 65535 });
    },
  },
];

export function ruleApplies(rule: WebhookRule, context: SchemaContext, path: string, node: SchemaNode): boolean {
  if (rule.group !== undefined && rule.group !== context.group) return false;
  if (rule.kinds !== undefined && !rule.kinds.includes(context.kind)) return false;
  return typeof rule.at === 'string' ? rule.at === path : rule.at(node);
}
