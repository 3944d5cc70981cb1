/** What a running source reports to the API and the dashboard. */
export interface SourceStats {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** connecting: not yet consuming; running: consuming; retrying: the peer is unreachable, retrying. */
  readonly state: 'connecting' | 'running' | 'retrying' | 'stopped';
  /** The last connection error, while retrying. */
  readonly error?: string;
  readonly sink: string;
  readonly received: number;
  readonly delivered: number;
  readonly deadLettered: number;
  readonly dropped: number;
  readonly inFlight: number;
}

/** An event source run by the local runtime (KafkaSource, RocketMQSource). */
export interface EventSource {
  stats(): SourceStats;
  /** Connects and consumes in the background; connection failures are retried, never thrown. */
  start(): void;
  /** Stops consuming; events in flight finish (or fail) and are committed as they end. */
  stop(): Promise<void>;
}
