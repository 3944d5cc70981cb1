import type { KafkaKeyType } from '../sources/kafka/record-to-event.js';
import { KAFKA_KEY_TYPE_LABEL, keyTypeFromLabel } from '../sources/kafka/record-to-event.js';
import type { FieldReader } from './fields.js';
import type { ManifestObject } from './metadata.js';
import { readSourceCommon, type SourceCommon } from './source-spec.js';

/** A KafkaSource (sources.knative.dev/v1beta1), with Knative's defaults applied (knative-spec §5). */
export interface KafkaSourceManifest extends ManifestObject, SourceCommon {
  readonly kind: 'KafkaSource';
  readonly bootstrapServers: readonly string[];
  readonly topics: readonly string[];
  readonly consumerGroup: string;
  readonly initialOffset: 'earliest' | 'latest';
  readonly consumers: number;
  readonly ordering: 'ordered' | 'unordered';
  readonly keyType: KafkaKeyType;
}

export const KAFKA_SOURCE_APIS = ['sources.knative.dev/v1beta1', 'sources.knative.dev/v1'];

export function readKafkaSourceSpec(spec: FieldReader | undefined, base: ManifestObject): KafkaSourceManifest | undefined {
  if (!spec) return undefined;
  const strings = (key: string): string[] | undefined => {
    const list = spec.list(key);
    if (!list) {
      spec.error(key, 'is required');
      return undefined;
    }
    if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
      spec.error(key, 'must be a non-empty list of non-empty strings');
      return undefined;
    }
    return list as string[];
  };
  const bootstrapServers = strings('bootstrapServers')?.flatMap((s) => s.split(',').map((x) => x.trim()));
  const topics = strings('topics');
  // On a cluster the default group is knative-kafka-source-<uid>, fixed at creation. Locally a
  // stable name keeps committed offsets across restarts of `dev`, which is what a uid gives there.
  const consumerGroup = spec.string('consumerGroup') ?? `knative-kafka-source-${base.metadata.namespace}-${base.metadata.name}`;
  const initialOffset = spec.oneOf('initialOffset', ['earliest', 'latest'] as const) ?? 'latest';
  const consumers = spec.integer('consumers', { min: 1, max: 2147483647 }) ?? 1;
  const ordering = spec.oneOf('ordering', ['ordered', 'unordered'] as const) ?? 'ordered';
  if (spec.has('net')) {
    spec.raw('net');
    spec.warn('net', 'SASL and TLS come from cluster Secrets; the local runtime connects in plain text (set EVENTYARD_KAFKA_BOOTSTRAP_SERVERS to a local Kafka)');
  }
  const common = readSourceCommon(spec, base.metadata.namespace);
  spec.rejectUnknown();
  const label = base.metadata.labels[KAFKA_KEY_TYPE_LABEL];
  const keyType = keyTypeFromLabel(label);
  if (label !== undefined && keyType === 'string' && label !== 'string') {
    spec.problems.warn(`metadata.labels.${KAFKA_KEY_TYPE_LABEL}`, `"${label}" is not one of string, int, float, byte-array; keys are read as strings`);
  }
  if (!bootstrapServers || !topics || !common || spec.problems.hasErrors) return undefined;
  return { ...base, ...common, kind: 'KafkaSource', bootstrapServers, topics, consumerGroup, initialOffset, consumers, ordering, keyType };
}
