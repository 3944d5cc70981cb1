import type { OwnedCloudEvent } from '../events/event.js';
import { BrokerMessage } from './message.js';
import { TTL_EXTENSION, ingressTtl } from './ttl.js';

export type IngestResult = { readonly accepted: true } | { readonly accepted: false; readonly status: 400; readonly reason: string };

/** Something that takes the events of a broker: a Trigger's dispatcher. */
export interface BrokerSubscriber {
  offer(message: BrokerMessage): void;
}

/**
 * One Broker: stamps what its ingress stamps and hands the event to every Trigger. In memory and
 * not durable — the same guarantee as Knative's InMemoryChannel-backed broker.
 */
export class Broker {
  private readonly subscribers: BrokerSubscriber[] = [];
  /** Events accepted so far. */
  accepted = 0;
  /** Events its ingress answered 503: the runtime was stopping or had too many deliveries pending. */
  refused = 0;

  constructor(
    readonly namespace: string,
    readonly name: string,
    /** The ingress URL, used in knativeerrordest when a reply to this broker fails. */
    readonly address: string,
    /** Told of every accepted event, before the Triggers (the runtime keeps the last few). */
    private readonly onAccepted?: (message: BrokerMessage, broker: Broker) => void,
  ) {}

  get key(): string {
    return `${this.namespace}/${this.name}`;
  }

  subscribe(subscriber: BrokerSubscriber): void {
    this.subscribers.push(subscriber);
  }

  /**
   * Accepts an event (from the ingress or a reply) and takes ownership of it. A reply carries the
   * TTL its trigger received, as the MT broker-filter stamps it; the ingress rule then takes one off.
   */
  ingest(event: OwnedCloudEvent, passthroughHeaders: Readonly<Record<string, string>>, replyTtl?: number): IngestResult {
    const ttl = ingressTtl(replyTtl ?? event.attributes[TTL_EXTENSION]);
    if (ttl <= 0) {
      return { accepted: false, status: 400, reason: `${TTL_EXTENSION} is exhausted: the event went round this broker too often (a reply loop?) and was dropped` };
    }
    event.attributes.knativearrivaltime = arrivalTime();
    delete event.attributes[TTL_EXTENSION];
    const message = new BrokerMessage(event, ttl, passthroughHeaders, this.namespace);
    this.accepted++;
    this.onAccepted?.(message, this);
    for (const subscriber of this.subscribers) subscriber.offer(message);
    return { accepted: true };
  }
}

let lastMs = 0;
let lastIso = '';

/** The receive time in RFC 3339 UTC; formatted at most once per millisecond, not once per event. */
function arrivalTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}
