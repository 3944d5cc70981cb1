import { Kafka, logLevel as KafkaLogLevel, type Consumer, type ConsumerConfig, type EachBatchPayload, type KafkaMessage, type LogEntry } from 'kafkajs';
import type { KafkaSourceManifest } from '../../manifests/kafka-source.js';
import type { Logger } from '../../observability/logger.js';
import type { SinkDelivery, SourceFate } from '../sink-delivery.js';
import { backoffAfterFailures } from '../../runtime/retry-backoff.js';
import type { EventSource, SourceStats } from '../source.js';
import { recordToEvent } from './record-to-event.js';

export interface KafkaSourceOptions {
  /** Replaces spec.bootstrapServers, which name cluster addresses (EVENTYARD_KAFKA_BOOTSTRAP_SERVERS). */
  readonly bootstrapServers?: readonly string[];
  /** kafkajs consumer settings (session timeout, max wait…), for peers that need other timings. */
  readonly consumer?: Partial<ConsumerConfig>;
}

/**
 * kafkajs defaults suit a remote cluster; locally a restarted `dev` rejoins its group sooner and an
 * idle topic's first record arrives without waiting out a 5 s fetch.
 */
const LOCAL_CONSUMER_DEFAULTS: Partial<ConsumerConfig> = { sessionTimeout: 10_000, heartbeatInterval: 1_000, maxWaitTimeInMs: 500 };

/** Unordered deliveries in flight per consumer, across its partitions. */
const UNORDERED_IN_FLIGHT = 256;

/** Records started between two heartbeat checks of an unordered batch. */
const HEARTBEAT_EVERY = 64;

/** Thrown out of a handler so that kafkajs neither resolves nor commits the record's offset. */
class Interrupted extends Error {}

/**
 * A KafkaSource in the local runtime, on kafkajs: `consumers` group members read `topics`, map
 * each record to a CloudEvent (knative-spec §5.11-5.13) and deliver it to the sink. An offset is
 * committed only once its record was delivered, dead-lettered or dropped after every retry, so a
 * crash re-reads what was in flight (at-least-once). Ordered: one record in flight per partition.
 * Unordered: records of a batch in parallel, committing only up to the first one not yet done.
 */
export class KafkaSourceAdapter implements EventSource {
  private readonly consumers: Consumer[] = [];
  private readonly log: Logger;
  private readonly brokers: readonly string[];
  private state: SourceStats['state'] = 'connecting';
  private error: string | undefined;
  private failures = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly counts = { received: 0, delivered: 0, deadLettered: 0, dropped: 0, inFlight: 0 };

  constructor(
    private readonly manifest: KafkaSourceManifest,
    private readonly delivery: SinkDelivery,
    logger: Logger,
    private readonly options: KafkaSourceOptions = {},
  ) {
    this.log = logger.child({ source: `KafkaSource ${manifest.metadata.namespace}/${manifest.metadata.name}` });
    this.brokers = options.bootstrapServers ?? manifest.bootstrapServers;
  }

  stats(): SourceStats {
    const { kind, metadata } = this.manifest;
    return { kind, namespace: metadata.namespace, name: metadata.name, state: this.state, error: this.error, sink: this.delivery.route.sink.url, ...this.counts };
  }

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.state = 'stopped';
    clearTimeout(this.retryTimer);
    // kafkajs waits for the handlers running now; deliveries interrupted by the runtime's stop
    // throw, so their offsets stay uncommitted.
    await Promise.all(this.consumers.splice(0).map((c) => c.disconnect().catch(() => undefined)));
  }

  private async connect(): Promise<void> {
    const { manifest } = this;
    const kafka = new Kafka({
      clientId: `eventyard-kafkasource-${manifest.metadata.namespace}-${manifest.metadata.name}`,
      brokers: [...this.brokers],
      connectionTimeout: 3000,
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5000 },
      // kafkajs' own lines are detail: they go to the debug level; this adapter logs what matters.
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.log.debug({ kafkajs: entry.namespace, ...entry.log }, entry.log.message),
    });
    try {
      for (let i = 0; i < manifest.consumers; i++) {
        const consumer = kafka.consumer({ ...LOCAL_CONSUMER_DEFAULTS, retry: { retries: 5 }, ...this.options.consumer, groupId: manifest.consumerGroup });
        this.consumers.push(consumer);
        consumer.on(consumer.events.CRASH, ({ payload }) => {
          if (payload.restart || this.stopped) return;
          this.fail(payload.error);
        });
        await consumer.connect();
        await consumer.subscribe({ topics: [...manifest.topics], fromBeginning: manifest.initialOffset === 'earliest' });
        await this.run(consumer);
      }
      this.failures = 0;
      this.state = 'running';
      this.error = undefined;
      this.log.info({ brokers: this.brokers, topics: manifest.topics, group: manifest.consumerGroup, consumers: manifest.consumers, ordering: manifest.ordering }, 'consuming');
    } catch (err) {
      this.fail(err as Error);
    }
  }

  /** Unreachable Kafka, or a consumer that gave up: say so, and try again later. */
  private fail(err: Error): void {
    if (this.stopped) return;
    this.failures++;
    const delay = backoffAfterFailures(this.failures);
    this.state = 'retrying';
    this.error = `${err.name}: ${err.message}`;
    this.log.warn(
      { brokers: this.brokers, error: this.error, retryInMs: delay },
      `cannot consume from Kafka at ${this.brokers.join(',')}; retrying (set EVENTYARD_KAFKA_BOOTSTRAP_SERVERS to a reachable Kafka)`,
    );
    const consumers = this.consumers.splice(0);
    void Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined))).then(() => {
      if (!this.stopped) this.retryTimer = setTimeout(() => void this.connect(), delay).unref();
    });
  }

  private run(consumer: Consumer): Promise<void> {
    if (this.manifest.ordering === 'ordered') {
      return consumer.run({
        // Partitions are independent: each gets its own sequential loop.
        partitionsConsumedConcurrently: 64,
        eachMessage: async ({ topic, partition, message }) => {
          const fate = await this.deliver(topic, partition, message);
          if (fate === 'interrupted') throw new Interrupted('stopped before the delivery ended');
        },
      });
    }
    return consumer.run({ partitionsConsumedConcurrently: 64, eachBatchAutoResolve: false, eachBatch: (payload) => this.unorderedBatch(payload) });
  }

  /** Every record of the batch in flight at once (bounded); offsets resolve in order as they finish. */
  private async unorderedBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const done = new Set<string>();
    let next = 0; // index of the first record whose offset is not resolved yet
    let interrupted = false;
    const advance = () => {
      while (next < batch.messages.length && done.has(batch.messages[next]!.offset)) resolveOffset(batch.messages[next++]!.offset);
    };
    const running = new Set<Promise<void>>();
    let started = 0;
    for (const message of batch.messages) {
      if (!isRunning() || isStale() || interrupted) break;
      while (running.size >= UNORDERED_IN_FLIGHT) await Promise.race(running);
      const p: Promise<void> = this.deliver(batch.topic, batch.partition, message).then((fate) => {
        running.delete(p);
        if (fate === 'interrupted') interrupted = true;
        else done.add(message.offset);
        advance();
      });
      running.add(p);
      // kafkajs sends a heartbeat only when one is due; asking every record would cost a promise each.
      if (++started % HEARTBEAT_EVERY === 0) void heartbeat().catch(() => undefined);
    }
    await Promise.all(running);
    await heartbeat().catch(() => undefined);
    if (interrupted) throw new Interrupted('stopped before every delivery of the batch ended');
  }

  private async deliver(topic: string, partition: number, message: KafkaMessage): Promise<SourceFate> {
    const { manifest } = this;
    this.counts.received++;
    this.counts.inFlight++;
    try {
      const event = recordToEvent({ topic, partition, ...message }, { namespace: manifest.metadata.namespace, name: manifest.metadata.name, keyType: manifest.keyType, ceOverrides: manifest.ceOverrides });
      const fate = await this.delivery.deliver(event);
      if (fate === 'delivered') this.counts.delivered++;
      else if (fate === 'dead-lettered') this.counts.deadLettered++;
      else if (fate === 'dropped') this.counts.dropped++;
      return fate;
    } finally {
      this.counts.inFlight--;
    }
  }
}
