import { readDelivery, type DeliverySpec } from './delivery.js';
import type { FieldReader } from './fields.js';
import type { ManifestObject } from './metadata.js';

export interface BrokerManifest extends ManifestObject {
  readonly kind: 'Broker';
  /** `eventing.knative.dev/broker.class`; every class runs the same way locally. */
  readonly brokerClass: string;
  readonly delivery?: DeliverySpec;
}

export function readBrokerSpec(spec: FieldReader | undefined, base: ManifestObject): BrokerManifest {
  const brokerClass = base.metadata.annotations['eventing.knative.dev/broker.class'] ?? 'MTChannelBasedBroker';
  let delivery: DeliverySpec | undefined;
  if (spec) {
    const config = spec.object('config');
    if (config) {
      // Points at a ConfigMap of the channel or Kafka settings; nothing to configure locally.
      for (const key of ['apiVersion', 'kind', 'name', 'namespace']) config.string(key);
      config.rejectUnknown();
    }
    const deliveryReader = spec.object('delivery');
    if (deliveryReader) delivery = readDelivery(deliveryReader, base.metadata.namespace);
    spec.rejectUnknown();
  }
  return { ...base, kind: 'Broker', brokerClass, delivery };
}
