// Replies and loop prevention, knative-spec §4: a 2xx CloudEvent goes back into the same broker,
// an empty 2xx is done, any other 2xx body is a failure, and knativebrokerttl ends reply loops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEvent } from '../helpers/events.js';
import { BROKER_YAML, startProject, trigger, type RunningProject } from '../helpers/project.js';
import { settle, Subscriber } from '../helpers/subscriber.js';

let sub: Subscriber;
let project: RunningProject;

function route(name: string, type: string, delivery = ''): string {
  const dls = `    deadLetterSink:\n      uri: ${sub.url(`/dls/${name}`)}`;
  return trigger(name, `  broker: default\n  filters:\n    - exact:\n        type: ${type}\n  subscriber:\n    uri: ${sub.url(`/${name}`)}\n  delivery:\n${delivery}${dls}`);
}

beforeAll(async () => {
  sub = await Subscriber.start();
  sub.respond('/ping', (req) => ({
    status: 200,
    headers: { 'ce-specversion': '1.0', 'ce-id': `pong-for-${req.headers['ce-id']}`, 'ce-type': 'pong', 'ce-source': '/ponger', 'content-type': 'application/json' },
    body: JSON.stringify({ answer: 42 }),
  }));
  sub.respond('/ping-structured', (req) => ({
    status: 202,
    headers: { 'content-type': 'application/cloudevents+json' },
    body: JSON.stringify({ specversion: '1.0', id: `spong-${req.headers['ce-id']}`, type: 'pong', source: '/ponger', data: 'x' }),
  }));
  sub.respond('/plain-body', { status: 200, headers: { 'content-type': 'application/json' }, body: '{"not":"an event"}' });
  sub.respond('/bad-reply', { status: 200, headers: { 'ce-specversion': '1.0', 'ce-type': 'no.id', 'ce-source': '/s' } });
  sub.respond('/looper', (_req, n) => ({ status: 200, headers: { 'ce-specversion': '1.0', 'ce-id': `loop-${n}`, 'ce-type': 'loop', 'ce-source': '/looper' } }));
  let empty = 0;
  sub.respond('/empty', () => ({ status: [200, 202, 204][empty++ % 3]! }));

  project = await startProject({
    'eventing/broker.yaml': BROKER_YAML,
    'triggers/replies.yaml': [
      route('ping', 'ping', '    retry: 0\n'),
      route('ping-structured', 'ping.structured', '    retry: 0\n'),
      trigger('pong', `  broker: default\n  filters:\n    - exact:\n        type: pong\n  subscriber:\n    uri: ${sub.url('/pong')}`),
      route('plain-body', 'plain', '    retry: 2\n'),
      route('bad-reply', 'bad.reply', '    retry: 1\n'),
      route('looper', 'loop', '    retry: 0\n'),
      route('empty', 'empty', '    retry: 3\n'),
    ].join(''),
  });
});
afterAll(async () => {
  await project.close();
  await sub.close();
});

const send = (type: string) => sendEvent(project.brokerUrl(), { type });

describe('replies', () => {
  it('publishes a binary reply back into the broker, where other Triggers match it', async () => {
    const { id } = await send('ping');
    const [pong] = await sub.waitFor('/pong');
    expect(pong!.headers['ce-id']).toBe(`pong-for-${id}`);
    expect(pong!.headers['ce-source']).toBe('/ponger');
    expect(JSON.parse(pong!.body.toString())).toEqual({ answer: 42 });
    expect(pong!.headers['ce-knativearrivaltime']).toBeDefined();
    expect(pong!.headers['ce-knativebrokerttl']).toBeUndefined();
  });

  it('publishes a structured reply, and treats 202 + event as a reply like MT does', async () => {
    const { id } = await send('ping.structured');
    await sub.waitFor('/pong', 2);
    expect(sub.on('/pong').some((r) => r.headers['ce-id'] === `spong-${id}`)).toBe(true);
  });

  it('treats an empty 200, 202 or 204 as done: no retry, no reply', async () => {
    for (let i = 0; i < 3; i++) await send('empty');
    await sub.waitFor('/empty', 3);
    await settle(200);
    expect(sub.on('/empty')).toHaveLength(3);
    expect(sub.on('/dls/empty')).toHaveLength(0);
  });

  it('fails a 2xx whose body is not a CloudEvent: retried, then dead-lettered as 502', async () => {
    const { id } = await send('plain');
    const [dead] = await sub.waitFor('/dls/plain-body');
    expect(sub.on('/plain-body')).toHaveLength(3);
    expect(dead!.headers['ce-id']).toBe(id);
    expect(dead!.headers['ce-knativeerrorcode']).toBe('502');
    expect(Buffer.from(dead!.headers['ce-knativeerrordata'] as string, 'base64').toString()).toBe('{"not":"an event"}');
  });

  it('fails a reply that is a malformed CloudEvent', async () => {
    await send('bad.reply');
    const [dead] = await sub.waitFor('/dls/bad-reply');
    expect(sub.on('/bad-reply')).toHaveLength(2);
    expect(dead!.headers['ce-knativeerrorcode']).toBe('502');
  });
});

describe('loop prevention (knativebrokerttl)', () => {
  it('ends a reply loop after 255 hops and dead-letters the last event, naming the broker', async () => {
    await send('loop');
    const [dead] = await sub.waitFor('/dls/looper', 1, 20_000);
    expect(sub.on('/looper')).toHaveLength(255);
    expect(dead!.headers['ce-knativeerrordest']).toBe(project.brokerUrl());
    expect(dead!.headers['ce-knativeerrorcode']).toBe('400');
    expect(dead!.headers['ce-id']).toBe('loop-254');
    await settle(100);
    expect(sub.on('/looper')).toHaveLength(255);
  });
});
