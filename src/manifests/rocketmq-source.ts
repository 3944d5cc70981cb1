import type { FieldReader } from './fields.js';
import type { ManifestObject } from './metadata.js';
import { readSourceCommon, type SourceCommon } from './source-spec.js';

/**
 * A RocketMQSource (sources.eventyard.dev/v1alpha1): this project's own CRD, shipped in sources/,
 * modelled on KafkaSource. Upstream Knative has no maintained RocketMQ source (knative-spec §6).
 */
export interface RocketMQSourceManifest extends ManifestObject, SourceCommon {
  readonly kind: 'RocketMQSource';
  /** The RocketMQ 5 proxy's gRPC endpoints, `host:port[;host:port]`. */
  readonly endpoints: string;
  readonly topic: string;
  readonly consumerGroup: string;
  /** Tag filter expression: `*`, `a`, `a || b`. */
  readonly tag: string;
}

export const ROCKETMQ_SOURCE_API = 'sources.eventyard.dev/v1alpha1';

export function readRocketMQSourceSpec(spec: FieldReader | undefined, base: ManifestObject): RocketMQSourceManifest | undefined {
  if (!spec) return undefined;
  const endpoints = spec.string('endpoints', { required: true });
  const topic = spec.string('topic', { required: true });
  const consumerGroup = spec.string('consumerGroup') ?? `eventyard-rocketmq-source-${base.metadata.namespace}-${base.metadata.name}`;
  const tag = spec.string('tag') ?? '*';
  const common = readSourceCommon(spec, base.metadata.namespace);
  spec.rejectUnknown();
  if (!endpoints || !topic || !common || spec.problems.hasErrors) return undefined;
  return { ...base, ...common, kind: 'RocketMQSource', endpoints, topic, consumerGroup, tag };
}
