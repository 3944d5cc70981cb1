import { withAttributes, type CloudEvent } from '../events/event.js';
import { encodeHttpEvent, type ContentMode, type HttpMessage } from '../events/http-binding.js';
import type { AttemptResult } from '../delivery/attempt.js';
import { ConcurrencyGate } from '../delivery/concurrency-gate.js';
import { deadLetterEvent } from '../delivery/dead-letter.js';
import { deliverWithRetries } from '../delivery/deliver.js';
import { HttpSender, type HttpTarget } from '../delivery/http-sender.js';
import type { RetryPolicy } from '../delivery/retry-policy.js';
import type { TriggerManifest } from '../manifests/trigger.js';
import type { Logger } from '../observability/logger.js';
import { emptyCounts, type DeliveryFate, type DeliveryRecord, type RecentList } from '../observability/trigger-stats.js';
import type { Broker, BrokerSubscriber } from './broker.js';
import type { BrokerMessage } from './message.js';
import { TTL_EXTENSION } from './ttl.js';

/** A Trigger with everything resolved: what it matches, where it delivers, how it retries. */
export interface TriggerRoute {
  /** The Trigger as loaded: name, namespace, compiled filter. */
  readonly trigger: TriggerManifest;
  readonly subscriber: HttpTarget;
  readonly policy: RetryPolicy;
  readonly mode: ContentMode;
  readonly deadLetterSink?: HttpTarget;
}

export interface DispatcherContext {
  readonly logger: Logger;
  readonly recent: RecentList<DeliveryRecord>;
  /** Aborted when the runtime stops; pending retries give up. */
  readonly signal: AbortSignal;
}

type Failure = Extract<AttemptResult, { ok: false }>;

/** Connections (and so deliveries in flight) per Trigger; more events wait in its queue. */
const CONNECTIONS_PER_TRIGGER = 64;

/**
 * Delivers one Trigger's events. Every matched event is delivered on its own (no ordering, as with
 * the MT broker) through this Trigger's own connection pool, so one slow or failing subscriber never
 * holds up another Trigger.
 */
export class TriggerDispatcher implements BrokerSubscriber {
  readonly counts = emptyCounts();
  private readonly sender = new HttpSender(CONNECTIONS_PER_TRIGGER);
  private readonly gate = new ConcurrencyGate(CONNECTIONS_PER_TRIGGER);
  /** Messages matched whose delivery has not ended, so that a stop can say which were cut short. */
  private readonly pending = new Set<BrokerMessage>();
  private readonly key: string;
  private readonly namespace: string;
  /** Child loggers with the Trigger and destination bound once: pino serialises bindings only once. */
  private readonly log: Logger;
  private readonly subscriberLog: Logger;
  private readonly deadLetterLog: Logger | undefined;

  constructor(
    readonly route: TriggerRoute,
    private readonly broker: Broker,
    private readonly context: DispatcherContext,
  ) {
    this.namespace = route.trigger.metadata.namespace;
    this.key = `${this.namespace}/${route.trigger.metadata.name}`;
    this.log = context.logger.child({ trigger: this.key });
    this.subscriberLog = this.log.child({ hop: 'subscriber', destination: route.subscriber.url });
    this.deadLetterLog = route.deadLetterSink && this.log.child({ hop: 'dead-letter', destination: route.deadLetterSink.url });
  }

  offer(message: BrokerMessage): void {
    if (this.route.trigger.filter.evaluate(message.event) === 'fail') return;
    this.counts.matched++;
    this.counts.inFlight++;
    this.pending.add(message);
    this.gate.enter(() => {
      this.deliver(message)
        .catch((err: unknown) => {
          // A bug must not lose the count: the event is accounted as dropped and the bug is loud.
          this.log.error({ event: message.event.attributes.id, err }, 'delivery crashed');
          this.counts.dropped++;
        })
        .finally(() => {
          this.counts.inFlight--;
          this.pending.delete(message);
          this.gate.release();
        });
    });
  }

  /** Ids of the events whose delivery has not ended. */
  unfinished(): string[] {
    return [...this.pending].map((m) => m.event.attributes.id ?? '');
  }

  close(): Promise<void> {
    return this.sender.destroy();
  }

  private async deliver(message: BrokerMessage): Promise<void> {
    const { event } = message;
    const { route } = this;
    const outcome = await deliverWithRetries({
      sender: this.sender,
      target: route.subscriber,
      request: message.subscriberRequest(route.mode),
      policy: route.policy,
      gate: this.gate,
      signal: this.context.signal,
      onAttempt: (attempt, result, ms, willRetry) => {
        if (attempt > 1) this.counts.retried++;
        logAttempt(this.subscriberLog, event, attempt, result, ms, willRetry);
      },
    });
    const { result, attempts } = outcome;
    if (!result.ok) return this.deadLetter(message, route.subscriber.url, result, attempts);
    if (!result.reply) return this.finish(event, 'delivered', attempts, result.status, route.subscriber.url);

    const reply = result.reply;
    const ingested = this.broker.ingest(reply, {}, message.ttl);
    const replyInfo = { id: reply.attributes.id ?? '', type: reply.attributes.type ?? '', accepted: ingested.accepted };
    if (ingested.accepted) {
      this.counts.replies++;
      return this.finish(event, 'delivered', attempts, result.status, route.subscriber.url, undefined, replyInfo);
    }
    // The reply could not go back into the broker: the original event is dead-lettered, naming the
    // broker as the destination that failed (MT event_dispatcher).
    this.log.warn({ event: event.attributes.id, reply: reply.attributes.id, reason: ingested.reason }, 'reply refused');
    const failure: Failure = { ok: false, status: ingested.status, retryable: false, reason: ingested.reason, body: Buffer.from(ingested.reason) };
    return this.deadLetter(message, this.broker.address, failure, attempts, replyInfo);
  }

  private async deadLetter(message: BrokerMessage, failedDestination: string, failure: Failure, attempts: number, reply?: DeliveryRecord['reply']): Promise<void> {
    const { event } = message;
    const dls = this.route.deadLetterSink;
    if (!dls) {
      this.log.warn({ event: event.attributes.id, status: failure.status, reason: failure.reason }, 'dropped: delivery failed and the Trigger has no dead-letter sink');
      return this.finish(event, 'dropped', attempts, failure.status, failedDestination, failure.reason, reply);
    }
    // The TTL stays on the dead-lettered event: a sink that leads back into a broker still ends.
    const dead = deadLetterEvent(withAttributes(event, { [TTL_EXTENSION]: String(message.ttl) }), failedDestination, failure);
    const outcome = await deliverWithRetries({
      sender: this.sender,
      target: dls,
      request: withHeaders(encodeHttpEvent(dead, this.route.mode), { 'kn-namespace': this.namespace }),
      policy: this.route.policy,
      gate: this.gate,
      signal: this.context.signal,
      onAttempt: (attempt, result, ms, willRetry) => logAttempt(this.deadLetterLog!, dead, attempt, result, ms, willRetry),
    });
    if (outcome.result.ok) return this.finish(event, 'dead-lettered', attempts, failure.status, failedDestination, failure.reason, reply);
    this.log.error({ event: event.attributes.id, reason: outcome.result.reason }, 'dropped: the dead-letter sink failed too');
    return this.finish(event, 'dropped', attempts, failure.status, failedDestination, `${failure.reason}; dead-letter sink: ${outcome.result.reason}`, reply);
  }

  private finish(event: CloudEvent, fate: DeliveryFate, attempts: number, status: number | undefined, destination: string, reason?: string, reply?: DeliveryRecord['reply']): void {
    if (fate === 'delivered') this.counts.delivered++;
    else if (fate === 'dead-lettered') this.counts.deadLettered++;
    else this.counts.dropped++;
    this.context.recent.push({
      at: Date.now(),
      trigger: this.key,
      eventId: event.attributes.id ?? '',
      eventType: event.attributes.type ?? '',
      fate,
      attempts,
      status,
      reason,
      destination,
      reply,
    });
  }

}

function withHeaders(message: HttpMessage, headers: Record<string, string>): HttpMessage {
  return { headers: { ...headers, ...message.headers }, body: message.body };
}

/** One line per attempt: the delivery outcome with event id, attempt, status and milliseconds. */
function logAttempt(log: Logger, event: CloudEvent, attempt: number, result: AttemptResult, ms: number, willRetry: boolean): void {
  const ms1 = Math.round(ms * 10) / 10;
  if (result.ok) {
    log.info({ event: event.attributes.id, type: event.attributes.type, attempt, status: result.status, ms: ms1, outcome: result.reply ? 'replied' : 'delivered' }, 'delivery');
  } else {
    const outcome = willRetry ? 'retrying' : 'failed';
    log.warn({ event: event.attributes.id, type: event.attributes.type, attempt, status: result.status, ms: ms1, outcome, reason: result.reason }, 'delivery');
  }
}
