import type { HttpTarget } from '../delivery/http-sender.js';
import { retryPolicyOf } from '../delivery/retry-policy.js';
import { contentModeOf, type DeliverySpec } from '../manifests/delivery.js';
import type { Destination } from '../manifests/destination.js';
import type { Manifests, SourceManifest } from '../manifests/load.js';
import { ProblemList, type Problem } from '../manifests/problems.js';
import type { Logger } from '../observability/logger.js';
import { localAddressBook, resolveDestination, type AddressBook } from '../runtime/resolve.js';
import type { KafkaSourceOptions } from './kafka/kafka-source.js';
import { SinkDelivery, type SinkRoute } from './sink-delivery.js';
import type { EventSource, SourceStats } from './source.js';

/** A KafkaSource without spec.delivery (knative-spec §3.12); the RocketMQSource follows it. */
export const SOURCE_DEFAULT_DELIVERY: DeliverySpec = { retry: 10, backoffPolicy: 'exponential', backoffDelayMs: 300, timeoutMs: 600_000 };

/** Sink connections per source: its deliveries in flight. */
const CONNECTIONS_PER_SOURCE = 256;

/** Where the local runtime finds the peers that the manifests name by cluster address. */
export interface SourcePeers {
  readonly kafka?: KafkaSourceOptions;
  /** Replaces every RocketMQSource's spec.endpoints. */
  readonly rocketmqEndpoints?: string;
}

/** The sources of the manifests, each consuming and delivering to its sink. */
export class SourcesRuntime {
  private readonly sources: EventSource[] = [];
  private readonly deliveries: SinkDelivery[] = [];
  private readonly abort = new AbortController();

  /** Problems that would stop the sources from starting: sinks the local runtime cannot reach. */
  static plan(manifests: Manifests): Problem[] {
    const problems: Problem[] = [];
    for (const source of manifests.sources) sinkRoute(source, localAddressBook(manifests, 'http://127.0.0.1'), problems);
    return problems;
  }

  /** Starts every source; each connects in the background and retries while its peer is unreachable. */
  async start(manifests: Manifests, baseUrl: string, peers: SourcePeers, logger: Logger): Promise<void> {
        const addresses = localAddressBook(manifests, baseUrl);
    for (const manifest of manifests.sources) {
      const route = sinkRoute(manifest, addresses, []);
      if (!route) continue; // plan() has reported it
      const log = logger.child({ source: `${manifest.kind} ${manifest.metadata.namespace}/${manifest.metadata.name}` });
      const delivery = new SinkDelivery(route, log, this.abort.signal, CONNECTIONS_PER_SOURCE);
      this.deliveries.push(delivery);
      // Each client library is loaded only when a source needs it.
      if (manifest.kind === 'KafkaSource') {
        const { KafkaSourceAdapter } = await import('./kafka/kafka-source.js');
        this.sources.push(new KafkaSourceAdapter(manifest, delivery, logger, peers.kafka));
      } else {
        const { RocketMQSourceAdapter } = await import('./rocketmq/rocketmq-source.js');
        this.sources.push(new RocketMQSourceAdapter(manifest, delivery, logger, { endpoints: peers.rocketmqEndpoints }));
      }
    }
    for (const s of this.sources) s.start();
  }

  stats(): SourceStats[] {
    return this.sources.map((s) => s.stats());
  }

  /**
   * Stops consuming and lets the deliveries in flight end until the deadline; then ends their
   * retries, and those records stay uncommitted, to be read again. Returns how many there were.
   */
  async stop(deadline = 0): Promise<number> {
    let cut = 0;
    const timer = setTimeout(() => {
      cut = this.sources.reduce((n, s) => n + s.stats().inFlight, 0);
      this.abort.abort();
    }, Math.max(0, deadline - performance.now()));
    await Promise.all(this.sources.map((s) => s.stop()));
    clearTimeout(timer);
    this.abort.abort();
    await Promise.all(this.deliveries.map((d) => d.close()));
    return cut;
  }
}

function sinkRoute(source: SourceManifest, addresses: AddressBook, problems: Problem[]): SinkRoute | undefined {
  const list = new ProblemList(source.location, `${source.kind} ${source.metadata.namespace}/${source.metadata.name}`);
  const resolve = (field: string, destination: Destination): HttpTarget | undefined => {
    const resolution = resolveDestination(destination, addresses);
    if (resolution.ok) return resolution.target;
    list.error(field, resolution.reason);
    return undefined;
  };
  const delivery = source.delivery ?? SOURCE_DEFAULT_DELIVERY;
  const sink = resolve('spec.sink', source.sink);
  const deadLetterSink = delivery.deadLetterSink && resolve('spec.delivery.deadLetterSink', delivery.deadLetterSink);
  problems.push(...list.items);
  if (!sink || list.hasErrors) return undefined;
  return { sink, deadLetterSink, policy: retryPolicyOf(delivery), mode: contentModeOf(delivery), namespace: source.metadata.namespace };
}
