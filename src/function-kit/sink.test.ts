import { CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subscriber } from '../../tests/helpers/subscriber.js';
import { SinkError, sinkFromEnv } from './sink.js';

let sub: Subscriber;
beforeAll(async () => {
  sub = await Subscriber.start();
});
afterAll(() => sub.close());

const event = (id: string) => new CloudEvent({ id, source: '/test', type: 'dev.eventyard.test', subject: 's', renderingid: 'r1', data: { n: 1 } });
const fast = { backoffMs: 5 };

describe('sinkFromEnv', () => {
  it('POSTs the event to K_SINK in binary mode, with the K_CE_OVERRIDES extensions', async () => {
    const sink = sinkFromEnv({ K_SINK: sub.url('/ok'), K_CE_OVERRIDES: '{"extensions":{"farm":"north"}}' }, fast);
    await sink.send(event('e1'));
    const [got] = await sub.waitFor('/ok');
    expect(got!.headers).toMatchObject({ 'ce-id': 'e1', 'ce-type': 'dev.eventyard.test', 'ce-subject': 's', 'ce-renderingid': 'r1', 'ce-farm': 'north' });
    expect(got!.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(got!.body.toString())).toEqual({ n: 1 });
  });

  it('retries 503, 429 and an attempt that gets no answer, then delivers', async () => {
    sub.respond('/flaky', (_r, n) => (n === 1 ? { status: 503 } : n === 2 ? { status: 429 } : n === 3 ? { status: 0, hang: true } : { status: 202 }));
    await sinkFromEnv({ K_SINK: sub.url('/flaky') }, { ...fast, timeoutMs: 300 }).send(event('e2'));
    expect(sub.on('/flaky')).toHaveLength(4);
  });

  it('does not retry an event the sink refuses (4xx), and says what it answered', async () => {
    sub.respond('/refuse', { status: 400, body: 'bad event' });
    await expect(sinkFromEnv({ K_SINK: sub.url('/refuse') }, fast).send(event('e3'))).rejects.toThrow(/e3 to the sink .*\/refuse answered 400: bad event/);
    expect(sub.on('/refuse')).toHaveLength(1);
  });

  it('gives up after its attempts on a sink that keeps failing', async () => {
    sub.respond('/down', { status: 500 });
    await expect(sinkFromEnv({ K_SINK: sub.url('/down') }, { ...fast, attempts: 3 }).send(event('e4'))).rejects.toThrow(SinkError);
    expect(sub.on('/down')).toHaveLength(3);
  });

  it('says what to do when K_SINK is unset or the variables are malformed', () => {
    expect(() => sinkFromEnv({})).toThrow(/K_SINK is not set: .*SinkBinding/);
    expect(() => sinkFromEnv({ K_SINK: 'not a url' })).toThrow(/K_SINK is not an http\(s\) URL/);
    expect(() => sinkFromEnv({ K_SINK: sub.url('/'), K_CE_OVERRIDES: '{' })).toThrow(/K_CE_OVERRIDES is not JSON/);
  });
});
