// The RocketMQSource adapter end to end: the official client against the fake RocketMQ 5 proxy over
// real gRPC, a real SinkDelivery, and a real HTTP subscriber as sink and dead-letter sink.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/helpers/ports.js';
import { settle, Subscriber } from '../../../tests/helpers/subscriber.js';
import { startFakeRocketMq, type FakeRocketMq } from '../../../tests/peers/rocketmq/fake-proxy.js';
import { httpTarget } from '../../delivery/http-sender.js';
import { retryPolicyOf } from '../../delivery/retry-policy.js';
import type { DeliverySpec } from '../../manifests/delivery.js';
import type { RocketMQSourceManifest } from '../../manifests/rocketmq-source.js';
import { SinkDelivery } from '../sink-delivery.js';
import { ROCKETMQ_EVENT_TYPE } from './message-to-event.js';
import { RocketMQSourceAdapter } from './rocketmq-source.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const silent = pino({ level: 'silent' });
/** Short enough for tests; a real proxy wants at least 10 s of invisibility and 5 s of long poll. */
const TIMINGS = { invisibleDurationMs: 1200, awaitDurationMs: 200, requestTimeoutMs: 1000 };

let fake: FakeRocketMq;
let sub: Subscriber;
const running: Array<() => Promise<void>> = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  [fake, sub] = await Promise.all([startFakeRocketMq({ queuesPerTopic: 2 }), Subscriber.start()]);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((stop) => stop()));
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([fake?.stop(), sub?.close(), ...dirs.map((d) => rm(d, { recursive: true, force: true }))]);
});

function manifest(name: string, topic: string, group: string, extra: Partial<RocketMQSourceManifest> = {}): RocketMQSourceManifest {
  return {
    location: { file: 'sources/test.yaml', document: 1 },
    apiVersion: 'sources.eventyard.dev/v1alpha1',
    kind: 'RocketMQSource',
    metadata: { name, namespace: 'default', annotations: {}, labels: {} },
    endpoints: 'rocketmq-proxy.rocketmq.svc.cluster.local:8081', // replaced by the fake's, as `dev` does
    topic,
    consumerGroup: group,
    tag: '*',
    sink: { uri: sub.url(`/${name}`) },
    ceOverrides: {},
    ...extra,
  };
}

/** An adapter as SourcesRuntime builds one, stopped after the test (signal aborted first, as there). */
function startAdapter(m: RocketMQSourceManifest, delivery: DeliverySpec, endpoints = fake.endpoint) {
  const abort = new AbortController();
  const route = {
    sink: httpTarget(sub.url(`/${m.metadata.name}`)),
    deadLetterSink: delivery.deadLetterSink ? httpTarget((delivery.deadLetterSink as { uri: string }).uri) : undefined,
    policy: retryPolicyOf(delivery),
    mode: 'binary' as const,
    namespace: m.metadata.namespace,
  };
  const sinkDelivery = new SinkDelivery(route, silent, abort.signal, 16);
  const adapter = new RocketMQSourceAdapter(m, sinkDelivery, silent, { endpoints, ...TIMINGS });
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      abort.abort();
      await adapter.stop();
      await sinkDelivery.close();
    })();
    return stopped;
  };
  running.push(stop);
  adapter.start();
  return { adapter, stop };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await settle(25);
  }
}

describe('RocketMQSource adapter', () => {
  it('maps each message to a CloudEvent on the wire (built, and already a CloudEvent) and acks it after delivery', async () => {
    startAdapter(manifest('mapping', 'chat', 'g-mapping', { ceOverrides: { cluster: 'local' } }), { retry: 0 });
    const body = Buffer.from('{"room":"r1","user":"ann","text":"hi"}');
    const builtId = fake.publish('chat', {
      body,
      tag: 'chat',
      keys: ['k1', 'k2'],
      properties: { 'Order-Id': '42', CE_contenttype: 'application/json' },
    });
    fake.publish('chat', {
      body: '{"text":"hello"}',
      tag: 'chat',
      properties: {
        CE_specversion: '1.0', CE_id: 'evt-1', CE_source: '/chat/rooms/r1', CE_type: 'dev.eventyard.chat.message',
        CE_subject: 'r1', CE_room: 'r1', CE_contenttype: 'application/json',
      },
    });

    const built = await sub.waitForId('/mapping', builtId);
    expect(built.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-id': builtId,
      'ce-source': '/apis/v1/namespaces/default/rocketmqsources/mapping#chat',
      'ce-type': ROCKETMQ_EVENT_TYPE,
      'ce-subject': 'chat',
      'content-type': 'application/json',
      'ce-rocketmqtag': 'chat',
      'ce-rocketmqkeys': 'k1 k2',
      'ce-rocketmqpropertyorderid': '42',
      'ce-rocketmqqueueoffset': '0',
      'ce-cluster': 'local',
      'kn-namespace': 'default',
    });
    expect(Date.parse(String(built.headers['ce-time']))).toBeGreaterThan(Date.now() - 60_000);
    expect(built.body.equals(body)).toBe(true);

    const ce = await sub.waitForId('/mapping', 'evt-1');
    expect(ce.headers).toMatchObject({
      'ce-type': 'dev.eventyard.chat.message', 'ce-source': '/chat/rooms/r1', 'ce-subject': 'r1', 'ce-room': 'r1',
      'content-type': 'application/json', 'ce-rocketmqqueueoffset': '0', 'ce-cluster': 'local',
    });
    expect(ce.headers['ce-rocketmqtag']).toBeUndefined(); // R3: nothing else of a CloudEvent message is mapped
    expect(ce.body.toString()).toBe('{"text":"hello"}');

    await fake.waitFor(() => fake.stats('chat', 'g-mapping').acked === 2);
    expect(fake.stats('chat', 'g-mapping')).toMatchObject({ delivered: 2, redelivered: 0, inFlight: 0, pending: 0 });
  });

  it('retries a failing sink while keeping the message invisible, delivers it once, and acks only after', async () => {
    let deliveredAt = 0;
    sub.respond('/retried', (_req, n) => {
      if (n <= 3) return { status: 500 };
      deliveredAt = Date.now();
      return { status: 202 };
    });
    // Backoffs of 0.3 + 0.6 + 1.2 s: longer than the 1.2 s invisible duration, so only renewals keep it.
    const { adapter } = startAdapter(manifest('retried', 'retried', 'g-retried'), { retry: 5, backoffPolicy: 'exponential', backoffDelayMs: 300 });
    const id = fake.publish('retried', { body: 'again' });

    await fake.waitFor(() => fake.stats('retried', 'g-retried').acked === 1, 15_000);
    const requests = sub.on('/retried');
    expect(requests.map((r) => r.headers['ce-id'])).toEqual([id, id, id, id]);
    const [acked] = fake.acked('retried', 'g-retried');
    expect(acked!.ackedAt).toBeGreaterThanOrEqual(deliveredAt);
    const stats = fake.stats('retried', 'g-retried');
    expect(stats).toMatchObject({ delivered: 1, redelivered: 0, acked: 1, inFlight: 0, pending: 0 });
    expect(stats.invisibleChanges).toBeGreaterThanOrEqual(2);
    // The proxy records the ack before the adapter has its answer: the task ends a moment later.
    await fake.waitFor(() => adapter.stats().inFlight === 0);
    expect(adapter.stats()).toMatchObject({ state: 'running', received: 1, delivered: 1, deadLettered: 0, dropped: 0, inFlight: 0 });
  });

  it('sends the event to the dead-letter sink, with the knativeerror extensions, when every retry fails; then acks', async () => {
    sub.respond('/doomed', { status: 500, body: 'boom' });
    const { adapter } = startAdapter(manifest('doomed', 'doomed', 'g-doomed'), {
      retry: 2, backoffPolicy: 'linear', backoffDelayMs: 50, deadLetterSink: { uri: sub.url('/doomed-dls') },
    });
    const id = fake.publish('doomed', { body: 'payload' });

    const dead = await sub.waitForId('/doomed-dls', id);
    expect(dead.headers).toMatchObject({
      'ce-knativeerrordest': sub.url('/doomed'),
      'ce-knativeerrorcode': '500',
      'ce-knativeerrordata': Buffer.from('boom').toString('base64'),
    });
    expect(dead.body.toString()).toBe('payload');
    expect(sub.on('/doomed')).toHaveLength(3);
    await fake.waitFor(() => fake.stats('doomed', 'g-doomed').acked === 1);
    expect(adapter.stats()).toMatchObject({ received: 1, delivered: 0, deadLettered: 1, dropped: 0 });
  });

  it('drops the event when every retry fails and there is no dead-letter sink, and acks it (as a KafkaSource commits)', async () => {
    sub.respond('/dropped', { status: 503 });
    const { adapter } = startAdapter(manifest('dropped', 'dropped', 'g-dropped'), { retry: 1 });
    fake.publish('dropped', { body: 'lost' });

    await fake.waitFor(() => fake.stats('dropped', 'g-dropped').acked === 1);
    expect(sub.on('/dropped')).toHaveLength(2);
    expect(adapter.stats()).toMatchObject({ received: 1, delivered: 0, deadLettered: 0, dropped: 1 });
    expect(fake.stats('dropped', 'g-dropped')).toMatchObject({ redelivered: 0, pending: 0, inFlight: 0 });
  });

  it('does not ack a message whose delivery a stop interrupted: the next adapter of the group gets it again', async () => {
    sub.respond('/interrupted', { status: 500 });
    const first = startAdapter(manifest('interrupted', 'interrupted', 'g-interrupted'), { retry: 10, backoffPolicy: 'linear', backoffDelayMs: 5000 });
    const id = fake.publish('interrupted', { body: 'survive' });
    await sub.waitForId('/interrupted', id);
    await first.stop(); // in its first 5 s backoff
    expect(first.adapter.stats()).toMatchObject({ state: 'stopped', received: 1, delivered: 0, deadLettered: 0, dropped: 0, inFlight: 0 });
    expect(fake.stats('interrupted', 'g-interrupted')).toMatchObject({ acked: 0, deadLettered: 0 });

    sub.respond('/interrupted', { status: 202 });
    const second = startAdapter(manifest('interrupted', 'interrupted', 'g-interrupted'), { retry: 0 });
    await fake.waitFor(() => fake.stats('interrupted', 'g-interrupted').acked === 1);
    expect(fake.acked('interrupted', 'g-interrupted')).toMatchObject([{ messageId: id, deliveryAttempt: 2 }]);
    expect(sub.on('/interrupted').map((r) => r.headers['ce-id'])).toEqual([id, id]); // the same event id again
    expect(second.adapter.stats()).toMatchObject({ received: 1, delivered: 1 });
  });

  it('delivers messages in parallel, but one at a time and in order within a message group', async () => {
    // Counts the requests the sink holds at once, per kind of message, while it answers each in 200 ms.
    const holding = { grouped: 0, free: 0 };
    const most = { grouped: 0, free: 0 };
    sub.respond('/parallel', (req) => {
      const kind = req.body.toString().startsWith('g') ? 'grouped' : 'free';
      most[kind] = Math.max(most[kind], ++holding[kind]);
      setTimeout(() => holding[kind]--, 200);
      return { status: 202, delayMs: 200 };
    });
    const grouped = Array.from({ length: 4 }, (_, i) => fake.publish('parallel', { body: `g${i}`, messageGroup: 'room-1', queueId: 0 }));
    for (let i = 0; i < 4; i++) fake.publish('parallel', { body: `f${i}`, queueId: 1 });
    startAdapter(manifest('parallel', 'parallel', 'g-parallel'), { retry: 0 });

    await fake.waitFor(() => fake.stats('parallel', 'g-parallel').acked === 8);
    expect(sub.on('/parallel').filter((r) => r.body.toString().startsWith('g')).map((r) => r.headers['ce-id'])).toEqual(grouped);
    expect(most.grouped).toBe(1);
    expect(most.free).toBeGreaterThan(1);
  });

  it('loses nothing when the adapter process is SIGKILLed mid-stream: the next process gets the unacked messages', async () => {
    const home = await mkdtemp(path.join(tmpdir(), 'rocketmq-home-'));
    const dir = await mkdtemp(path.join(tmpdir(), 'rocketmq-project-'));
    dirs.push(home, dir);
    await mkdir(path.join(dir, 'sources'));
    await writeFile(
      path.join(dir, 'sources', 'crash.yaml'),
      `apiVersion: sources.eventyard.dev/v1alpha1
kind: RocketMQSource
metadata:
  name: crash
  namespace: default
spec:
  endpoints: rocketmq-proxy.rocketmq.svc.cluster.local:8081
  topic: crash
  consumerGroup: g-crash
  sink:
    uri: http://sink.invalid/
  ceOverrides:
    extensions:
      fromcrd: "yes"
`,
    );
    // The adapter CLI, as the ContainerSource runs it: the sink from K_SINK, overrides from K_CE_OVERRIDES.
    const adapterProcess = () => {
      const child = spawn(
        process.execPath,
        [
          '--import', 'tsx', '--input-type=module', '-e',
          "const { rocketmqAdapterCommand } = await import('./src/cli/rocketmq-adapter.ts'); process.exitCode = await rocketmqAdapterCommand(process.argv.slice(1));",
          '--', '--source', 'default/crash', '--dir', dir, '--endpoints', fake.endpoint, '--invisible-duration', '1500ms',
        ],
        {
          cwd: REPO,
          env: { ...process.env, HOME: home, K_SINK: sub.url('/crash'), K_CE_OVERRIDES: '{"extensions":{"cluster":"kind"}}', EVENTYARD_LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      children.push(child);
      return child;
    };

    // The sink holds every request for 10 s: at the kill, all 20 are in flight and none is acked.
    sub.respond('/crash', { status: 202, delayMs: 10_000 });
    const ids = Array.from({ length: 20 }, (_, i) => fake.publish('crash', { body: `m${i}` }));
    const doomed = adapterProcess();
    await sub.waitFor('/crash', 20, 20_000);
    doomed.kill('SIGKILL');
    await once(doomed, 'exit');
    expect(fake.stats('crash', 'g-crash')).toMatchObject({ acked: 0 });

    sub.respond('/crash', { status: 202 });
    const next = adapterProcess();
    await fake.waitFor(() => fake.stats('crash', 'g-crash').acked === 20, 20_000);
    const seen = new Set(sub.on('/crash').map((r) => r.headers['ce-id']));
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(fake.stats('crash', 'g-crash')).toMatchObject({ acked: 20, redelivered: 20, inFlight: 0, pending: 0, deadLettered: 0 });
    const last = sub.on('/crash').at(-1)!;
    expect(last.headers).toMatchObject({ 'ce-fromcrd': 'yes', 'ce-cluster': 'kind' });

    // SIGTERM: a graceful stop, exit code 0; and nothing was written under $HOME.
    let stderr = '';
    next.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    next.kill('SIGTERM');
    const [code] = (await once(next, 'exit')) as [number | null];
    expect(code, stderr).toBe(0);
    expect(await readdir(home)).toEqual([]);
  });

  it('reports an unreachable proxy as retrying, naming the endpoints, and recovers once the proxy is up (and after it restarts)', async () => {
    const port = await freePort();
    const endpoints = `127.0.0.1:${port}`;
    sub.respond('/later', { status: 202 });
    const { adapter } = startAdapter(manifest('later', 'later', 'g-later'), { retry: 0 }, endpoints);

    await until('the adapter is retrying', () => adapter.stats().state === 'retrying');
    const stats = adapter.stats();
    expect(stats.error).toContain(`cannot connect to the RocketMQ proxy at ${endpoints}`);
    expect(stats.error).toMatch(/ECONNREFUSED|UNAVAILABLE/);

    let proxy = await startFakeRocketMq({ port });
    try {
      const first = proxy.publish('later', { body: 'one' });
      await sub.waitForId('/later', first, 15_000);
      await until('the event is delivered', () => adapter.stats().delivered === 1);
      expect(adapter.stats()).toMatchObject({ state: 'running', error: undefined });

      // The proxy goes away: receives fail; a new one on the same address is picked up by the same client.
      await proxy.stop();
      await until('the adapter notices the proxy is gone', () => adapter.stats().state === 'retrying');
      expect(adapter.stats().error).toContain(`cannot receive from the RocketMQ proxy at ${endpoints}`);
      proxy = await startFakeRocketMq({ port });
      const second = proxy.publish('later', { body: 'two' });
      await sub.waitForId('/later', second, 15_000);
      await until('the adapter is running again', () => adapter.stats().state === 'running');
    } finally {
      await Promise.all(running.splice(0).map((stop) => stop()));
      await proxy.stop();
    }
  });
});
