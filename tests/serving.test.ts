// Functions served as Knative Services by `eventyard dev`: real processes started from zero by the
// activator, scaled by the KPA on observed concurrency, and back to zero when idle.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceStats } from '../src/serving/function-service.js';
import { sendEvent } from './helpers/events.js';
import { BROKER_YAML, startProject, trigger, type RunningProject } from './helpers/project.js';
import { Subscriber } from './helpers/subscriber.js';

// Sleeps when asked, then replies with the pid of the instance that served it.
const ECHO = `import { CloudEvent } from 'cloudevents';
export const handle = async (_context: unknown, event?: CloudEvent<{ sleepMs?: number }>) => {
  const ms = event?.data?.sleepMs ?? 0;
  if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  return new CloudEvent({ source: '/echo', type: 'echo.reply', data: { for: event?.id, pid: process.pid } });
};
`;

const service = (name: string, annotations: Record<string, string>, containerConcurrency: number) => `---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
  namespace: default
spec:
  template:
    metadata:
      annotations:
${Object.entries(annotations).map(([k, v]) => `        autoscaling.knative.dev/${k}: "${v}"`).join('\n')}
    spec:
      containerConcurrency: ${containerConcurrency}
      containers:
        - image: eventyard
`;

const toService = (name: string) => `  broker: default
  filter:
    attributes:
      type: ${name}.request
  subscriber:
    ref:
      apiVersion: serving.knative.dev/v1
      kind: Service
      name: ${name}
  delivery:
    retry: 5
    backoffPolicy: linear
    backoffDelay: PT0.2S`;

let project: RunningProject;
let replies: Subscriber;

beforeAll(async () => {
  replies = await Subscriber.start();
  project = await startProject(
    {
      'package.json': '{"type": "module"}\n',
      'functions/echo/index.ts': ECHO,
      'functions/burst/index.ts': ECHO,
      'eventing/broker.yaml': BROKER_YAML,
      // One request per instance, aimed at full use: a burst of N needs N instances, capped at 3.
      'eventing/services.yaml':
        service('echo', { 'target-utilization-percentage': '100' }, 1) + service('burst', { 'max-scale': '3', 'target-utilization-percentage': '100' }, 1),
      'triggers/t.yaml':
        trigger('echo', toService('echo')) +
        trigger('burst', toService('burst')) +
        trigger('replies', `  broker: default\n  filter:\n    attributes:\n      type: echo.reply\n  subscriber:\n    uri: ${replies.url('/replies')}`),
    },
    // Knative's 60 s stable window and 30 s grace, shortened so that scale to zero shows in a test.
    { autoscaler: { stableWindowMs: 1500, scaleToZeroGraceMs: 500, tickMs: 250 } },
  );
}, 30_000);

afterAll(async () => {
  await project?.close();
  await replies?.close();
});

function stats(name: string): ServiceStats {
  return project.dev.serving.find('default', name)!.stats();
}

async function until(what: string, done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The echo's reply to the event `id`: its data names the event it answers and the instance's pid. */
async function replyFor(id: string, timeoutMs = 15_000): Promise<{ for: string; pid: number }> {
  const find = () => replies.on('/replies').map((r) => JSON.parse(r.body.toString()) as { for: string; pid: number }).find((d) => d.for === id);
  await until(`the reply to ${id}`, () => find() !== undefined, timeoutMs);
  return find()!;
}
const deliveriesOf = (id: string) => project.dev.runtime.recent.list().filter((d) => d.eventId === id);

describe('scale from zero', () => {
  it('starts at zero, holds the first event while an instance starts, then delivers it on the first attempt', async () => {
    expect(stats('echo').instances).toEqual({ starting: 0, ready: 0, draining: 0 });
    const { id, status } = await sendEvent(project.brokerUrl(), { type: 'echo.request' }, {});
    expect(status).toBe(202);
    await replyFor(id);
    const [delivery] = deliveriesOf(id);
    expect(delivery).toMatchObject({ fate: 'delivered', attempts: 1, status: 200 });
    expect(stats('echo').coldStarts).toBe(1);
    expect(stats('echo').lastColdStartMs).toBeGreaterThan(0);
  });

  it('goes back to zero after the idle window (stable window, then the grace period)', async () => {
    await until('echo at zero', () => stats('echo').instances.ready + stats('echo').instances.starting + stats('echo').instances.draining === 0);
    expect(stats('echo').desired).toBe(0);
  });

  it('starts from zero again for the next event', async () => {
    const { id } = await sendEvent(project.brokerUrl(), { type: 'echo.request' }, {});
    await replyFor(id);
    expect(stats('echo').coldStarts).toBe(2);
  });
});

describe('a burst above the target', () => {
  it('scales out, never above max-scale, queues what does not fit and delivers every event once', async () => {
    const peak = { ready: 0, alive: 0 };
    const watch = setInterval(() => {
      const { instances } = stats('burst');
      peak.ready = Math.max(peak.ready, instances.ready);
      peak.alive = Math.max(peak.alive, instances.ready + instances.starting);
    }, 10);
    const sent = await Promise.all(Array.from({ length: 8 }, () => sendEvent(project.brokerUrl(), { type: 'burst.request' }, { sleepMs: 1500 })));
    try {
      const pids = new Set<number>();
      for (const { id } of sent) {
        pids.add((await replyFor(id, 30_000)).pid);
      }
      expect(peak.ready).toBe(3);
      expect(peak.alive).toBeLessThanOrEqual(3);
      expect(pids.size).toBe(3);
      for (const { id } of sent) expect(deliveriesOf(id)).toEqual([expect.objectContaining({ fate: 'delivered', attempts: 1 })]);
    } finally {
      clearInterval(watch);
    }
  }, 40_000);
});

describe('a crashing instance', () => {
  it('is replaced; the request it held fails and the delivery retries it on the new instance', async () => {
    const { id } = await sendEvent(project.brokerUrl(), { type: 'echo.request' }, { sleepMs: 3000 });
    const echo = project.dev.serving.find('default', 'echo')!;
    await until('the request at an instance', () => echo.stats().inFlight === 1);
    const [victim] = echo.readyInstances;
    victim!.kill();
    expect((await replyFor(id)).pid).not.toBe(victim!.pid);
    expect(echo.stats().crashes).toBe(1);
    const [delivery] = deliveriesOf(id);
    expect(delivery).toMatchObject({ fate: 'delivered', attempts: 2 });
  }, 30_000);
});

describe('the dashboard API', () => {
  it('lists every Service with instances, requests in flight and cold starts', async () => {
    const list = (await (await fetch(`${project.dev.url}/_/services`)).json()) as ServiceStats[];
    expect(list.map((s) => s.name).sort()).toEqual(['burst', 'echo']);
    expect(list.find((s) => s.name === 'burst')).toMatchObject({ maxScale: 3, containerConcurrency: 1, target: 1 });
  });

  it('streams a Service\'s stats as they change', async () => {
    const controller = new AbortController();
    const response = await fetch(`${project.dev.url}/_/services/watch`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const seen: ServiceStats[] = [];
    const reading = (async () => {
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array);
        for (let i = buffer.indexOf('\n\n'); i !== -1; i = buffer.indexOf('\n\n')) {
          const data = /^data: (.*)$/m.exec(buffer.slice(0, i))?.[1];
          if (data) seen.push(JSON.parse(data) as ServiceStats);
          buffer = buffer.slice(i + 2);
        }
      }
    })().catch(() => undefined);
    const { id } = await sendEvent(project.brokerUrl(), { type: 'echo.request' }, {});
    await replyFor(id);
    await until('a change showing an instance ready', () => seen.some((s) => s.name === 'echo' && s.instances.ready > 0));
    controller.abort();
    await reading;
  });
});
