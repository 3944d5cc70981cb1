import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describeWithPeer } from './peer-suite.js';
import { logLevel, type ConsumerConfig, type KafkaConfig, type ProducerConfig, type RetryOptions } from 'kafkajs';

/**
 * A real Kafka-protocol peer for tests: librdkafka's mock cluster run by `mockkafka`
 * (tests/peers/kafka). It speaks the wire protocol on 127.0.0.1 with consumer groups, offsets and
 * headers, but has no admin CreateTopics/DeleteTopics/DescribeGroups and no transactions: create
 * topics with `startKafkaPeer({ topics })` or `peer.createTopic()`.
 *
 *   const kafka = kafkaPeerStatus(); // .available, .reason, .patched (for it.skipIf)
 *   describeWithKafka('my adapter', () => {
 *     let peer: KafkaPeer;
 *     beforeAll(async () => { peer = await startKafkaPeer({ topics: { orders: 3 } }); });
 *     afterAll(() => peer?.stop());
 *     it('…', async () => {
 *       const client = new Kafka({ ...testKafkaConfig.client, brokers: peer.bootstrap });
 *       const consumer = client.consumer({ ...testKafkaConfig.consumer, groupId: 'g' });
 *     });
 *   });
 */


const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const KAFKA_PEER_INSTALL = 'bash tests/peers/kafka/install.sh';

/** The mockkafka binary: `EVENTYARD_MOCKKAFKA`, or what install.sh builds. */
export function mockKafkaPath(): string {
  return process.env.EVENTYARD_MOCKKAFKA || path.join(REPO, '.peers', 'mockkafka');
}

export interface KafkaPeerStatus {
  available: boolean;
  /** Why it is not available. */
  reason?: string;
  binary: string;
  /**
   * Built with librdkafka-2.0.2-mock-test.patch. Only the patched mock supports group members in
   * different processes, the initial-delay and retention env settings, and a real ControllerId.
   */
  patched: boolean;
  /** What `mockkafka --version` printed. */
  version?: string;
}

let cachedStatus: KafkaPeerStatus | undefined;

/** Whether the peer binary is there and runs (checked once per process, ~10 ms). */
export function kafkaPeerStatus(): KafkaPeerStatus {
  if (cachedStatus) return cachedStatus;
  const binary = mockKafkaPath();
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  let reason: string | undefined;
  if (run.error) {
    reason = (run.error as NodeJS.ErrnoException).code === 'ENOENT' ? `${binary} does not exist` : `${binary} does not run: ${run.error.message}`;
  } else if (run.status !== 0 || !run.stdout.startsWith('mockkafka ')) {
    // An old build without --version reads it as 0 brokers and exits 2.
    reason = `${binary} --version failed (exit ${run.status}): ${(run.stderr || run.stdout).trim().slice(0, 300)}; rebuild it`;
  }
  const version = run.stdout?.trim() || undefined;
  cachedStatus = reason
    ? { available: false, reason, binary, patched: false }
    : { available: true, binary, patched: / mock=patched\b/.test(version ?? ''), version };
  return cachedStatus;
}

/** `describe` for suites that need the Kafka peer (see describeWithPeer). */
export function describeWithKafka(name: string, fn: () => void): void {
  describeWithPeer('Kafka', kafkaPeerStatus(), KAFKA_PEER_INSTALL, name, fn);
}

const retry: RetryOptions = { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 };

/**
 * kafkajs settings that make the mock fast and reliable; spread them into the kafkajs configs.
 * - maxWaitTimeInMs 100: the mock parks an empty Fetch for the whole MaxWait and new data does not
 *   wake it, so with kafkajs's default 5000 every produce→consume takes ~5 s.
 * - sessionTimeout 3000: every join of a group after its first one (a rebalance, or a new consumer
 *   in a group whose members all left) waits sessionTimeout − 1000 ms in the mock: 2 s here,
 *   29 s with the default 30000. Keep it above maxWaitTimeInMs, or heartbeats starve.
 * - small retries, so a broken test fails in seconds rather than minutes.
 */
export const testKafkaConfig: {
  readonly client: Omit<KafkaConfig, 'brokers'>;
  readonly consumer: Omit<ConsumerConfig, 'groupId'>;
  readonly producer: ProducerConfig;
} = {
  client: { clientId: 'eventyard-test', connectionTimeout: 1000, requestTimeout: 10_000, retry, logLevel: logLevel.NOTHING },
  consumer: { sessionTimeout: 3000, heartbeatInterval: 500, maxWaitTimeInMs: 100, retry },
  producer: { retry },
};

export interface KafkaPeerOptions {
  /** Number of brokers (ids 1..N), default 1. */
  brokers?: number;
  /** Topics to create up front, name → partitions. Unknown topics are auto-created with 4. */
  topics?: Record<string, number>;
  /** Extra environment for mockkafka, e.g. RD_KAFKA_MOCK_DEFAULT_PARTITIONS (patched build). */
  env?: Record<string, string>;
}

export interface KafkaPeer {
  /** host:port of every broker, for kafkajs `brokers`. */
  readonly bootstrap: string[];
  /** See KafkaPeerStatus.patched. */
  readonly patched: boolean;
  createTopic(name: string, partitions: number): Promise<void>;
  /** Takes broker `id` (1..N) down: it closes its connections and refuses new ones. */
  brokerDown(id: number): Promise<void>;
  brokerUp(id: number): Promise<void>;
  /** Kills the peer (and with it every topic and offset); safe to call twice. */
  stop(): Promise<void>;
}

const live = new Set<ChildProcessWithoutNullStreams>();
let exitHookInstalled = false;

/** Starts a fresh mock cluster; ~20 ms. */
export async function startKafkaPeer(opts: KafkaPeerOptions = {}): Promise<KafkaPeer> {
  const status = kafkaPeerStatus();
  if (!status.available) throw new Error(`Kafka test peer unavailable: ${status.reason}. Build it with: ${KAFKA_PEER_INSTALL}`);
  const brokers = opts.brokers ?? 1;
  const topics = Object.entries(opts.topics ?? {});
  for (const [name, partitions] of topics) checkTopic(name, partitions);

  const child = spawn(status.binary, [String(brokers), ...topics.map(([name, n]) => `${name}:${n}`)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {
      // Patched build only: first join of a group after 200 ms instead of 3 s, and no 5 MiB
      // per-partition retention cap (beyond it the mock drops old data silently).
      RD_KAFKA_MOCK_GROUP_INITIAL_DELAY_MS: '200',
      RD_KAFKA_MOCK_PARTITION_MAX_BYTES: String(1 << 30),
      ...process.env,
      ...opts.env,
      // Its stdin is this pipe: it exits when the pipe closes, i.e. when this process dies.
      MOCKKAFKA_EXIT_ON_EOF: '1',
    },
  });
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }

  let stderrTail = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
    if (process.env.MOCKKAFKA_DEBUG) process.stderr.write(chunk);
  });
  child.stdin.on('error', () => {}); // EPIPE after it died; reported through 'exit'.

  // Every stdout line after BOOTSTRAP answers one command, in order.
  type Waiter = { resolve(line: string): void; reject(err: Error): void };
  const waiters: Waiter[] = [];
  let exited: string | undefined;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `mockkafka exited (${signal ?? `code ${code}`})${stderrTail ? `: ${stderrTail.trim()}` : ''}`;
      live.delete(child);
      for (const w of waiters.splice(0)) w.reject(new Error(exited));
      resolve();
    });
    child.once('error', (err) => {
      exited = `mockkafka failed: ${err.message}`;
      live.delete(child);
      for (const w of waiters.splice(0)) w.reject(new Error(exited));
      resolve();
    });
  });

  const nextLine = (what: string, timeoutMs: number): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      if (exited) return reject(new Error(exited));
      const timer = setTimeout(() => {
        // Keep its place in the queue, so a late answer is not taken for the next command's.
        waiter.resolve = () => {};
        waiter.reject = () => {};
        reject(new Error(`mockkafka: no answer to ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        resolve: (line) => (clearTimeout(timer), resolve(line)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      };
      waiters.push(waiter);
    });
  createInterface({ input: child.stdout }).on('line', (line) => waiters.shift()?.resolve(line));

  const kill = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exitedPromise;
    clearTimeout(timer);
  };

  let bootstrapLine: string;
  try {
    bootstrapLine = await nextLine('startup', 10_000);
    if (!bootstrapLine.startsWith('BOOTSTRAP ')) throw new Error(`mockkafka: expected BOOTSTRAP, got ${JSON.stringify(bootstrapLine)}`);
  } catch (err) {
    await kill();
    throw err;
  }
  const bootstrap = bootstrapLine.slice('BOOTSTRAP '.length).trim().split(',');

  const command = async (line: string): Promise<void> => {
    const answer = nextLine(JSON.stringify(line), 10_000);
    child.stdin.write(`${line}\n`);
    const reply = await answer;
    if (!reply.startsWith('OK')) throw new Error(`mockkafka ${JSON.stringify(line)}: ${reply}`);
  };
  const brokerId = (id: number): number => {
    if (!Number.isInteger(id) || id < 1 || id > brokers) throw new Error(`no broker ${id}: brokers are 1..${brokers}`);
    return id;
  };

  return {
    bootstrap,
    patched: status.patched,
    async createTopic(name, partitions) {
      checkTopic(name, partitions);
      await command(`topic ${name} ${partitions}`);
    },
    brokerDown: async (id) => command(`down ${brokerId(id)}`),
    brokerUp: async (id) => command(`up ${brokerId(id)}`),
    stop: kill,
  };
}

function checkTopic(name: string, partitions: number): void {
  // The control protocol is whitespace-separated, and Kafka allows only these characters.
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(name)) throw new Error(`invalid Kafka topic name ${JSON.stringify(name)}`);
  if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`invalid partition count ${partitions} for topic ${name}`);
}
