import { setTimeout as sleep } from 'node:timers/promises';
import { Broker } from '../broker/broker.js';
import type { CloudEvent } from '../events/event.js';
import { TriggerDispatcher, type TriggerRoute } from '../broker/trigger-dispatcher.js';
import { BROKER_DEFAULT_DELIVERY, retryPolicyOf } from '../delivery/retry-policy.js';
import type { HttpTarget } from '../delivery/http-sender.js';
import { contentModeOf, type DeliverySpec } from '../manifests/delivery.js';
import type { Destination } from '../manifests/destination.js';
import type { Manifests } from '../manifests/load.js';
import { ManifestError, ProblemList, type Problem } from '../manifests/problems.js';
import type { TriggerManifest } from '../manifests/trigger.js';
import type { Logger } from '../observability/logger.js';
import { RecentList, type DeliveryRecord } from '../observability/trigger-stats.js';
import { brokerUrl, localAddressBook, resolveDestination, type AddressBook } from './resolve.js';

const RECENT_DELIVERIES = 500;
const RECENT_EVENTS = 100;
/** Data above this is not kept with the recent events, so that they stay small in memory. */
const MAX_KEPT_DATA_BYTES = 64 * 1024;

/** An event a broker accepted, kept for explanations. */
export interface ReceivedEvent {
  readonly at: number;
  readonly broker: string;
  readonly event: CloudEvent;
  /** The data was larger than MAX_KEPT_DATA_BYTES and is not kept: explanations see no data. */
  readonly dataDropped: boolean;
}

/**
 * The Brokers and Triggers of a set of manifests, wired and delivering. Built only from manifests
 * without errors; `plan` tells beforehand whether every destination resolves.
 */
export class EventingRuntime {
  readonly brokers = new Map<string, Broker>();
  readonly dispatchers: TriggerDispatcher[] = [];
  readonly recent = new RecentList<DeliveryRecord>(RECENT_DELIVERIES);
  readonly received = new RecentList<ReceivedEvent>(RECENT_EVENTS);
  private readonly abort = new AbortController();

  /**
   * Problems that would stop the runtime from starting on manifests that are otherwise valid:
   * destinations it cannot reach locally (a Service that runs no function of the project, an unknown kind).
   */
  static plan(manifests: Manifests): Problem[] {
    const problems: Problem[] = [];
    routes(manifests, localAddressBook(manifests, 'http://127.0.0.1'), problems);
    return problems;
  }

  constructor(manifests: Manifests, baseUrl: string, logger: Logger) {
    const problems: Problem[] = [];
    const triggerRoutes = routes(manifests, localAddressBook(manifests, baseUrl), problems);
    if (problems.length > 0) throw new ManifestError(problems);
    for (const b of manifests.brokers) {
      const { namespace, name } = b.metadata;
      const broker = new Broker(namespace, name, brokerUrl(baseUrl, namespace, name), (message, from) => this.remember(message.event, from));
      this.brokers.set(broker.key, broker);
    }
    const context = { logger, recent: this.recent, signal: this.abort.signal };
    for (const route of triggerRoutes) {
      const { trigger } = route;
      const broker = this.brokers.get(`${trigger.metadata.namespace}/${trigger.broker}`)!;
      const dispatcher = new TriggerDispatcher(route, broker, context);
      broker.subscribe(dispatcher);
      this.dispatchers.push(dispatcher);
    }
  }

  /** Keeps an accepted event for explanations, without data too large to keep around. */
  private remember(event: CloudEvent, broker: Broker): void {
    const dataDropped = event.data !== undefined && event.data.length > MAX_KEPT_DATA_BYTES;
    this.received.push({ at: Date.now(), broker: broker.key, event: dataDropped ? { attributes: event.attributes, data: undefined } : event, dataDropped });
  }

  findBroker(namespace: string, name: string): Broker | undefined {
    return this.brokers.get(`${namespace}/${name}`);
  }

  /** Deliveries accepted and not yet ended (delivered, dead-lettered or dropped), over every Trigger. */
  pendingDeliveries(): number {
    let pending = 0;
    for (const d of this.dispatchers) pending += d.counts.inFlight;
    return pending;
  }

  /**
   * Lets the deliveries in flight (retries and replies included) end until the deadline, then stops
   * retries and closes connections. Returns, per Trigger, the events whose delivery was cut short.
   */
  async stop(deadline = 0): Promise<{ trigger: string; events: string[] }[]> {
    while (this.dispatchers.some((d) => d.counts.inFlight > 0) && performance.now() < deadline) await sleep(20);
    const unfinished = this.dispatchers
      .filter((d) => d.counts.inFlight > 0)
      .map((d) => ({ trigger: `${d.route.trigger.metadata.namespace}/${d.route.trigger.metadata.name}`, events: d.unfinished() }));
    this.abort.abort();
    await Promise.all(this.dispatchers.map((d) => d.close()));
    return unfinished;
  }
}


/** Trigger delivery replaces the Broker's entirely (MT and the spec); a Broker without one gets the cluster default. */
function effectiveDelivery(trigger: TriggerManifest, manifests: Manifests): DeliverySpec {
  if (trigger.delivery) return trigger.delivery;
  const broker = manifests.brokers.find((b) => b.metadata.namespace === trigger.metadata.namespace && b.metadata.name === trigger.broker);
  return broker?.delivery ?? BROKER_DEFAULT_DELIVERY;
}

/** Resolves every Trigger's destinations; the manifests' own checks (references.ts) have passed. */
function routes(manifests: Manifests, addresses: AddressBook, problems: Problem[]): TriggerRoute[] {
  const out: TriggerRoute[] = [];
  for (const trigger of manifests.triggers) {
    const list = new ProblemList(trigger.location, `Trigger ${trigger.metadata.namespace}/${trigger.metadata.name}`);
    const resolve = (field: string, destination: Destination): HttpTarget | undefined => {
      const resolution = resolveDestination(destination, addresses);
      if (resolution.ok) return resolution.target;
      list.error(field, resolution.reason);
      return undefined;
    };
    const delivery = effectiveDelivery(trigger, manifests);
    const subscriber = resolve('spec.subscriber', trigger.subscriber);
    const deadLetterSink = delivery.deadLetterSink && resolve(trigger.delivery ? 'spec.delivery.deadLetterSink' : 'Broker spec.delivery.deadLetterSink', delivery.deadLetterSink);
    problems.push(...list.items);
    if (!subscriber || list.hasErrors) continue;
    out.push({ trigger, subscriber, policy: retryPolicyOf(delivery), mode: contentModeOf(delivery), deadLetterSink });
  }
  return out;
}
