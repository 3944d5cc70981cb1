import type { CloudEvent } from 'cloudevents';
import { Kafka, logLevel, type IHeaders, type Message, type Producer } from 'kafkajs';
import type { TileSender } from './tile-sender.js';

/**
 * Tiles as records of a Kafka topic, as the original render farm sent them: one record per tile,
 * keyed `<renderingId>/<x>-<y>`, each tile of an order on its own partition (tile index modulo
 * the partition count), so that as many consumers as partitions render in parallel. Records are
 * CloudEvents in Kafka binary mode (ce_* headers), which the KafkaSource turns back into events.
 */
export function kafkaTileSender(brokers: string[], topic: string): TileSender {
  // The partition of each record, by key: a partitioner sees the record and the topic's partitions.
  const tileIndex = new Map<string, number>();
  const kafka = new Kafka({ clientId: 'render-order', brokers, logLevel: logLevel.WARN, retry: { retries: 5, initialRetryTime: 200 } });
  const producer: Producer = kafka.producer({
    allowAutoTopicCreation: true,
    createPartitioner:
      () =>
      ({ partitionMetadata, message }) => {
        const index = tileIndex.get(String(message.key)) ?? 0;
        return index % Math.max(1, partitionMetadata.length);
      },
  });
  let connected: Promise<void> | undefined;
  return {
    describe: `Kafka topic ${topic} at ${brokers.join(',')}`,
    async send(tiles) {
      connected ??= producer.connect().catch((err: unknown) => {
        connected = undefined;
        throw err;
      });
      await connected;
      const messages: Message[] = tiles.map((event, i) => {
        const key = `${String(event.renderingid)}/${String(event.subject).replace(/^tiles\//, '')}`;
        tileIndex.set(key, i);
        return { key, value: JSON.stringify(event.data), headers: binaryHeaders(event) };
      });
      try {
        await producer.send({ topic, messages, acks: -1 });
      } finally {
        for (const m of messages) tileIndex.delete(String(m.key));
      }
    },
  };
}

/** Kafka binary content mode: every attribute as a ce_<name> header, the data as the value. */
function binaryHeaders(event: CloudEvent<unknown>): IHeaders {
  const headers: IHeaders = { 'content-type': event.datacontenttype ?? 'application/json' };
  for (const [name, value] of Object.entries(event.toJSON())) {
    if (name === 'data' || name === 'data_base64' || name === 'datacontenttype' || value === undefined) continue;
    headers[`ce_${name}`] = String(value);
  }
  return headers;
}
