// Delivery, knative-spec §3: retries, backoff, timeouts, the retryable status set, dead-letter
// sinks with knativeerror* extensions, Trigger vs Broker delivery, and Trigger independence.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEvent } from '../helpers/events.js';
import { startProject, trigger, type RunningProject } from '../helpers/project.js';
import { settle, Subscriber, type Received } from '../helpers/subscriber.js';

let sub: Subscriber;
let project: RunningProject;
const CLOSED_PORT_URL = 'http://127.0.0.1:9/refused';

/** A Trigger that takes events of type `name`, delivering to /<name>, dead letters to /dls/<name>. */
function caseTrigger(name: string, delivery: string, options: { dls?: boolean } = {}): string {
  const dls = options.dls === false ? '' : `\n    deadLetterSink:\n      uri: ${sub.url(`/dls/${name}`)}`;
  const deliveryBlock = delivery || dls ? `\n  delivery:${delivery ? `\n${delivery}` : ''}${dls}` : '';
  return trigger(name, `  broker: default\n  filters:\n    - exact:\n        type: ${name}\n  subscriber:\n    uri: ${sub.url(`/${name}`)}${deliveryBlock}`);
}

function gaps(requests: Received[]): number[] {
  return requests.slice(1).map((r, i) => r.at - requests[i]!.at);
}

const brokers = () => `apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: default
  namespace: default
spec:
  delivery:
    retry: 2
    deadLetterSink:
      uri: ${sub.url('/dls/broker')}
---
apiVersion: eventing.knative.dev/v1
kind: Broker
metadata:
  name: bare
  namespace: default
`;

beforeAll(async () => {
  sub = await Subscriber.start();
  const triggers = [
    caseTrigger('always-500', '    retry: 3'),
    caseTrigger('not-retryable', '    retry: 3'),
    caseTrigger('retryable', '    retry: 1'),
    caseTrigger('recovers', '    retry: 3'),
    caseTrigger('exponential', '    retry: 3\n    backoffPolicy: exponential\n    backoffDelay: PT0.1S'),
    caseTrigger('linear', '    retry: 3\n    backoffPolicy: linear\n    backoffDelay: PT0.1S'),
    caseTrigger('delay-without-policy', '    retry: 2\n    backoffDelay: PT1S'),
    caseTrigger('hangs', '    retry: 1\n    timeout: PT0.3S'),
    caseTrigger('retry-after', '    retry: 1\n    backoffPolicy: linear\n    backoffDelay: PT0.01S\n    retryAfterMax: PT5S'),
    caseTrigger('retry-after-ignored', '    retry: 1'),
    caseTrigger('structured', '    format: json'),
    caseTrigger('dls-fails', '    retry: 1'),
    // Trigger delivery replaces the Broker's, DLS included (MT): this one has no DLS at all.
    caseTrigger('own-delivery', '    retry: 1', { dls: false }),
    // No delivery: the Broker's (retry 2, its DLS) applies.
    trigger('broker-delivery', `  broker: default\n  filters:\n    - exact:\n        type: broker-delivery\n  subscriber:\n    uri: ${sub.url('/broker-delivery')}`),
    trigger('on-bare-broker', `  broker: bare\n  subscriber:\n    uri: ${sub.url('/bare')}`),
    // A dead-letter sink that is a ref to another Broker: dead letters become events there.
    trigger('dls-to-broker', `  broker: default\n  filters:\n    - exact:\n        type: dls-to-broker\n  subscriber:\n    uri: ${sub.url('/dls-to-broker')}\n  delivery:\n    deadLetterSink:\n      ref:\n        apiVersion: eventing.knative.dev/v1\n        kind: Broker\n        name: bare`),
    trigger('refused', `  broker: default\n  filters:\n    - exact:\n        type: refused\n  subscriber:\n    uri: ${CLOSED_PORT_URL}\n  delivery:\n    retry: 1\n    deadLetterSink:\n      uri: ${sub.url('/dls/refused')}`),
    trigger('slow', `  broker: default\n  filters:\n    - prefix:\n        type: independence\n  subscriber:\n    uri: ${sub.url('/slow')}\n  delivery:\n    timeout: PT30S`),
    trigger('fast', `  broker: default\n  filters:\n    - prefix:\n        type: independence\n  subscriber:\n    uri: ${sub.url('/fast')}`),
  ];
  sub.respond('/always-500', { status: 500, body: 'boom' });
  sub.respond('/dls-to-broker', { status: 422, body: 'unprocessable' });
  sub.respond('/dls/dls-fails', { status: 500 });
  sub.respond('/dls-fails', { status: 503 });
  sub.respond('/recovers', (_r, n) => ({ status: n < 3 ? 503 : 202 }));
  for (const path of ['/exponential', '/linear', '/delay-without-policy', '/own-delivery', '/broker-delivery']) sub.respond(path, { status: 500 });
  sub.respond('/hangs', { status: 200, hang: true });
  sub.respond('/retry-after', (_r, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 202 }));
  sub.respond('/retry-after-ignored', (_r, n) => (n === 1 ? { status: 503, headers: { 'retry-after': '3' } } : { status: 202 }));
  sub.respond('/slow', { status: 200, hang: true });
  project = await startProject({ 'eventing/brokers.yaml': brokers(), 'triggers/cases.yaml': triggers.join('') });
});
afterAll(async () => {
  await project.close();
  await sub.close();
});

const send = (type: string, extra: Record<string, string> = {}, data?: unknown) => sendEvent(project.brokerUrl(), { type, ...extra }, data);

describe('retries and dead letters', () => {
  it('makes retry+1 attempts, then sends the original event to the DLS with knativeerror* extensions', async () => {
    const { id } = await send('always-500', { subject: 's1' }, { order: 7 });
    const [dead] = await sub.waitFor('/dls/always-500');
    expect(sub.on('/always-500')).toHaveLength(4);
    expect(dead!.headers['ce-id']).toBe(id);
    expect(dead!.headers['ce-type']).toBe('always-500');
    expect(dead!.headers['ce-subject']).toBe('s1');
    expect(JSON.parse(dead!.body.toString())).toEqual({ order: 7 });
    expect(dead!.headers['ce-knativeerrordest']).toBe(sub.url('/always-500'));
    expect(dead!.headers['ce-knativeerrorcode']).toBe('500');
    expect(dead!.headers['ce-knativeerrordata']).toBe(Buffer.from('boom').toString('base64'));
  });

  it.each([400, 401, 403, 422])('does not retry %i: one attempt, then the DLS', async (status) => {
    sub.respond('/not-retryable', { status });
    const before = sub.on('/not-retryable').length;
    const { id } = await send('not-retryable');
    const dead = await sub.waitForId('/dls/not-retryable', id);
    expect(dead.headers['ce-knativeerrorcode']).toBe(String(status));
    expect(sub.on('/not-retryable').length - before).toBe(1);
  });

  it.each([404, 408, 409, 429, 500, 501, 503])('retries %i', async (status) => {
    sub.respond('/retryable', { status });
    const before = sub.on('/retryable').length;
    const { id } = await send('retryable');
    await sub.waitForId('/dls/retryable', id);
    expect(sub.on('/retryable').length - before).toBe(2);
  });

  it('stops retrying once the subscriber recovers, and dead-letters nothing', async () => {
    await send('recovers');
    await sub.waitFor('/recovers', 3);
    await settle(200);
    expect(sub.on('/recovers')).toHaveLength(3);
    expect(sub.on('/dls/recovers')).toHaveLength(0);
  });

  it('retries when nothing answers (connection refused) and reports code 500', async () => {
    const { id } = await send('refused');
    const dead = await sub.waitForId('/dls/refused', id);
    expect(dead.headers['ce-knativeerrorcode']).toBe('500');
    expect(dead.headers['ce-knativeerrordest']).toBe(CLOSED_PORT_URL);
  });

  it('honours the per-attempt timeout on a subscriber that never answers', async () => {
    const { id } = await send('hangs');
    const dead = await sub.waitForId('/dls/hangs', id);
    expect(sub.on('/hangs')).toHaveLength(2);
    expect(dead.headers['ce-knativeerrorcode']).toBe('500');
  });

  it('dead-letters into a Broker named by ref, where its Triggers pick the event up', async () => {
    const { id } = await send('dls-to-broker');
    const dead = await sub.waitForId('/bare', id);
    expect(dead.headers['ce-knativeerrorcode']).toBe('422');
    expect(dead.headers['ce-knativeerrordest']).toBe(sub.url('/dls-to-broker'));
  });

  it('drops the event and counts it when the dead-letter sink fails too', async () => {
    await send('dls-fails');
    await sub.waitFor('/dls/dls-fails', 2); // the DLS gets the same retries
    await settle(200);
    const t = await triggerCounts('dls-fails');
    expect(t).toMatchObject({ matched: 1, delivered: 0, deadLettered: 0, dropped: 1, inFlight: 0 });
  });
});

describe('backoff', () => {
  // Lower bounds only: a retry can never come before its backoff; upper bounds would be flaky.
  const EARLY_MS = 5;

  it('exponential waits d, 2d, 4d (the MT broker index)', async () => {
    await send('exponential');
    const attempts = await sub.waitFor('/exponential', 4);
    gaps(attempts).forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual([100, 200, 400][i]! - EARLY_MS));
  });

  it('linear waits 0, d, 2d (the MT broker index)', async () => {
    await send('linear');
    const attempts = await sub.waitFor('/linear', 4);
    const [, second, third] = gaps(attempts);
    expect(second).toBeGreaterThanOrEqual(100 - EARLY_MS);
    expect(third).toBeGreaterThanOrEqual(200 - EARLY_MS);
  });

  it('waits for Retry-After on 429 when retryAfterMax is set', async () => {
    await send('retry-after');
    const attempts = await sub.waitFor('/retry-after', 2);
    expect(gaps(attempts)[0]).toBeGreaterThanOrEqual(1000 - EARLY_MS);
  });

  it('retries at once without a backoffPolicy, and ignores Retry-After without retryAfterMax', async () => {
    await send('delay-without-policy');
    await send('retry-after-ignored');
    await sub.waitFor('/delay-without-policy', 3);
    const attempts = await sub.waitFor('/retry-after-ignored', 2);
    // 3 s of Retry-After was not waited for; the test's own timeout would catch a wait.
    expect(attempts).toHaveLength(2);
  });
});

describe('Trigger delivery replaces the Broker delivery', () => {
  it('uses only the Trigger delivery when it has one: no Broker DLS', async () => {
    const { id } = await send('own-delivery');
    await sub.waitFor('/own-delivery', 2);
    await settle(300);
    expect(sub.on('/own-delivery')).toHaveLength(2);
    expect(sub.on('/dls/broker').some((r) => r.headers['ce-id'] === id)).toBe(false);
    expect(await triggerCounts('own-delivery')).toMatchObject({ matched: 1, dropped: 1 });
  });

  it('uses the Broker delivery when the Trigger has none', async () => {
    const { id } = await send('broker-delivery');
    await sub.waitForId('/dls/broker', id);
    expect(sub.on('/broker-delivery')).toHaveLength(3);
  });

  it('gives a Broker without delivery the cluster default (retry 10, exponential, PT0.2S)', async () => {
    const triggers = (await (await fetch(`${project.dev.url}/_/triggers`)).json()) as { name: string; retries: number }[];
    expect(triggers.find((t) => t.name === 'on-bare-broker')!.retries).toBe(10);
  });
});

describe('what the subscriber sees', () => {
  it('sends Prefer: reply and Kn-Namespace, in binary mode by default', async () => {
    const { id } = await send('recovers');
    const got = await sub.waitForId('/recovers', id);
    expect(got.headers.prefer).toBe('reply');
    expect(got.headers['kn-namespace']).toBe('default');
    expect(got.headers['ce-id']).toBe(id);
  });

  it('sends structured mode when delivery.format is json', async () => {
    const { id } = await send('structured', {}, { a: 1 });
    const [got] = await sub.waitFor('/structured');
    expect(got!.headers['content-type']).toBe('application/cloudevents+json');
    const body = JSON.parse(got!.body.toString());
    expect(body).toMatchObject({ id, type: 'structured', data: { a: 1 }, specversion: '1.0' });
  });
});

describe('independence', () => {
  it('a subscriber that hangs with every connection busy never delays another Trigger', async () => {
    const N = 100; // more than the 64 connections of the slow Trigger's pool
    const ids = [];
    for (let i = 0; i < N; i++) ids.push((await send('independence')).id);
    const fast = await sub.waitFor('/fast', N);
    expect(new Set(fast.map((r) => r.headers['ce-id']))).toEqual(new Set(ids));
    const slow = await triggerCounts('slow');
    expect(slow.delivered).toBe(0);
    expect(slow.inFlight).toBe(N);
  });
});


async function triggerCounts(name: string): Promise<Record<string, number>> {
  const triggers = (await (await fetch(`${project.dev.url}/_/triggers`)).json()) as { name: string; counts: Record<string, number> }[];
  return triggers.find((t) => t.name === name)!.counts;
}
