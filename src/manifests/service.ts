import { FieldReader, isObject } from './fields.js';
import type { ManifestObject } from './metadata.js';
import { readScaleSettings, type ScaleSettings } from '../serving/scale-settings.js';

/** A Knative Service (serving.knative.dev/v1): what the local runtime needs to run its function. */
export interface ServiceManifest extends ManifestObject {
  readonly kind: 'Service';
  readonly image: string;
  /** Literal environment of the container; values from secrets or config maps exist only on a cluster. */
  readonly env: Readonly<Record<string, string>>;
  /** Hard limit of requests in flight per instance; 0 is unlimited (Knative's default). */
  readonly containerConcurrency: number;
  /** Longest a request may wait for an instance, and then take at it (timeoutSeconds, default 300 s). */
  readonly timeoutMs: number;
  readonly scale: ScaleSettings;
}

export const SERVICE_API = 'serving.knative.dev/v1';

/** Knative's revision-timeout-seconds default. */
export const DEFAULT_TIMEOUT_MS = 300_000;
/** Knative's container-concurrency-max-limit and max-revision-timeout-seconds defaults. */
const MAX_CONTAINER_CONCURRENCY = 1000;
const MAX_TIMEOUT_SECONDS = 600;

/**
 * Reads the fields of a Service that matter locally. Types, required fields and unknown fields of
 * the whole object are the CRD schema check's job (crd-schema.ts); this reports what that cannot:
 * autoscaling annotation values and the one-container rule of a function image.
 */
export function readServiceSpec(spec: FieldReader | undefined, base: ManifestObject): ServiceManifest | undefined {
  const problems = spec?.problems;
  if (!spec || !problems) return undefined;
  const template = spec.object('template', { required: true });
  const templateMeta = template?.object('metadata');
  const annotations = templateMeta?.stringMap('annotations') ?? {};
  const podSpec = template?.object('spec', { required: true });
  if (!podSpec) return undefined;
  const containerConcurrency = podSpec.integer('containerConcurrency', { min: 0, max: MAX_CONTAINER_CONCURRENCY }) ?? 0;
  const timeoutSeconds = podSpec.integer('timeoutSeconds', { min: 1, max: MAX_TIMEOUT_SECONDS }) ?? DEFAULT_TIMEOUT_MS / 1000;
  const containers = podSpec.list('containers') ?? [];
  if (containers.length !== 1) {
    podSpec.error('containers', `must hold exactly one container (the function image), got ${containers.length}`);
    return undefined;
  }
  const container = FieldReader.of(containers[0], podSpec.field('containers[0]'), problems);
  const image = container?.string('image', { required: true });
  const env: Record<string, string> = {};
  (container?.list('env') ?? []).forEach((entry, i) => {
    if (!isObject(entry) || typeof entry.name !== 'string') return; // the schema check reports it
    if (typeof entry.value === 'string') env[entry.name] = entry.value;
    else if (entry.valueFrom !== undefined) {
      container!.warn(`env[${i}].valueFrom`, `${entry.name} comes from the cluster (valueFrom); it is not set when the function runs locally`);
    }
  });
  const annotationsField = templateMeta ? templateMeta.field('annotations') : template!.field('metadata.annotations');
  const scale = readScaleSettings(annotations, containerConcurrency, problems, annotationsField);
  if (!image || !scale || problems.hasErrors) return undefined;
  return { ...base, kind: 'Service', image, env, containerConcurrency, timeoutMs: timeoutSeconds * 1000, scale };
}
