import type { CloudEvent } from 'cloudevents';
import { sinkFromEnv } from '../../src/function-kit/sink.js';
import { kafkaTileSender } from './kafka-tiles.js';

/** Sends the tile events of one order. */
export interface TileSender {
  /** Where the tiles go, for logs and errors. */
  readonly describe: string;
  send(tiles: readonly CloudEvent<unknown>[]): Promise<void>;
}

/** How many tile events are in flight to the sink at once. */
const SINK_PARALLEL = 8;

let cached: { key: string; sender: TileSender } | undefined;

/**
 * Kafka exactly when KAFKA_BOOTSTRAP_SERVERS is set (topic RENDER_TILES_TOPIC, default
 * rendering-requests, which the KafkaSource sources/rendering-kafka.yaml reads), else the sink the
 * SinkBinding gives (K_SINK). One sender per process, so a Kafka producer is reused.
 */
export function tileSenderFromEnv(env: NodeJS.ProcessEnv = process.env): TileSender {
  const key = `${env.KAFKA_BOOTSTRAP_SERVERS ?? ''}|${env.RENDER_TILES_TOPIC ?? ''}|${env.K_SINK ?? ''}`;
  if (cached?.key === key) return cached.sender;
  const sender = env.KAFKA_BOOTSTRAP_SERVERS
    ? kafkaTileSender(env.KAFKA_BOOTSTRAP_SERVERS.split(',').map((s) => s.trim()).filter(Boolean), env.RENDER_TILES_TOPIC || 'rendering-requests')
    : sinkTileSender(env);
  cached = { key, sender };
  return sender;
}

function sinkTileSender(env: NodeJS.ProcessEnv): TileSender {
  const sink = sinkFromEnv(env);
  return {
    describe: `the sink ${sink.url}`,
    async send(tiles) {
      for (let i = 0; i < tiles.length; i += SINK_PARALLEL) await Promise.all(tiles.slice(i, i + SINK_PARALLEL).map((t) => sink.send(t)));
    },
  };
}
