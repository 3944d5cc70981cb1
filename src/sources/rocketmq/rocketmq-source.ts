/**
 * The RocketMQSource adapter (`sources.eventyard.dev/v1alpha1`, this project's own CRD): reads a topic
 * through a RocketMQ 5 proxy with the official client (rocketmq-client-nodejs, gRPC), maps each message
 * to a CloudEvent (./MAPPING.md) and delivers it to the sink with the source's retries and dead-letter
 * sink. The same class runs in `eventyard dev` and, on a cluster, in `eventyard rocketmq-adapter`.
 *
 * Why a SimpleConsumer, not a PushConsumer: the adapter decides when a message is acked, and the
 * SimpleConsumer leaves exactly that to its caller (receive, ack, changeInvisibleDuration). The
 * PushConsumer acks or nacks on the return value of a listener, retries on its own, opens a log file
 * under $HOME whatever logger it is given, and takes its long poll from the server's settings.
 *
 * At-least-once: a message is acked only once its delivery ended 'delivered', 'dead-lettered' or
 * 'dropped' (every retry failed and there is no dead-letter sink, or that failed too: the KafkaSource
 * commits its offset then as well, knative-spec §5.15). A message whose delivery is 'interrupted' (the
 * source stopped), or whose process died, is never acked: the proxy hands it out again once its
 * invisible duration is over, with the same message id, so the same event id.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { format } from 'node:util';
import { BadRequestException, SimpleConsumer, type MessageView } from 'rocketmq-client-nodejs';
import type { RocketMQSourceManifest } from '../../manifests/rocketmq-source.js';
import type { Logger } from '../../observability/logger.js';
import type { SinkDelivery } from '../sink-delivery.js';
import { backoffAfterFailures } from '../../runtime/retry-backoff.js';
import type { EventSource, SourceStats } from '../source.js';
import { messageToEvent } from './message-to-event.js';

export interface RocketMQSourceOptions {
  /** Replaces spec.endpoints, which names a cluster address (--rocketmq-endpoints, EVENTYARD_ROCKETMQ_ENDPOINTS). */
  readonly endpoints?: string | undefined;
  /** Deliveries in flight at most, messages waiting behind others of their message group included. Default 64. */
  readonly maxInFlight?: number | undefined;
  /**
   * How long a received message stays invisible to other consumers; renewed every third of it while
   * its delivery runs, so it is also how soon a crashed adapter's messages come back. Default 30 s;
   * a real proxy refuses less than 10 s (minInvisibleTimeMillsForRecv).
   */
  readonly invisibleDurationMs?: number | undefined;
  /** Long poll of one receive. Default 5 s, the least a real proxy waits (it clamps to 5-20 s). */
  readonly awaitDurationMs?: number | undefined;
  /** Timeout of one gRPC request to the proxy. Default 3 s; the client's minimum is 1 s. */
  readonly requestTimeoutMs?: number | undefined;
}

const DEFAULT_MAX_IN_FLIGHT = 64;
const DEFAULT_INVISIBLE_MS = 30_000;
const DEFAULT_AWAIT_MS = 5_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 3_000;
/** A real proxy's default receive batch (grpcClientConsumerLongPollingBatchSize). */
const RECEIVE_BATCH = 32;
/** startup() waits for the proxy's settings with no timeout of its own. */
const STARTUP_TIMEOUT_MS = 20_000;
const ACK_ATTEMPTS = 3;

export class RocketMQSourceAdapter implements EventSource {
  private readonly log: Logger;
  private readonly endpoints: string;
  private readonly maxInFlight: number;
  private readonly invisibleMs: number;
  private readonly awaitMs: number;
  private readonly requestTimeoutMs: number;
  private state: SourceStats['state'] = 'connecting';
  private error: string | undefined;
  private failures = 0;
  private readonly counts = { received: 0, delivered: 0, deadLettered: 0, dropped: 0 };
  /** One per received message until it is acked or let go. */
  private readonly tasks = new Set<Promise<void>>();
  /** The last task of each message group: the next message of the group waits for it. */
  private readonly groupTails = new Map<string, Promise<void>>();
  private readonly halt = new AbortController();
  private readonly whenStopped = new Promise<void>((resolve) => this.halt.signal.addEventListener('abort', () => resolve(), { once: true }));
  private consumer: Client | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly manifest: RocketMQSourceManifest,
    private readonly delivery: SinkDelivery,
    logger: Logger,
    options: RocketMQSourceOptions = {},
  ) {
    this.log = logger.child({ source: `RocketMQSource ${manifest.metadata.namespace}/${manifest.metadata.name}` });
    this.endpoints = options.endpoints ?? manifest.endpoints;
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.invisibleMs = options.invisibleDurationMs ?? DEFAULT_INVISIBLE_MS;
    this.awaitMs = options.awaitDurationMs ?? DEFAULT_AWAIT_MS;
    this.requestTimeoutMs = Math.max(1000, options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS);
  }

  stats(): SourceStats {
    const { kind, metadata } = this.manifest;
    return {
      kind,
      namespace: metadata.namespace,
      name: metadata.name,
      state: this.state,
      error: this.error,
      sink: this.delivery.route.sink.url,
      ...this.counts,
      inFlight: this.tasks.size,
    };
  }

  start(): void {
    if (this.loop || this.halt.signal.aborted) return;
    this.loop = this.run().catch((err: unknown) => {
      // Not expected: every step handles its own errors. Say so rather than fail silently.
      this.state = 'stopped';
      this.error = describe(err);
      this.log.error({ error: this.error }, 'the RocketMQ source stopped on an unexpected error');
    });
  }

  /**
   * Stops receiving, waits for the deliveries in flight to end and acks them (those that end
   * 'interrupted' are not acked and come back later), then closes the client.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.halt.abort();
      this.state = 'stopped';
      // A pending long poll is not waited for: the client cannot cancel it, and what it brings is
      // neither delivered nor acked (the proxy hands it out again); the loop ends when it returns.
      await Promise.all(this.tasks);
      const consumer = this.consumer;
      this.consumer = undefined;
      if (consumer) await closeClient(consumer);
    })();
    return this.stopping;
  }

  private get stopped(): boolean {
    return this.halt.signal.aborted;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      const consumer = await this.connect();
      if (consumer) await this.consume(consumer);
    }
  }

  /** A started client, or undefined after a failure (already logged and waited for) or a stop. */
  private async connect(): Promise<Client | undefined> {
    const { manifest } = this;
    let consumer: Client | undefined;
    try {
      consumer = guardTelemetry(
        new SimpleConsumer({
          endpoints: this.endpoints,
          namespace: '',
          sslEnabled: false,
          requestTimeout: this.requestTimeoutMs,
          logger: clientLogger(this.log),
          consumerGroup: manifest.consumerGroup,
          subscriptions: new Map([[manifest.topic, manifest.tag]]),
          awaitDuration: this.awaitMs,
        }),
      );
      const started = consumer.startup();
      started.catch(() => undefined); // it may settle after a stop or a timeout, with nobody awaiting it
      const timeout = new AbortController();
      const outcome = await Promise.race([
        started.then(() => 'started' as const),
        sleep(STARTUP_TIMEOUT_MS, 'timeout' as const, { signal: timeout.signal }).catch(() => 'cancelled' as const),
        this.whenStopped.then(() => 'stopped' as const),
      ]).finally(() => timeout.abort());
      if (outcome === 'stopped' || this.stopped) {
        await closeClient(consumer);
        return undefined;
      }
      if (outcome !== 'started') throw new Error(`the proxy sent no settings within ${STARTUP_TIMEOUT_MS / 1000} s`);
    } catch (err) {
      if (consumer) await closeClient(consumer);
      if (!this.stopped) await this.retryLater(`cannot connect to the RocketMQ proxy at ${this.endpoints}`, err);
      return undefined;
    }
    this.consumer = consumer;
    this.recovered();
    this.log.info(
      { endpoints: this.endpoints, topic: manifest.topic, tag: manifest.tag, group: manifest.consumerGroup, maxInFlight: this.maxInFlight },
      'consuming',
    );
    return consumer;
  }

  /** Receives while there is room, until stopped. */
  private async consume(consumer: Client): Promise<void> {
    while (!this.stopped) {
      if (this.tasks.size >= this.maxInFlight) {
        await Promise.race([...this.tasks, this.whenStopped]);
        continue;
      }
      let views: MessageView[];
      try {
        views = await consumer.receive(Math.min(RECEIVE_BATCH, this.maxInFlight - this.tasks.size), this.invisibleMs);
      } catch (err) {
        // The client reconnects its channel by itself; the same client (and its receipt handles) goes on.
        if (!this.stopped) await this.retryLater(`cannot receive from the RocketMQ proxy at ${this.endpoints}`, err);
        continue;
      }
      // Received while stopping: not delivered, so not acked; the proxy hands them out again.
      if (this.stopped) break;
      this.recovered();
      for (const view of views) this.dispatch(consumer, view);
    }
  }

  private dispatch(consumer: Client, view: MessageView): void {
    this.counts.received++;
    const hold = new Hold(consumer, view, this.invisibleMs, this.log);
    // In order per message group (FIFO topics): a message starts when the one before it ended.
    const group = view.messageGroup || undefined;
    const before = group === undefined ? undefined : this.groupTails.get(group);
    const task: Promise<void> = (async () => {
      if (before) await before;
      await hold.end(await this.process(view));
    })()
      .catch((err: unknown) => this.log.error({ message: view.messageId, error: describe(err) }, 'unexpected error while handling a message; it is not acked'))
      .finally(() => {
        this.tasks.delete(task);
        if (group !== undefined && this.groupTails.get(group) === task) this.groupTails.delete(group);
      });
    this.tasks.add(task);
    if (group !== undefined) this.groupTails.set(group, task);
  }

  /** Delivers one message; true when it may be acked. */
  private async process(view: MessageView): Promise<boolean> {
    const { manifest } = this;
    const where = { message: view.messageId, topic: view.topic, attempt: view.deliveryAttempt };
    if (view.corrupted) {
      // Its body does not match the digest the broker stored: no event is built from it. Like the
      // official PushConsumer, it is not acked: the proxy sends a fresh copy after the invisible
      // duration, and after the consumer group's max delivery attempts the broker moves it to the
      // group's dead-letter queue (%DLQ%<group>), where RocketMQ's tools can look at it.
      this.log.error(where, 'corrupted message (body digest mismatch): not delivered, not acked; the proxy redelivers it, then dead-letters it to %DLQ%<group>');
      return false;
    }
    let event;
    try {
      event = messageToEvent(view, { namespace: manifest.metadata.namespace, name: manifest.metadata.name, ceOverrides: manifest.ceOverrides });
    } catch (err) {
      this.log.error({ ...where, error: describe(err) }, 'cannot map the message to a CloudEvent: not acked; the proxy redelivers it, then dead-letters it to %DLQ%<group>');
      return false;
    }
    const fate = await this.delivery.deliver(event);
    if (fate === 'delivered') this.counts.delivered++;
    else if (fate === 'dead-lettered') this.counts.deadLettered++;
    else if (fate === 'dropped') this.counts.dropped++;
    return fate !== 'interrupted';
  }

  private recovered(): void {
    if (this.stopped) return;
    if (this.state === 'retrying') this.log.info({ endpoints: this.endpoints }, 'the RocketMQ proxy is reachable again');
    this.state = 'running';
    this.error = undefined;
    this.failures = 0;
  }

  /** Says what failed, where, and when it is tried again; then waits (a stop cuts the wait short). */
  private async retryLater(what: string, err: unknown): Promise<void> {
    this.failures++;
    const delay = backoffAfterFailures(this.failures);
    this.state = 'retrying';
    this.error = `${what}: ${rootCause(err)}`;
    this.log.warn(
      { endpoints: this.endpoints, topic: this.manifest.topic, group: this.manifest.consumerGroup, error: this.error, retryInMs: delay },
      `${this.error}; retrying in ${delay / 1000} s (is spec.endpoints, or the --rocketmq-endpoints override, a reachable RocketMQ 5 proxy?)`,
    );
    // A timer that holds the process: while the proxy is down it is all the adapter waits on.
    await sleep(delay, undefined, { signal: this.halt.signal }).catch(() => undefined);
  }
}

/**
 * A received message held invisible to other consumers while its delivery runs: every third of the
 * invisible duration it asks for another full one. Renewing, rather than receiving with the delivery
 * policy's worst case (11 attempts of up to 600 s each with the defaults: about two hours), keeps a
 * crashed adapter's messages away for one invisible duration only. Renewals and the ack run one
 * after the other, since each renewal replaces the receipt handle the ack needs.
 */
class Hold {
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private ended = false;

  constructor(
    private readonly consumer: Client,
    private readonly view: MessageView,
    private readonly invisibleMs: number,
    private readonly log: Logger,
  ) {
    this.schedule();
  }

  /** Stops renewing; acks when `ack`. Never throws: a failed ack means the message comes again. */
  async end(ack: boolean): Promise<void> {
    this.ended = true;
    clearTimeout(this.timer);
    await this.chain;
    if (!ack) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.consumer.ack(this.view);
        return;
      } catch (err) {
        // A handle the proxy no longer knows (it expired) will not become valid by asking again.
        if (err instanceof BadRequestException || attempt >= ACK_ATTEMPTS) {
          this.log.warn({ message: this.view.messageId, error: rootCause(err) }, 'could not ack the message; the proxy will deliver it again (a duplicate)');
          return;
        }
        await sleep(200 * attempt);
      }
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.chain = this.chain.then(() => this.renew());
    }, this.invisibleMs / 3);
  }

  private async renew(): Promise<void> {
    if (this.ended) return;
    try {
      await this.consumer.changeInvisibleDuration(this.view, this.invisibleMs);
    } catch (err) {
      const expired = err instanceof BadRequestException;
      this.log.warn(
        { message: this.view.messageId, error: rootCause(err) },
        expired
          ? 'the proxy no longer holds the message for this adapter; it will be delivered again (a duplicate)'
          : 'could not extend the message\'s invisible duration; trying again',
      );
      if (expired) return;
    }
    if (!this.ended) this.schedule();
  }
}

type Client = SimpleConsumer;

/** The client's own log lines go to the adapter's logger at debug level, never to a file under $HOME. */
function clientLogger(log: Logger) {
  const line = (level: string) => (...args: unknown[]) => {
    if (log.isLevelEnabled('debug')) log.debug({ rocketmqClient: level }, format(...args));
  };
  const quiet = () => {};
  return { info: quiet, debug: quiet, warn: line('warn'), error: line('error'), close: quiet };
}

/**
 * rocketmq-client-nodejs re-opens a broken telemetry stream from a 1 s timer that shutdown() cannot
 * cancel, which would reconnect after the adapter stopped (and loop while the proxy is down); and it
 * lets go of a stream by removing all its listeners, so a late gRPC error on it would be an unhandled
 * 'error' event. This wraps the client's stream factory against both.
 */
function guardTelemetry(consumer: SimpleConsumer): SimpleConsumer {
  const client = consumer as unknown as TelemetryFactory;
  const open = client.createTelemetryStream.bind(consumer);
  client.createTelemetryStream = (endpoints) => {
    if (closed.has(consumer)) return inertStream();
    const stream = open(endpoints);
    const removeAll = stream.removeAllListeners.bind(stream);
    stream.removeAllListeners = ((event?: string | symbol) => {
      removeAll(event);
      stream.on('error', () => {});
      return stream;
    }) as typeof stream.removeAllListeners;
    return stream;
  };
  return consumer;
}

interface TelemetryFactory {
  createTelemetryStream(endpoints: unknown): EventEmitter;
}

const closed = new WeakSet<SimpleConsumer>();

function inertStream(): EventEmitter {
  return Object.assign(new EventEmitter(), { write: () => true, end: () => {} });
}

/** shutdown(), and what it leaves undone when telling the proxy fails (the proxy is gone). */
async function closeClient(consumer: SimpleConsumer): Promise<void> {
  closed.add(consumer);
  try {
    await consumer.shutdown();
  } catch {
    // shutdown() stops at NotifyClientTermination, before closing its streams and channels.
    const client = consumer as unknown as { getTotalRouteEndpoints(): Parameters<SimpleConsumer['getTelemetrySession']>[0][] };
    try {
      for (const endpoints of client.getTotalRouteEndpoints()) consumer.getTelemetrySession(endpoints).release();
    } finally {
      consumer.getRpcClientManager().close();
    }
  }
}

/** The innermost cause: the client wraps a gRPC error in two layers of "startup failed". */
function rootCause(err: unknown): string {
  let e = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return describe(e).replace(/\s*Resolution note:\s*$/, '');
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
