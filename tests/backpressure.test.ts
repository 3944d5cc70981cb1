// A sender faster than the subscribers meets back-pressure at the broker ingress (503 with
// Retry-After) once too many deliveries are pending, instead of growing dev's memory without end;
// nothing it accepted is lost, and it takes events again as soon as the backlog drains.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sendEvent } from './helpers/events.js';
import { BROKER_YAML, startProject, trigger, type RunningProject } from './helpers/project.js';
import { Subscriber } from './helpers/subscriber.js';

let project: RunningProject;
let sub: Subscriber;

beforeAll(async () => {
  sub = await Subscriber.start();
  for (const path of ['/a', '/b']) sub.respond(path, { status: 202, delayMs: 1500 });
  // Two Triggers match each event: three events make six pending deliveries, the limit.
  project = await startProject(
    {
      'eventing/broker.yaml': BROKER_YAML,
      'triggers/slow.yaml': trigger('slow-a', `  broker: default\n  subscriber:\n    uri: ${sub.url('/a')}`) + trigger('slow-b', `  broker: default\n  subscriber:\n    uri: ${sub.url('/b')}`),
    },
    { maxPendingDeliveries: 6 },
  );
});
afterAll(async () => {
  await project?.close();
  await sub?.close();
});

it('answers 503 with Retry-After while the backlog is at its limit, loses nothing it accepted, and accepts again once it drains', async () => {
  const accepted: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await sendEvent(project.brokerUrl(), { type: 'burst' });
    expect(r.status).toBe(202);
    accepted.push(r.id);
  }
  const refused = await fetch(project.brokerUrl(), { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': 'one-too-many', 'ce-type': 'burst', 'ce-source': '/tests' } });
  expect(refused.status).toBe(503);
  expect(refused.headers.get('retry-after')).toBe('1');
  expect(await refused.text()).toBe('the broker is overloaded: 6 deliveries are pending (limit 6, --max-pending-deliveries); send again in a moment\n');

  // The subscribers answer; the backlog drains; every accepted event reached both, the refused one neither.
  for (const path of ['/a', '/b']) {
    const got = await sub.waitFor(path, 3);
    expect(got.map((r) => r.headers['ce-id']).sort()).toEqual([...accepted].sort());
  }
  await expect.poll(() => project.dev.runtime.pendingDeliveries(), { timeout: 5000 }).toBe(0);
  expect((await sendEvent(project.brokerUrl(), { type: 'burst' })).status).toBe(202);
  expect(sub.received.some((r) => r.headers['ce-id'] === 'one-too-many')).toBe(false);
  const metrics = await (await fetch(`${project.dev.url}/metrics`)).text();
  expect(metrics).toContain('eventyard_broker_events_refused_total{namespace="default",broker="default"} 1');
  expect(metrics).toContain('eventyard_broker_events_accepted_total{namespace="default",broker="default"} 4');
});
