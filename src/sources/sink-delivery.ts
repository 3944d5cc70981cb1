import type { CloudEvent } from '../events/event.js';
import { encodeHttpEvent, type ContentMode, type HttpMessage } from '../events/http-binding.js';
import type { AttemptResult } from '../delivery/attempt.js';
import { deadLetterEvent } from '../delivery/dead-letter.js';
import { deliverWithRetries } from '../delivery/deliver.js';
import { HttpSender, type HttpTarget } from '../delivery/http-sender.js';
import type { RetryPolicy } from '../delivery/retry-policy.js';
import type { Logger } from '../observability/logger.js';

/**
 * Where an event read by a source ended. The source moves past it (commit, ack) in every case but
 * 'interrupted': the source was stopped before the event's delivery ended, so it must be read again.
 */
export type SourceFate = 'delivered' | 'dead-lettered' | 'dropped' | 'interrupted';

export interface SinkRoute {
  readonly sink: HttpTarget;
  readonly deadLetterSink?: HttpTarget;
  readonly policy: RetryPolicy;
  /** Binary unless spec.delivery.format is json. */
  readonly mode: ContentMode;
  /** The source's namespace, sent as Kn-Namespace. */
  readonly namespace: string;
}

/**
 * Delivers a source's events to its sink the way Knative's source adapters do: binary mode (or
 * structured, with delivery.format json),
 * retries and backoff of `spec.delivery`, the original event to the dead-letter sink when every
 * attempt failed, and replies ignored (a source never forwards them, knative-spec §4.12).
 */
export class SinkDelivery {
  private readonly sender: HttpSender;
  private readonly sinkLog: Logger;
  private readonly deadLetterLog: Logger | undefined;

  constructor(
    readonly route: SinkRoute,
    private readonly log: Logger,
    private readonly signal: AbortSignal,
    connections: number,
  ) {
    this.sender = new HttpSender(connections);
    this.sinkLog = log.child({ hop: 'sink', destination: route.sink.url });
    this.deadLetterLog = route.deadLetterSink && log.child({ hop: 'dead-letter', destination: route.deadLetterSink.url });
  }

  /** Never throws: every event ends delivered, dead-lettered, dropped (logged) or interrupted. */
  async deliver(event: CloudEvent): Promise<SourceFate> {
    const { route } = this;
    const first = await this.send(route.sink, event, this.sinkLog);
    if (first.ok) return 'delivered';
    if (this.signal.aborted) return 'interrupted';
    if (!route.deadLetterSink) {
      this.log.warn({ event: event.attributes.id, status: first.status, reason: first.reason }, 'dropped: delivery failed and the source has no dead-letter sink');
      return 'dropped';
    }
    const dead = deadLetterEvent(event, route.sink.url, first);
    const second = await this.send(route.deadLetterSink, dead, this.deadLetterLog!);
    if (second.ok) return 'dead-lettered';
    if (this.signal.aborted) return 'interrupted';
    this.log.error({ event: event.attributes.id, reason: second.reason }, 'dropped: the dead-letter sink failed too');
    return 'dropped';
  }

  close(): Promise<void> {
    return this.sender.destroy();
  }

  /** The headers object is fresh, so it is added to in place. */
  private encode(event: CloudEvent): HttpMessage {
    const message = encodeHttpEvent(event, this.route.mode);
    message.headers.prefer = 'reply';
    message.headers['kn-namespace'] = this.route.namespace;
    return message;
  }

  private async send(target: HttpTarget, event: CloudEvent, log: Logger): Promise<AttemptResult> {
    const { result } = await deliverWithRetries({
      sender: this.sender,
      target,
      request: this.encode(event),
      policy: this.route.policy,
      replies: 'ignored',
      signal: this.signal,
      onAttempt: (attempt, r, ms, willRetry) => {
        const line = { event: event.attributes.id, type: event.attributes.type, attempt, status: r.status, ms: Math.round(ms * 10) / 10 };
        if (r.ok) log.info({ ...line, outcome: 'delivered' }, 'delivery');
        else log.warn({ ...line, outcome: willRetry ? 'retrying' : 'failed', reason: r.reason }, 'delivery');
      },
    });
    return result;
  }
}
