import { withAttributes, type CloudEvent } from '../events/event.js';
import { encodeHttpEvent, type ContentMode, type HttpMessage } from '../events/http-binding.js';
import type { AttemptResult } from '../delivery/attempt.js';
import { deadLetterEvent } from '../delivery/dead-letter.js';
import { deliverWithRetries } from '../delivery/deliver.js';
import { HttpSender, type HttpTarget } from '../delivery/http-sender.js';
import type { RetryPolicy } from '../delivery/retry-policy.js';
import type { EventFilter } from '../filters/filter.js';
import type { Logger } from '../observability/logger.js';
import { emptyCounts, type DeliveryFate, type DeliveryRecord, type RecentList } from '../observability/trigger-stats.js';
import type { Broker, BrokerSubscriber } from './broker.js';
import type { BrokerMessage } from './message.js';
import { TTL_EXTENSION } from './ttl.js';

/** A Trigger with everything resolved: what it matches, where it delivers, how it retries. */
export interface TriggerRoute {
  readonly namespace: string;
  readonly name: string;
  readonly filter: EventFilter;
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

/**
 * Delivers one Trigger's events. Every matched event is delivered on its own (no ordering, as with
 * the MT broker) through this Trigger's own connection pool, so one slow or failing subscriber never
 * holds up another Trigger.
 */
export class TriggerDispatcher implements BrokerSubscriber {
  readonly counts = emptyCounts();
  private readonly sender = new HttpSender();
  private readonly key: string;

  constructor(
    readonly route: TriggerRoute,
    private readonly broker: Broker,
    private readonly context: DispatcherContext,
  ) {
    this.key = `${route.namespace}/${route.name}`;
  }

  offer(message: BrokerMessage): void {
    if (this.route.filter.evaluate(message.event) === 'fail') return;
    this.counts.matched++;
    this.counts.inFlight++;
    this.deliver(message)
      .catch((err: unknown) => {
        // A bug must not lose the count: the event is accounted as dropped and the bug is loud.
        this.context.logger.error({ trigger: this.key, event: message.event.attributes.id, err }, 'delivery crashed');
        this.counts.dropped++;
      })
      .finally(() => this.counts.inFlight--);
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
      signal: this.context.signal,
      onAttempt: (attempt, result, ms, willRetry) => {
        if (attempt > 1) this.counts.retried++;
        this.logAttempt(event, route.subscriber.url, attempt, result, ms, willRetry);
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
    this.context.logger.warn({ trigger: this.key, event: event.attributes.id, reply: reply.attributes.id, reason: ingested.reason }, 'reply refused');
    const failure: Failure = { ok: false, status: ingested.status, retryable: false, reason: ingested.reason, body: Buffer.from(ingested.reason) };
    return this.deadLetter(message, this.broker.address, failure, attempts, replyInfo);
  }

  private async deadLetter(message: BrokerMessage, failedDestination: string, failure: Failure, attempts: number, reply?: DeliveryRecord['reply']): Promise<void> {
    const { event } = message;
    const dls = this.route.deadLetterSink;
    if (!dls) {
      this.context.logger.warn({ trigger: this.key, event: event.attributes.id, status: failure.status, reason: failure.reason }, 'dropped: delivery failed and the Trigger has no dead-letter sink');
      return this.finish(event, 'dropped', attempts, failure.status, failedDestination, failure.reason, reply);
    }
    // The TTL stays on the dead-lettered event: a sink that leads back into a broker still ends.
    const dead = deadLetterEvent(withAttributes(event, { [TTL_EXTENSION]: String(message.ttl) }), failedDestination, failure);
    const outcome = await deliverWithRetries({
      sender: this.sender,
      target: dls,
      request: withHeaders(encodeHttpEvent(dead, this.route.mode), { 'kn-namespace': this.route.namespace }),
      policy: this.route.policy,
      signal: this.context.signal,
      onAttempt: (attempt, result, ms, willRetry) => this.logAttempt(dead, dls.url, attempt, result, ms, willRetry, 'dead-letter'),
    });
    if (outcome.result.ok) return this.finish(event, 'dead-lettered', attempts, failure.status, failedDestination, failure.reason, reply);
    this.context.logger.error({ trigger: this.key, event: event.attributes.id, reason: outcome.result.reason }, 'dropped: the dead-letter sink failed too');
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

  private logAttempt(event: CloudEvent, destination: string, attempt: number, result: AttemptResult, ms: number, willRetry: boolean, hop = 'subscriber'): void {
    const line = {
      event: event.attributes.id,
      type: event.attributes.type,
      trigger: this.key,
      hop,
      destination,
      attempt,
      status: result.status,
      ms: Math.round(ms * 10) / 10,
      outcome: result.ok ? (result.reply ? 'replied' : 'delivered') : willRetry ? 'retrying' : 'failed',
      ...(result.ok ? {} : { reason: result.reason }),
    };
    if (result.ok) this.context.logger.info(line, 'delivery');
    else this.context.logger.warn(line, 'delivery');
  }
}

function withHeaders(message: HttpMessage, headers: Record<string, string>): HttpMessage {
  return { headers: { ...headers, ...message.headers }, body: message.body };
}
