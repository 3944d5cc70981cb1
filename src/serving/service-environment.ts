import type { Manifests } from '../manifests/load.js';
import type { ManifestObject } from '../manifests/metadata.js';
import { bindsTo } from '../manifests/sink-binding.js';
import { localAddressBook, resolveDestination } from '../runtime/resolve.js';

/** The environment a function reads to reach Kafka; the render farm's order function does. */
export const KAFKA_BOOTSTRAP_ENV = 'KAFKA_BOOTSTRAP_SERVERS';

/**
 * The environment the local runtime adds to a Service's containers, as a cluster would:
 * K_SINK and K_CE_OVERRIDES from the SinkBinding whose subject it is. A Kafka address in its
 * manifest names the cluster's Kafka, so locally it is replaced by the Kafka given to `dev`, or
 * removed when none was: the function then takes its no-Kafka path.
 */
export function localServiceEnv(
  manifests: Manifests,
  baseUrl: string,
  service: ManifestObject,
  manifestEnv: Readonly<Record<string, string>>,
  kafkaBootstrapServers: readonly string[] | undefined,
): Record<string, string> {
  const env: Record<string, string> = { ...manifestEnv };
  delete env[KAFKA_BOOTSTRAP_ENV];
  if (kafkaBootstrapServers?.length) env[KAFKA_BOOTSTRAP_ENV] = kafkaBootstrapServers.join(',');
  const binding = manifests.sinkBindings.find((b) => bindsTo(b.subject, service));
  if (!binding) return env;
  const resolution = resolveDestination(binding.sink, localAddressBook(manifests, baseUrl));
  if (!resolution.ok) return env; // checkReferences has reported it, and dev does not start on it
  env.K_SINK = resolution.target.url;
  if (Object.keys(binding.ceOverrides).length > 0) env.K_CE_OVERRIDES = JSON.stringify({ extensions: binding.ceOverrides });
  return env;
}
