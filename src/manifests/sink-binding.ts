import { FieldReader } from './fields.js';
import type { ManifestObject } from './metadata.js';
import { readSourceCommon, type SourceCommon } from './source-spec.js';

export const SINK_BINDING_API = 'sources.knative.dev/v1';

/** One term of a Kubernetes label selector's matchExpressions. */
export interface LabelRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  readonly values: readonly string[];
}

/** The objects a SinkBinding binds: one by name, or all of a kind whose labels match. */
export type BindingSubject =
  | { readonly apiVersion: string; readonly kind: string; readonly namespace: string; readonly name: string }
  | {
      readonly apiVersion: string;
      readonly kind: string;
      readonly namespace: string;
      readonly name?: undefined;
      readonly matchLabels: Readonly<Record<string, string>>;
      readonly matchExpressions: readonly LabelRequirement[];
    };

/**
 * A SinkBinding (sources.knative.dev/v1): on a cluster its webhook puts K_SINK (the resolved sink)
 * and K_CE_OVERRIDES into the containers of its subjects; the local runtime does the same for the
 * instances of the Services it runs.
 */
export interface SinkBindingManifest extends ManifestObject, Omit<SourceCommon, 'delivery'> {
  readonly kind: 'SinkBinding';
  readonly subject: BindingSubject;
}

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

export function readSinkBindingSpec(spec: FieldReader | undefined, base: ManifestObject): SinkBindingManifest | undefined {
  if (!spec) return undefined;
  const subjectReader = spec.object('subject', { required: true });
  const subject = subjectReader ? readSubject(subjectReader, base.metadata.namespace) : undefined;
  const common = readSourceCommon(spec, base.metadata.namespace);
  spec.rejectUnknown();
  if (!subject || !common || spec.problems.hasErrors) return undefined;
  return { ...base, kind: 'SinkBinding', subject, sink: common.sink, ceOverrides: common.ceOverrides };
}

function readSubject(reader: FieldReader, namespace: string): BindingSubject | undefined {
  const apiVersion = reader.string('apiVersion', { required: true });
  const kind = reader.string('kind', { required: true });
  const name = reader.string('name');
  const subjectNamespace = reader.string('namespace') ?? namespace;
  const selectorReader = reader.object('selector');
  reader.rejectUnknown();
  // The webhook's rules (eventing pkg/apis/sources/v1/sinkbinding_validation.go, tracker.Reference).
  if (subjectNamespace !== namespace) reader.error('namespace', `a SinkBinding binds only objects of its own namespace "${namespace}"`);
  if (name !== undefined && selectorReader) reader.error('', 'give either "name" or "selector", not both');
  if (name === undefined && !selectorReader) reader.error('', 'needs a "name" or a "selector"');
  if (!apiVersion || !kind || reader.problems.hasErrors) return undefined;
  if (name !== undefined) return { apiVersion, kind, namespace, name };
  const matchLabels = selectorReader!.stringMap('matchLabels') ?? {};
  const matchExpressions = (selectorReader!.list('matchExpressions') ?? []).flatMap((entry, i) => {
    const term = FieldReader.of(entry, selectorReader!.field(`matchExpressions[${i}]`), reader.problems);
    if (!term) return [];
    const key = term.string('key', { required: true });
    const operator = term.oneOf('operator', OPERATORS);
    const values = term.list('values') ?? [];
    term.rejectUnknown();
    if (!term.has('operator')) term.error('operator', `is required: one of ${OPERATORS.join(', ')}`);
    const needsValues = operator === 'In' || operator === 'NotIn';
    if (needsValues && values.length === 0) term.error('values', `must not be empty for ${operator}`);
    if (!needsValues && values.length > 0) term.error('values', `must be empty for ${operator}`);
    if (!key || !operator || values.some((v) => typeof v !== 'string')) return [];
    return [{ key, operator, values: values as string[] }];
  });
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0 && !reader.problems.hasErrors) {
    selectorReader!.error('', 'an empty selector would bind every object of the namespace; name the labels to match');
  }
  if (reader.problems.hasErrors) return undefined;
  return { apiVersion, kind, namespace, matchLabels, matchExpressions };
}

/** Whether an object is a subject of the binding. */
export function bindsTo(subject: BindingSubject, object: ManifestObject): boolean {
  if (subject.apiVersion !== object.apiVersion || subject.kind !== object.kind || subject.namespace !== object.metadata.namespace) return false;
  if (subject.name !== undefined) return subject.name === object.metadata.name;
  const labels = object.metadata.labels;
  const label = (key: string) => (Object.hasOwn(labels, key) ? labels[key] : undefined);
  if (!Object.entries(subject.matchLabels).every(([k, v]) => label(k) === v)) return false;
  return subject.matchExpressions.every(({ key, operator, values }) => {
    const value = label(key);
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
    }
  });
}

