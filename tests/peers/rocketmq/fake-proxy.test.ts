// The fake RocketMQ proxy against the real rocketmq-client-nodejs Producer, SimpleConsumer and
// PushConsumer, over real gRPC on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConsumeResult, Producer, PushConsumer, SimpleConsumer } from 'rocketmq-client-nodejs';
import type { MessageView } from 'rocketmq-client-nodejs';
import { startFakeRocketMq, type FakeRocketMq } from './fake-proxy.js';
import { clientOptions, shutdownPushConsumer, startPushConsumer } from './client-options.js';

let fake: FakeRocketMq;
let producer: Producer;
const toStop: Array<{ shutdown(): Promise<void> }> = [];
const children: ChildProcess[] = [];

beforeAll(async () => {
  fake = await startFakeRocketMq({ queuesPerTopic: 2, maxDeliveryAttempts: 3, pushLongPollingMs: 300, fifoGroups: ['g-fifo', 'g-fifo-simple'] });
  producer = new Producer({ ...clientOptions(fake), topics: ['props'] });
  await producer.startup();
  toStop.push(producer);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  // In parallel: each PushConsumer shutdown takes over a second (it sleeps 1 s on purpose).
  await Promise.all(toStop.map((c) => c.shutdown().catch(() => {})));
  await fake?.stop();
});

async function simpleConsumer(group: string, subscriptions: Record<string, string>, awaitDuration = 300) {
  const c = new SimpleConsumer({ ...clientOptions(fake), consumerGroup: group, subscriptions: new Map(Object.entries(subscriptions)), awaitDuration });
  await c.startup();
  toStop.push(c);
  return c;
}

/** Receive until `count` messages arrived (or 5 s passed); each receive long-polls awaitDuration. */
async function receiveN(c: SimpleConsumer, count: number, invisibleMs = 10_000): Promise<MessageView[]> {
  const got: MessageView[] = [];
  const until = Date.now() + 5000;
  while (got.length < count && Date.now() < until) got.push(...(await c.receive(count - got.length, invisibleMs)));
  return got;
}

const send = (topic: string, body: string, extra: { tag?: string; keys?: string[]; properties?: Map<string, string> } = {}) =>
  producer.send({ topic, body: Buffer.from(body), ...extra });

describe('fake RocketMQ proxy with the real client', () => {
  it('keeps body, tag, keys, user properties, born host/time and message id from send to receive', async () => {
    const consumer = await simpleConsumer('g-props', { props: '*' });
    const before = Date.now();
    const receipt = await send('props', 'hello', { tag: 'tagA', keys: ['k1', 'k2'], properties: new Map([['p', '1'], ['q', 'two']]) });
    expect(receipt.messageId).toMatch(/^[0-9A-F]{34}$/);

    const [m] = await receiveN(consumer, 1);
    expect(m).toBeDefined();
    expect(m!.messageId).toBe(receipt.messageId);
    expect(m!.body.toString()).toBe('hello');
    expect(m!.tag).toBe('tagA');
    expect(m!.keys).toEqual(['k1', 'k2']);
    expect(Object.fromEntries(m!.properties)).toEqual({ p: '1', q: 'two' });
    expect(m!.bornHost).toBe(hostname());
    expect(m!.bornTimestamp!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(m!.deliveryAttempt).toBe(1);
    expect(m!.corrupted).toBeFalsy(); // the client checked the CRC32 body digest

    expect(fake.stats('props', 'g-props')).toMatchObject({ published: 1, delivered: 1, inFlight: 1, acked: 0, pending: 0 });
    await consumer.ack(m!);
    expect(fake.stats('props', 'g-props')).toMatchObject({ inFlight: 0, acked: 1, pending: 0, redelivered: 0 });
    const [acked] = fake.acked('props', 'g-props');
    expect(acked).toMatchObject({ messageId: receipt.messageId, tag: 'tagA', keys: ['k1', 'k2'], properties: { p: '1', q: 'two' }, deliveryAttempt: 1 });
    expect(acked!.ackedAt).toBeGreaterThanOrEqual(acked!.deliveredAt);
  });

  it('filters by tag expression per group: "*", "a || b" and "c"', async () => {
    for (const tag of ['a', 'b', 'c', undefined]) await send('tags', `m-${tag ?? 'none'}`, tag ? { tag } : {});
    const all = await simpleConsumer('g-all', { tags: '*' });
    const ab = await simpleConsumer('g-ab', { tags: 'a || b' });
    const c = await simpleConsumer('g-c', { tags: 'c' });

    const bodies = async (consumer: SimpleConsumer, n: number) => {
      const got = await receiveN(consumer, n);
      for (const m of got) await consumer.ack(m);
      expect(await consumer.receive(10, 10_000)).toEqual([]); // nothing else matches
      return got.map((m) => m.body.toString()).sort();
    };
    expect(await bodies(all, 4)).toEqual(['m-a', 'm-b', 'm-c', 'm-none']);
    expect(await bodies(ab, 2)).toEqual(['m-a', 'm-b']);
    expect(await bodies(c, 1)).toEqual(['m-c']);
    expect(fake.stats('tags', 'g-ab')).toMatchObject({ acked: 2, filtered: 2, pending: 0, inFlight: 0 });
  });

  it('redelivers an unacked message after its invisible duration, with the next delivery attempt', async () => {
    const consumer = await simpleConsumer('g-redeliver', { redeliver: '*' }, 3000);
    const receipt = await send('redeliver', 'again');
    const [first] = await consumer.receive(1, 400);
    expect(first?.deliveryAttempt).toBe(1);
    // The long poll wakes when the message becomes visible again, well before awaitDuration.
    const [second] = await consumer.receive(1, 10_000);
    expect(second?.messageId).toBe(receipt.messageId);
    expect(second?.deliveryAttempt).toBe(2);
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle);
    // The first receipt handle expired with its invisible time, as on a real proxy.
    await expect(consumer.ack(first!)).rejects.toMatchObject({ code: 40013 });
    await consumer.ack(second!);
    expect(fake.stats('redeliver', 'g-redeliver')).toMatchObject({ delivered: 2, redelivered: 1, acked: 1, inFlight: 0, pending: 0 });
  });

  it('nack by changeInvisibleDuration gives a new receipt handle and a quick redelivery', async () => {
    const consumer = await simpleConsumer('g-nack', { nack: '*' }, 3000);
    await send('nack', 'retry-me');
    const [m] = await consumer.receive(1, 30_000);
    const oldHandle = m!.receiptHandle;
    await consumer.changeInvisibleDuration(m!, 100);
    expect(m!.receiptHandle).not.toBe(oldHandle);
    const [again] = await consumer.receive(1, 30_000);
    expect(again).toMatchObject({ messageId: m!.messageId, deliveryAttempt: 2 });
    await consumer.ack(again!);
    expect(fake.stats('nack', 'g-nack')).toMatchObject({ invisibleChanges: 1, redelivered: 1, acked: 1, pending: 0, inFlight: 0 });
  });

  it('gives every group every message and splits them between the consumers of one group', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 6; i++) ids.add((await send('fanout', `m${i}`)).messageId);
    const [g1a, g1b, g2] = await Promise.all([
      simpleConsumer('g-fan-1', { fanout: '*' }), simpleConsumer('g-fan-1', { fanout: '*' }), simpleConsumer('g-fan-2', { fanout: '*' }),
    ]);
    const fromA = await g1a!.receive(3, 10_000);
    const fromB = await receiveN(g1b!, 6 - fromA.length);
    const fromG2 = await receiveN(g2!, 6);
    for (const [c, ms] of [[g1a!, fromA], [g1b!, fromB], [g2!, fromG2]] as const) for (const m of ms) await c.ack(m);

    const a = fromA.map((m) => m.messageId);
    const b = fromB.map((m) => m.messageId);
    expect(a.filter((id) => b.includes(id))).toEqual([]); // clustering: once per group
    expect(new Set([...a, ...b])).toEqual(ids);
    expect(new Set(fromG2.map((m) => m.messageId))).toEqual(ids);
    expect(fake.stats('fanout', 'g-fan-1')).toMatchObject({ acked: 6, pending: 0, redelivered: 0 });
    expect(fake.stats('fanout', 'g-fan-2')).toMatchObject({ acked: 6, pending: 0, redelivered: 0 });
  });

  it('answers an empty long poll with no messages and wakes a waiting poll when a message arrives', async () => {
    const idle = await simpleConsumer('g-idle', { idle: '*' }, 200);
    expect(await idle.receive(5, 10_000)).toEqual([]); // MESSAGE_NOT_FOUND after 200 ms

    const waiting = await simpleConsumer('g-wake', { wake: '*' }, 8000);
    const started = Date.now();
    const pending = waiting.receive(5, 10_000);
    setTimeout(() => fake.publish('wake', { body: 'late', tag: 't', keys: ['k'], properties: { a: 'b' } }), 200);
    const got = await pending;
    expect(Date.now() - started).toBeLessThan(6000); // not the whole 8 s long poll
    expect(got.map((m) => [m.body.toString(), m.tag, m.keys, m.properties.get('a')])).toEqual([['late', 't', ['k'], 'b']]);
    await waiting.ack(got[0]!);
  });

  it('holds delay messages until due and transactional ones until commit', async () => {
    const consumer = await simpleConsumer('g-later', { later: '*' }, 2000);
    await producer.send({ topic: 'later', body: Buffer.from('delayed'), delay: 300 });
    expect(fake.stats('later', 'g-later').published).toBe(0);

    const txProducer = new Producer({ ...clientOptions(fake), topics: ['later'], checker: { check: async () => 1 /* COMMIT */ } });
    await txProducer.startup();
    toStop.push(txProducer);
    const tx = txProducer.beginTransaction();
    await txProducer.send({ topic: 'later', body: Buffer.from('committed') }, tx);
    const rolledBack = txProducer.beginTransaction();
    await txProducer.send({ topic: 'later', body: Buffer.from('rolled-back') }, rolledBack);
    expect(fake.stats('later', 'g-later').published).toBe(0);
    await tx.commit();
    await rolledBack.rollback();

    const got = await receiveN(consumer, 2);
    for (const m of got) await consumer.ack(m);
    expect(got.map((m) => m.body.toString()).sort()).toEqual(['committed', 'delayed']);
    expect(fake.messages('later').map((m) => m.messageType).sort()).toEqual(['DELAY', 'TRANSACTION']);
  });

  it('PushConsumer: acks successes, redelivers failures, dead-letters after max attempts', async () => {
    const attempts = new Map<string, number[]>();
    const push = new PushConsumer({
      ...clientOptions(fake),
      consumerGroup: 'g-push',
      subscriptions: new Map([['pushed', '*']]),
      messageListener: {
        consume(m: MessageView) {
          const body = m.body.toString();
          attempts.set(body, [...(attempts.get(body) ?? []), m.deliveryAttempt ?? 0]);
          if (body === 'poison' || (body === 'flaky' && m.deliveryAttempt === 1)) return ConsumeResult.FAILURE;
          return ConsumeResult.SUCCESS;
        },
      },
    });
    await startPushConsumer(push);
    toStop.push({ shutdown: () => shutdownPushConsumer(push) });

    for (let i = 0; i < 8; i++) await send('pushed', `ok-${i}`, { tag: 'x' });
    await send('pushed', 'flaky');
    await send('pushed', 'poison');
    await fake.waitFor(() => {
      const s = fake.stats('pushed', 'g-push');
      return s.acked === 9 && s.deadLettered === 1;
    }, 10_000);

    expect(attempts.get('flaky')).toEqual([1, 2]);
    expect(attempts.get('poison')).toEqual([1, 2, 3]);
    for (let i = 0; i < 8; i++) expect(attempts.get(`ok-${i}`)).toEqual([1]);
    expect(fake.deadLetters('pushed', 'g-push')).toMatchObject([{ reason: 'max-attempts', deliveryAttempt: 3 }]);
    expect(fake.stats('pushed', 'g-push')).toMatchObject({ acked: 9, deadLettered: 1, inFlight: 0, pending: 0, redelivered: 3 });
    expect(fake.clients().find((c) => c.group === 'g-push')).toMatchObject({ clientType: 'PUSH_CONSUMER', topics: ['pushed'], alive: true });
    expect(fake.calls.QueryAssignment).toBeGreaterThan(0);
  });

  it('FIFO group: one message group in order, local retries, then ForwardMessageToDeadLetterQueue', async () => {
    for (const body of ['o1', 'o2', 'o3-poison', 'o4', 'o5']) {
      await producer.send({ topic: 'ordered', body: Buffer.from(body), messageGroup: 'room-1' });
    }
    const order: string[] = [];
    const push = new PushConsumer({
      ...clientOptions(fake),
      consumerGroup: 'g-fifo',
      subscriptions: new Map([['ordered', '*']]),
      messageListener: {
        consume(m: MessageView) {
          order.push(`${m.body.toString()}#${m.deliveryAttempt}@${m.messageGroup}`);
          return m.body.toString() === 'o3-poison' ? ConsumeResult.FAILURE : ConsumeResult.SUCCESS;
        },
      },
    });
    await startPushConsumer(push);
    toStop.push({ shutdown: () => shutdownPushConsumer(push) });
    await fake.waitFor(() => fake.stats('ordered', 'g-fifo').acked === 4 && fake.stats('ordered', 'g-fifo').deadLettered === 1, 10_000);
    expect(order).toEqual(['o1#1@room-1', 'o2#1@room-1', 'o3-poison#1@room-1', 'o3-poison#2@room-1', 'o3-poison#3@room-1', 'o4#1@room-1', 'o5#1@room-1']);
    expect(fake.deadLetters('ordered', 'g-fifo')).toMatchObject([{ reason: 'forwarded', deliveryAttempt: 3, messageGroup: 'room-1', messageType: 'FIFO' }]);
    expect(fake.calls.ForwardMessageToDeadLetterQueue).toBe(1);

    // Server side of FIFO: the queue gives the group nothing new until the in-flight message is acked.
    const simple = await simpleConsumer('g-fifo-simple', { ordered: '*' });
    const [first] = await simple.receive(1, 10_000);
    expect(first?.body.toString()).toBe('o1');
    expect(await simple.receive(5, 10_000)).toEqual([]);
    await simple.ack(first!);
    expect((await simple.receive(1, 10_000)).map((m) => m.body.toString())).toEqual(['o2']);
  });

  it('gives a crashed PushConsumer\'s in-flight message to the next consumer of its group', async () => {
    // A child process takes the message and never finishes it; SIGKILL drops its connection
    // without NotifyClientTermination, as a crash would.
    const script = fileURLToPath(new URL('./stuck-push-consumer.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script, fake.endpoint, 'g-crash', 'crash'], {
      env: { ...process.env, HOME: await mkdtemp(join(tmpdir(), 'rocketmq-home-')) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await once(child.stdout!, 'data'); // "ready"
    const id = fake.publish('crash', { body: 'survivor' });
    await fake.waitFor(() => fake.stats('crash', 'g-crash').inFlight === 1, 10_000);
    child.kill('SIGKILL');
    await fake.waitFor(() => fake.stats('crash', 'g-crash').pending === 1, 5000);

    const seen: Array<[string, number | undefined]> = [];
    const push = new PushConsumer({
      ...clientOptions(fake),
      consumerGroup: 'g-crash',
      subscriptions: new Map([['crash', '*']]),
      messageListener: { consume: (m: MessageView) => { seen.push([m.messageId, m.deliveryAttempt]); return ConsumeResult.SUCCESS; } },
    });
    await startPushConsumer(push);
    toStop.push({ shutdown: () => shutdownPushConsumer(push) });
    await fake.waitFor(() => fake.stats('crash', 'g-crash').acked === 1, 10_000);
    expect(seen).toEqual([[id, 2]]);
    expect(fake.stats('crash', 'g-crash')).toMatchObject({ delivered: 2, acked: 1, inFlight: 0, pending: 0 });
  });
});
