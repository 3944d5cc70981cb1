// KafkaSource in the local runtime, against the Kafka test peer (librdkafka's mock cluster) and a
// real HTTP subscriber: the record → CloudEvent mapping on the wire, ordering, retries, dead
// letters, offsets committed only when a record's delivery ended, and a SIGKILLed `dev`.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { Kafka, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeWithKafka, startKafkaPeer, testKafkaConfig, type KafkaPeer } from './helpers/kafka-peer.js';
import { freePort } from './helpers/ports.js';
import { BROKER_YAML, startProject, writeProject, type RunningProject } from './helpers/project.js';
import { Subscriber, type Received } from './helpers/subscriber.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function kafkaSource(name: string, topic: string, sink: string, spec = ''): string {
  return `---
apiVersion: sources.knative.dev/v1beta1
kind: KafkaSource
metadata:
  name: ${name}
  namespace: default
spec:
  bootstrapServers: [my-cluster-kafka-bootstrap.kafka:9092]
  topics: [${topic}]
  consumerGroup: group-${name}
  initialOffset: earliest
${spec}  sink:
    uri: ${sink}
`;
}

const fastRetries = (extra = '') => `  delivery:\n    retry: 3\n    backoffPolicy: linear\n    backoffDelay: PT0.05S\n${extra}`;

describeWithKafka('KafkaSource', () => {
  let peer: KafkaPeer;
  let sub: Subscriber;
  let project: RunningProject;
  let producer: Producer;
  let admin: Admin;

  beforeAll(async () => {
    peer = await startKafkaPeer({ topics: { mapped: 1, ordered: 2, unordered: 1, failing: 1, structured: 1 } });
    sub = await Subscriber.start();
    const kafka = new Kafka({ ...testKafkaConfig.client, brokers: peer.bootstrap });
    producer = kafka.producer(testKafkaConfig.producer);
    admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    project = await startProject(
      {
        'eventing/broker.yaml': BROKER_YAML,
        'sources/kafka.yaml':
          kafkaSource('mapped', 'mapped', sub.url('/mapped'), `  ceOverrides:\n    extensions:\n      team: render\n`) +
          kafkaSource('ordered', 'ordered', sub.url('/ordered'), fastRetries()) +
          kafkaSource('unordered', 'unordered', sub.url('/unordered'), `  ordering: unordered\n${fastRetries()}`) +
          kafkaSource('failing', 'failing', sub.url('/failing'), fastRetries(`    deadLetterSink:\n      uri: ${sub.url('/dead')}\n`)) +
          kafkaSource('structured', 'structured', sub.url('/structured'), `  delivery:\n    format: json\n`),
      },
      { peers: { kafka: { bootstrapServers: peer.bootstrap, consumer: testKafkaConfig.consumer } } },
    );
  }, 30_000);

  afterAll(async () => {
    await project?.close();
    await Promise.all([producer?.disconnect(), admin?.disconnect()]);
    await sub?.close();
    await peer?.stop();
  });

  /** The group's committed offset of a partition: the next record it would read. */
  async function committed(group: string, topic: string, partition = 0): Promise<number> {
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return Number(entry!.partitions.find((p) => p.partition === partition)!.offset);
  }

  async function eventually(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
    const end = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('delivers a plain record as the built event of knative-spec §5.12-13, in binary mode', async () => {
    await producer.send({
      topic: 'mapped',
      messages: [{ key: 'order-7', value: '{"scene":"cornell"}', headers: { 'content-type': 'Application/JSON', 'X-Trace_Id': 'abc' }, timestamp: '1700000000000' }],
    });
    const [r] = await sub.waitFor('/mapped', 1);
    expect(r!.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': 'partition:0/offset:0',
      'ce-source': '/apis/v1/namespaces/default/kafkasources/mapped#mapped',
      'ce-type': 'dev.knative.kafka.event',
      'ce-subject': 'partition:0#0',
      'ce-time': '2023-11-14T22:13:20Z',
      'content-type': 'application/json',
      'ce-key': 'order-7',
      'ce-partitionkey': 'order-7',
      'ce-kafkaheaderxtraceid': 'abc',
      'ce-knativekafkapartition': '0',
      'ce-knativekafkaoffset': '0',
      'ce-team': 'render',
    });
    expect(r!.body.toString()).toBe('{"scene":"cornell"}');
  });

  it('delivers a record that already is a binary CloudEvent as that event (§5.11)', async () => {
    await producer.send({
      topic: 'mapped',
      messages: [{ key: 'ignored', value: '{"x":1}', headers: { ce_specversion: '1.0', ce_id: 'own-id', ce_source: '/producer', ce_type: 'dev.eventyard.chat.message', 'content-type': 'application/json', other: 'not mapped' } }],
    });
    const r = await sub.waitForId('/mapped', 'own-id');
    expect(r.headers).toMatchObject({ 'ce-source': '/producer', 'ce-type': 'dev.eventyard.chat.message', 'ce-knativekafkaoffset': '1', 'ce-team': 'render' });
    expect(r.headers['ce-key']).toBeUndefined();
    expect(r.headers['ce-kafkaheaderother']).toBeUndefined();
  });

  it('sends structured-mode events when delivery.format is json', async () => {
    await producer.send({ topic: 'structured', messages: [{ key: 'k', value: '{"a":1}', headers: { 'content-type': 'application/json' } }] });
    const [r] = await sub.waitFor('/structured', 1);
    expect(r!.headers['content-type']).toBe('application/cloudevents+json');
    expect(JSON.parse(r!.body.toString())).toMatchObject({ specversion: '1.0', id: 'partition:0/offset:0', type: 'dev.knative.kafka.event', key: 'k', datacontenttype: 'application/json', data: { a: 1 } });
  });

  it('ordered: retries a failing record until it succeeds, and holds the records after it in its partition', async () => {
    // The third record of partition 0 fails twice, then succeeds.
    sub.respond('/ordered', (req) => {
      const id = req.headers['ce-id'];
      const isThird = id === 'partition:0/offset:2';
      return isThird && sub.on('/ordered').filter((x) => x.headers['ce-id'] === id).length <= 2 ? { status: 503 } : { status: 202 };
    });
    await producer.send({ topic: 'ordered', messages: Array.from({ length: 6 }, (_, i) => ({ value: `p0-${i}`, partition: 0 })) });
    await producer.send({ topic: 'ordered', messages: Array.from({ length: 6 }, (_, i) => ({ value: `p1-${i}`, partition: 1 })) });
    await eventually('12 records delivered', () => new Set(sub.on('/ordered').map((r) => r.headers['ce-id'])).size === 12);
    const p0 = sub.on('/ordered').filter((r) => r.headers['ce-knativekafkapartition'] === '0').map((r) => r.body.toString());
    // Every attempt in order: no later record of the partition was sent while offset 2 was failing.
    expect(p0).toEqual(['p0-0', 'p0-1', 'p0-2', 'p0-2', 'p0-2', 'p0-3', 'p0-4', 'p0-5']);
    const p1 = sub.on('/ordered').filter((r) => r.headers['ce-knativekafkapartition'] === '1').map((r) => r.body.toString());
    expect(p1).toEqual(['p1-0', 'p1-1', 'p1-2', 'p1-3', 'p1-4', 'p1-5']);
    await eventually('offsets committed to the end', async () => (await committed('group-ordered', 'ordered', 0)) === 6 && (await committed('group-ordered', 'ordered', 1)) === 6);
  });

  it('unordered: delivers the records of a partition in parallel and commits only up to the oldest one still in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow = new Set(['u-3']);
    sub.respond('/unordered', (req) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      setTimeout(() => inFlight--, slow.has(req.body.toString()) ? 1500 : 100);
      return { status: 202, delayMs: slow.has(req.body.toString()) ? 1500 : 100 };
    });
    await producer.send({ topic: 'unordered', messages: Array.from({ length: 20 }, (_, i) => ({ value: `u-${i}` })) });
    await eventually('the fast records delivered', () => sub.on('/unordered').length >= 19);
    // u-3 (offset 3) is still in flight: nothing at or after it may be committed yet.
    expect(await committed('group-unordered', 'unordered')).toBeLessThanOrEqual(3);
    await eventually('every record delivered', () => sub.on('/unordered').length === 20);
    await eventually('every offset committed', async () => (await committed('group-unordered', 'unordered')) === 20);
    expect(peak).toBeGreaterThan(1);
  });

  it('a record whose sink always fails is dead-lettered, and its offset is committed: nothing is read twice or lost', async () => {
    sub.respond('/failing', { status: 500, body: 'render farm down' });
    await producer.send({ topic: 'failing', messages: [{ value: 'doomed' }, { value: 'doomed too' }] });
    const dead = await sub.waitFor('/dead', 2);
    expect(sub.on('/failing')).toHaveLength(8); // 2 records × (1 + 3 retries)
    expect(dead.map((d) => d.body.toString())).toEqual(['doomed', 'doomed too']);
    expect(dead[0]!.headers).toMatchObject({ 'ce-knativeerrordest': sub.url('/failing'), 'ce-knativeerrorcode': '500', 'ce-knativeerrordata': Buffer.from('render farm down').toString('base64') });
    await eventually('both offsets committed', async () => (await committed('group-failing', 'failing')) === 2);
  });

  it('reports each source with its counts at /_/sources', async () => {
    const list = (await (await fetch(`${project.dev.url}/_/sources`)).json()) as { name: string; state: string; deadLettered: number }[];
    expect(list.find((s) => s.name === 'failing')).toMatchObject({ state: 'running', deadLettered: 2 });
  });
});

describeWithKafka('KafkaSource and a dev process killed mid-stream', () => {
  let peer: KafkaPeer;
  let sub: Subscriber;
  let dev: ChildProcess | undefined;
  const RECORDS = 300;

  beforeAll(async () => {
    peer = await startKafkaPeer({ topics: { stream: 3 } });
    sub = await Subscriber.start();
  });
  afterAll(async () => {
    dev?.kill('SIGKILL');
    await sub?.close();
    await peer?.stop();
  });

  async function startDev(dir: string): Promise<ChildProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/eventyard.js'), 'dev', '--dir', dir, '--port', String(port)], {
      env: {
        ...process.env,
        EVENTYARD_LOG_LEVEL: 'warn',
        EVENTYARD_KAFKA_BOOTSTRAP_SERVERS: peer.bootstrap.join(','),
        EVENTYARD_KAFKA_CONSUMER_OPTIONS: JSON.stringify(testKafkaConfig.consumer),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.resume();
    return child;
  }

  it('delivers every record at least once across the restart', async () => {
    const dir = await writeProject({ 'eventing/broker.yaml': BROKER_YAML, 'sources/stream.yaml': kafkaSource('stream', 'stream', sub.url('/stream'), `  ordering: unordered\n`) });
    sub.respond('/stream', { status: 202, delayMs: 20 });
    const kafka = new Kafka({ ...testKafkaConfig.client, brokers: peer.bootstrap });
    const producer = kafka.producer(testKafkaConfig.producer);
    await producer.connect();
    await producer.send({ topic: 'stream', messages: Array.from({ length: RECORDS }, (_, i) => ({ key: `k${i}`, value: `r-${i}` })) });
    await producer.disconnect();

    dev = await startDev(dir);
    await sub.waitFor('/stream', 60, 30_000);
    dev.kill('SIGKILL');
    await once(dev, 'exit');
    const beforeRestart = new Set(sub.on('/stream').map((r: Received) => r.body.toString()));
    expect(beforeRestart.size).toBeLessThan(RECORDS);

    dev = await startDev(dir);
    const all = () => new Set(sub.on('/stream').map((r: Received) => r.body.toString()));
    const end = Date.now() + 40_000;
    while (all().size < RECORDS && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(all().size).toBe(RECORDS);
  }, 90_000);
});

describeWithKafka('KafkaSource while its Kafka goes down and comes back', () => {
  let peer: KafkaPeer;
  let sub: Subscriber;
  let project: RunningProject;

  beforeAll(async () => {
    peer = await startKafkaPeer({ topics: { flaky: 2 } });
    sub = await Subscriber.start();
    project = await startProject(
      { 'eventing/broker.yaml': BROKER_YAML, 'sources/kafka.yaml': kafkaSource('flaky', 'flaky', sub.url('/flaky')) },
      { peers: { kafka: { bootstrapServers: peer.bootstrap, consumer: testKafkaConfig.consumer } } },
    );
  });
  afterAll(async () => {
    await project?.close();
    await sub?.close();
    await peer?.stop();
  });

  it('resumes after the outage and delivers every record, none lost', async () => {
    const kafka = new Kafka({ ...testKafkaConfig.client, brokers: peer.bootstrap });
    const producer = kafka.producer({ ...testKafkaConfig.producer, retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 500 } });
    await producer.connect();
    await producer.send({ topic: 'flaky', messages: Array.from({ length: 50 }, (_, i) => ({ value: `before-${i}` })) });
    await sub.waitFor('/flaky', 50, 20_000);
    await peer.brokerDown(1);
    await new Promise((r) => setTimeout(r, 3000));
    await peer.brokerUp(1);
    await producer.send({ topic: 'flaky', messages: Array.from({ length: 50 }, (_, i) => ({ value: `after-${i}` })) });
    await producer.disconnect();
    const seen = () => new Set(sub.on('/flaky').map((r) => r.body.toString()));
    for (let i = 0; i < 600 && seen().size < 100; i++) await new Promise((r) => setTimeout(r, 50));
    expect(seen().size).toBe(100);
  }, 60_000);
});
