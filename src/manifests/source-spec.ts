import { ceOverridesProblems } from '../sources/kafka/record-to-event.js';
import { readDelivery, type DeliverySpec } from './delivery.js';
import { readDestination, type Destination } from './destination.js';
import type { FieldReader } from './fields.js';

/** What every source has (duck SourceSpec plus delivery): where its events go and how. */
export interface SourceCommon {
  readonly sink: Destination;
  readonly ceOverrides: Readonly<Record<string, string>>;
  /** undefined: the source kind's own default delivery. */
  readonly delivery?: DeliverySpec;
}

export function readSourceCommon(spec: FieldReader, namespace: string): SourceCommon | undefined {
  const sinkReader = spec.object('sink', { required: true });
  const sink = sinkReader ? readDestination(sinkReader, namespace) : undefined;
  const overridesReader = spec.object('ceOverrides');
  const ceOverrides = overridesReader?.stringMap('extensions') ?? {};
  overridesReader?.rejectUnknown();
  for (const message of ceOverridesProblems(ceOverrides)) spec.warn('', message);
  const deliveryReader = spec.object('delivery');
  const delivery = deliveryReader ? readDelivery(deliveryReader, namespace) : undefined;
  if (!sink) return undefined;
  return { sink, ceOverrides, delivery };
}
