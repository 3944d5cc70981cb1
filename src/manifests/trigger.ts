import { CEL_ANNOTATION, celFilter } from '../filters/cel/index.js';
import { compileCesql } from '../filters/cesql/index.js';
import { compileTriggerFilter } from '../filters/compile.js';
import type { EventFilter } from '../filters/filter.js';
import { FILTER_DIALECTS, type FilterDialect, type FilterSpec, type TriggerFilterSpec } from '../filters/spec.js';
import { readDelivery, type DeliverySpec } from './delivery.js';
import { readDestination, type Destination } from './destination.js';
import { FieldReader, describe } from './fields.js';
import type { ManifestObject } from './metadata.js';

/** Knative's webhook rule for attribute names in Trigger filters (trigger_validation.go). */
const ATTRIBUTE_NAME = /^[a-z][a-z0-9]*$/;

export interface TriggerManifest extends ManifestObject {
  readonly kind: 'Trigger';
  /** Name of the Broker, in the Trigger's namespace (Knative defaults it to "default"). */
  readonly broker: string;
  readonly filterSpec: TriggerFilterSpec;
  /** The eventyard.dev/cel expression, ANDed with the Knative filters. */
  readonly cel?: string;
  /** The filter compiled once at load. */
  readonly filter: EventFilter;
  readonly subscriber: Destination;
  readonly delivery?: DeliverySpec;
}

export function readTriggerSpec(spec: FieldReader | undefined, base: ManifestObject): TriggerManifest | undefined {
  if (!spec) return undefined;
  const namespace = base.metadata.namespace;
  let broker = spec.string('broker');
  const brokerRef = spec.object('brokerRef');
  if (brokerRef) {
    const name = brokerRef.string('name', { required: true });
    const kind = brokerRef.string('kind');
    brokerRef.string('apiVersion');
    const refNamespace = brokerRef.string('namespace');
    brokerRef.rejectUnknown();
    if (kind !== undefined && kind !== 'Broker') brokerRef.error('kind', `must be Broker, got "${kind}"`);
    if (refNamespace !== undefined && refNamespace !== namespace) brokerRef.error('namespace', 'a Trigger can only use a Broker of its own namespace');
    if (broker !== undefined && name !== undefined && broker !== name) spec.error('brokerRef', `names broker "${name}" but spec.broker is "${broker}"`);
    broker ??= name;
  }
  broker ??= 'default';

  const filterReader = spec.object('filter');
  const attributes = filterReader ? readAttributeMap(filterReader, 'attributes') : undefined;
  filterReader?.rejectUnknown();

  const filtersRaw = spec.list('filters') ?? [];
  const filters = filtersRaw.map((element, i) => readFilterElement(element, `${spec.field('filters')}[${i}]`, spec));

  const subscriberReader = spec.object('subscriber', { required: true });
  const subscriber = subscriberReader ? readDestination(subscriberReader, namespace) : undefined;
  const deliveryReader = spec.object('delivery');
  const delivery = deliveryReader ? readDelivery(deliveryReader, namespace) : undefined;
  spec.rejectUnknown();

  const cel = base.metadata.annotations[CEL_ANNOTATION];
  let compiledCel: EventFilter | undefined;
  if (cel !== undefined) {
    try {
      compiledCel = celFilter(cel);
    } catch (err) {
      spec.problems.error(`metadata.annotations.${CEL_ANNOTATION}`, `invalid CEL filter: ${(err as Error).message}`);
    }
  }

  if (filters.some((f) => f === undefined) || !subscriber || (cel !== undefined && !compiledCel)) return undefined;
  const filterSpec: TriggerFilterSpec = { attributes, filters: filters as FilterSpec[] };
  const filter = compileTriggerFilter(filterSpec, compiledCel);
  if (filters.length > 0 && attributes !== undefined) {
    spec.warn('filter', 'is ignored because spec.filters is not empty (Knative precedence)');
  }
  return { ...base, kind: 'Trigger', broker, filterSpec, cel, filter, subscriber, delivery };
}

function readAttributeMap(reader: FieldReader, key: string): Record<string, string> | undefined {
  const map = reader.stringMap(key);
  if (!map) return undefined;
  for (const name of Object.keys(map)) {
    if (!ATTRIBUTE_NAME.test(name)) {
      reader.error(`${key}.${name}`, 'attribute names are lower-case letters and digits, starting with a letter');
    }
  }
  return map;
}

/** One `filters` element: exactly one dialect, as the webhook demands. */
function readFilterElement(value: unknown, path: string, parent: FieldReader): FilterSpec | undefined {
  const problems = parent.problems;
  const reader = FieldReader.of(value, path, problems);
  if (!reader) {
    if (value === undefined || value === null) problems.error(path, 'is empty: a filter needs one of ' + FILTER_DIALECTS.join(', '));
    return undefined;
  }
  const present = FILTER_DIALECTS.filter((d) => reader.has(d));
  if (present.length === 0) {
    reader.rejectUnknown();
    if (problems.items.every((p) => !p.field.startsWith(path))) reader.error('', `needs one of: ${FILTER_DIALECTS.join(', ')}`);
    return undefined;
  }
  if (present.length > 1) {
    reader.error('', `multiple dialects found (${present.join(', ')}); use one per element and combine them with all/any`);
    return undefined;
  }
  const dialect = present[0] as FilterDialect;
  const spec = readDialect(reader, dialect);
  reader.rejectUnknown();
  return spec;
}

function readDialect(reader: FieldReader, dialect: FilterDialect): FilterSpec | undefined {
  switch (dialect) {
    case 'exact':
    case 'prefix':
    case 'suffix': {
      const attributes = readAttributeMap(reader, dialect);
      if (!attributes) return undefined;
      const empty = Object.entries(attributes).filter(([, v]) => v === '');
      if (empty.length > 0) {
        reader.warn(dialect, `has an empty value for ${empty.map(([k]) => k).join(', ')}: Knative silently skips this whole filter element`);
      }
      return { dialect, attributes };
    }
    case 'all':
    case 'any': {
      const list = reader.list(dialect);
      if (!list) return undefined;
      const filters = list.map((element, i) => readFilterElement(element, `${reader.field(dialect)}[${i}]`, reader));
      if (filters.some((f) => f === undefined)) return undefined;
      return { dialect, filters: filters as FilterSpec[] };
    }
    case 'not': {
      const filter = readFilterElement(reader.raw('not'), reader.field('not'), reader);
      return filter ? { dialect, filter } : undefined;
    }
    case 'cesql': {
      const expression = reader.raw('cesql');
      if (typeof expression !== 'string') {
        reader.error('cesql', `must be a string, got ${describe(expression)}`);
        return undefined;
      }
      let program;
      try {
        program = compileCesql(expression); // a syntax error is a load error, as Knative's webhook rejects it
      } catch (err) {
        reader.error('cesql', `invalid CloudEvents SQL: ${(err as Error).message}`);
        return undefined;
      }
      for (const call of program.undispatchableCalls) {
        reader.warn('cesql', `${call}: this filter can never match (Knative's engine fails it the same way)`);
      }
      return { dialect, expression, program };
    }
  }
}
