import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, type Consumer, type KafkaMessage } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKafka, kafkaPeerStatus, startKafkaPeer, testKafkaConfig, type KafkaPeer } from '../helpers/kafka-peer.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const kafka = kafkaPeerStatus();

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A group member in another Node process: prints one JSON line per join and per message. */
const MEMBER_SCRIPT = `
const { Kafka } = require('kafkajs');
const cfg = JSON.parse(process.env.KAFKA_TEST_CONFIG);
const client = new Kafka({ ...cfg.client, brokers: process.env.KAFKA_BROKERS.split(',') });
const consumer = client.consumer({ ...cfg.consumer, groupId: process.env.KAFKA_GROUP });
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
consumer.on(consumer.events.GROUP_JOIN, (e) => out({ join: e.payload.memberAssignment }));
consumer.on(consumer.events.CRASH, (e) => out({ crash: String(e.payload.error) }));
(async () => {
  await consumer.connect();
  await consumer.subscribe({ topic: process.env.KAFKA_TOPIC, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ partition, message }) => out({ partition, value: String(message.value) }) });
})().catch((e) => { out({ crash: String(e) }); process.exit(1); });
process.stdin.on('end', () => consumer.disconnect().finally(() => process.exit(0)));
process.stdin.resume();
`;

describeWithKafka('Kafka test peer (librdkafka mock cluster) with kafkajs', () => {
  let peer: KafkaPeer;
  let client: Kafka;
  const consumers: Consumer[] = [];
  const children: ChildProcessWithoutNullStreams[] = [];

  beforeAll(async () => {
    peer = await startKafkaPeer({ topics: { 'smoke.records': 3, 'smoke.commit': 1, 'smoke.shared': 4 } });
    client = new Kafka({ ...testKafkaConfig.client, brokers: peer.bootstrap });
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await Promise.allSettled(consumers.map((c) => c.disconnect()));
    await peer?.stop();
  });

  function consumer(groupId: string): Consumer {
    const c = client.consumer({ ...testKafkaConfig.consumer, groupId });
    consumers.push(c);
    return c;
  }

  it('round-trips keys and headers to a consumer group reading from the beginning', async () => {
    const producer = client.producer(testKafkaConfig.producer);
    await producer.connect();
    await producer.send({
      topic: 'smoke.records',
      messages: Array.from({ length: 12 }, (_, i) => ({
        key: `key-${i % 4}`,
        value: JSON.stringify({ i }),
        headers: { 'ce-id': `id-${i}`, 'ce-type': 'dev.eventyard.smoke', bin: Buffer.from([0, 255, i]) },
      })),
    });
    await producer.disconnect();

    const got: { partition: number; message: KafkaMessage }[] = [];
    const c = consumer('smoke-records');
    await c.connect();
    await c.subscribe({ topic: 'smoke.records', fromBeginning: true });
    await c.run({ eachMessage: async ({ partition, message }) => void got.push({ partition, message }) });
    await waitFor('12 records', () => got.length >= 12);
    await c.disconnect();

    expect(got).toHaveLength(12);
    const partitionOfKey = new Map<string, number>();
    for (const { partition, message } of got) {
      const { i } = JSON.parse(String(message.value)) as { i: number };
      expect(String(message.key)).toBe(`key-${i % 4}`);
      expect(String(message.headers?.['ce-id'])).toBe(`id-${i}`);
      expect(String(message.headers?.['ce-type'])).toBe('dev.eventyard.smoke');
      expect([...(message.headers?.bin as Buffer)]).toEqual([0, 255, i]);
      // The same key always lands on the same partition.
      expect(partitionOfKey.get(String(message.key)) ?? partition).toBe(partition);
      partitionOfKey.set(String(message.key), partition);
    }
    expect(new Set(got.map((g) => JSON.parse(String(g.message.value)).i)).size).toBe(12);
  });

  it('resumes a group after its manually committed offset', async () => {
    const producer = client.producer(testKafkaConfig.producer);
    await producer.connect();
    await producer.send({ topic: 'smoke.commit', messages: Array.from({ length: 6 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();

    const first = consumer('smoke-commit');
    let committed = false;
    await first.connect();
    await first.subscribe({ topic: 'smoke.commit', fromBeginning: true });
    await first.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (message.offset !== '2' || committed) return;
        await first.commitOffsets([{ topic, partition, offset: '3' }]); // the next offset to read
        committed = true;
      },
    });
    await waitFor('the commit', () => committed);
    await first.disconnect();

    const admin = client.admin();
    await admin.connect();
    const [offsets] = await admin.fetchOffsets({ groupId: 'smoke-commit', topics: ['smoke.commit'] });
    await admin.disconnect();
    expect(offsets?.partitions).toEqual([{ partition: 0, offset: '3', metadata: null }]);

    const values: string[] = [];
    const second = consumer('smoke-commit');
    await second.connect();
    // fromBeginning only applies without a committed offset.
    await second.subscribe({ topic: 'smoke.commit', fromBeginning: true });
    await second.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) });
    await waitFor('v3..v5', () => values.length >= 3);
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing earlier shows up late
    await second.disconnect();
    expect(values).toEqual(['v3', 'v4', 'v5']);
  });

  it('creates topics and takes brokers down and up through the control protocol', async () => {
    const cluster = await startKafkaPeer({ brokers: 3 });
    try {
      expect(cluster.bootstrap).toHaveLength(3);
      await cluster.createTopic('smoke.control', 5);
      await expect(cluster.createTopic('smoke.control', 5)).rejects.toThrow(/already exists/);
      await expect(cluster.brokerDown(4)).rejects.toThrow(/brokers are 1\.\.3/);

      const c = new Kafka({ ...testKafkaConfig.client, brokers: cluster.bootstrap });
      const admin = c.admin();
      await admin.connect();
      const [meta] = (await admin.fetchTopicMetadata({ topics: ['smoke.control'] })).topics;
      // The mock has no CreateTopics API: topics come from the control protocol (or auto-creation).
      await expect(admin.createTopics({ topics: [{ topic: 'smoke.admin' }] })).rejects.toThrow(/does not support/);
      await admin.disconnect();
      expect(meta?.partitions).toHaveLength(5);

      const leader = meta!.partitions.find((p) => p.partitionId === 0)!.leader;
      const producer = c.producer(testKafkaConfig.producer);
      await producer.connect();
      await cluster.brokerDown(leader);
      // The mock keeps the leader, so the send retries until the broker is back.
      let settled = false;
      const sent = producer.send({ topic: 'smoke.control', messages: [{ partition: 0, value: 'after-outage' }] }).finally(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(settled).toBe(false);
      await cluster.brokerUp(leader);
      const [result] = await sent;
      await producer.disconnect();
      expect(result).toMatchObject({ partition: 0, errorCode: 0, baseOffset: '0' });
    } finally {
      await cluster.stop();
      await cluster.stop();
    }
  });

  if (kafka.available && !kafka.patched) {
    // The stock mock answers a late follower's SyncGroup with INVALID_REQUEST (research §1.5).
    process.stderr.write(`Kafka cross-process group test skipped: ${kafka.version} is not the patched build (bash tests/peers/kafka/install.sh --force)\n`);
  }
  // Skipped only outside CI: a stock librdkafka mock cannot do cross-process groups at all. With
  // REQUIRE_PEERS=1 (.ci/run, which builds the patched mock) it runs, and fails on a stock build.
  it.skipIf(!kafka.patched && process.env.REQUIRE_PEERS !== '1')('shares partitions with a group member in another process', async () => {
    const topic = 'smoke.shared';
    const groupId = 'smoke-shared';
    const partitions = [0, 1, 2, 3];

    let local: number[] = [];
    const localValues: { partition: number; value: string }[] = [];
    const c = consumer(groupId);
    c.on(c.events.GROUP_JOIN, (e) => (local = e.payload.memberAssignment[topic] ?? []));
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async ({ partition, message }) => void localValues.push({ partition, value: String(message.value) }) });
    await waitFor('the first member to own every partition', () => local.length === 4);

    let remote: number[] = [];
    const remoteValues: { partition: number; value: string }[] = [];
    const crashes: string[] = [];
    const child = spawn(process.execPath, ['-e', MEMBER_SCRIPT], {
      cwd: REPO,
      env: { ...process.env, KAFKA_TEST_CONFIG: JSON.stringify(testKafkaConfig), KAFKA_BROKERS: peer.bootstrap.join(','), KAFKA_GROUP: groupId, KAFKA_TOPIC: topic },
    });
    children.push(child);
    child.stderr.pipe(process.stderr);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const event = JSON.parse(line) as { join?: Record<string, number[]>; crash?: string; partition?: number; value?: string };
      if (event.join) remote = event.join[topic] ?? [];
      else if (event.crash) crashes.push(event.crash);
      else remoteValues.push({ partition: event.partition!, value: event.value! });
    });

    await waitFor('both members to share the partitions', () => {
      if (crashes.length) throw new Error(`the other member crashed: ${crashes.join('; ')}`);
      return local.length > 0 && remote.length > 0 && local.length + remote.length === 4;
    });
    expect([...local, ...remote].sort()).toEqual(partitions);

    const producer = client.producer(testKafkaConfig.producer);
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 8 }, (_, i) => ({ partition: i % 4, value: `m${i}` })) });
    await producer.disconnect();
    await waitFor('all 8 records', () => localValues.length + remoteValues.length >= 8);

    expect(crashes).toEqual([]);
    expect(localValues.length).toBeGreaterThan(0);
    expect(remoteValues.length).toBeGreaterThan(0);
    for (const v of localValues) expect(local).toContain(v.partition);
    for (const v of remoteValues) expect(remote).toContain(v.partition);
    expect([...localValues, ...remoteValues].map((v) => v.value).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`));

    child.stdin.end(); // it leaves the group and exits
    await new Promise((resolve) => child.once('exit', resolve));
  });
});
