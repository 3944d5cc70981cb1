// GET /metrics: the runtime's accounting in the Prometheus text format.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { prometheusText } from '../src/observability/metrics.js';
import { emptyCounts } from '../src/observability/trigger-stats.js';
import { sendEvent } from './helpers/events.js';
import { BROKER_YAML, startProject, trigger, type RunningProject } from './helpers/project.js';
import { Subscriber } from './helpers/subscriber.js';

let sub: Subscriber;
let project: RunningProject;

beforeAll(async () => {
  sub = await Subscriber.start();
  sub.respond('/fails', { status: 500 });
  project = await startProject({
    'eventing/broker.yaml': BROKER_YAML,
    'triggers/t.yaml':
      trigger('ok', `  broker: default\n  subscriber:\n    uri: ${sub.url('/ok')}`) +
      trigger('fails', `  broker: default\n  filter:\n    attributes:\n      type: order.created\n  subscriber:\n    uri: ${sub.url('/fails')}\n  delivery:\n    retry: 2\n    deadLetterSink:\n      uri: ${sub.url('/dead')}`),
  });
});
afterAll(async () => {
  await project?.close();
  await sub?.close();
});

async function scrape(): Promise<string> {
  const r = await fetch(`${project.dev.url}/metrics`);
  expect(r.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return r.text();
}

it('counts every event of every Trigger by outcome, and the broker\'s accepted events', async () => {
  await sendEvent(project.brokerUrl(), { type: 'order.created' });
  await sendEvent(project.brokerUrl(), { type: 'order.created' });
  await sendEvent(project.brokerUrl(), { type: 'order.shipped' });
  await sub.waitFor('/dead', 2);
  await sub.waitFor('/ok', 3);
  for (let i = 0; i < 100 && !(await scrape()).includes('outcome="dead_lettered"} 2'); i++) await new Promise((r) => setTimeout(r, 20));
  const text = await scrape();
  const lines = text.split('\n');
  expect(lines).toContain('# TYPE eventyard_trigger_events_total counter');
  expect(lines).toContain('eventyard_broker_events_accepted_total{namespace="default",broker="default"} 3');
  expect(lines).toContain('eventyard_trigger_events_total{namespace="default",trigger="ok",broker="default",outcome="matched"} 3');
  expect(lines).toContain('eventyard_trigger_events_total{namespace="default",trigger="ok",broker="default",outcome="delivered"} 3');
  expect(lines).toContain('eventyard_trigger_events_total{namespace="default",trigger="fails",broker="default",outcome="matched"} 2');
  expect(lines).toContain('eventyard_trigger_events_total{namespace="default",trigger="fails",broker="default",outcome="dead_lettered"} 2');
  expect(lines).toContain('eventyard_trigger_events_total{namespace="default",trigger="fails",broker="default",outcome="dropped"} 0');
  expect(lines).toContain('eventyard_trigger_retries_total{namespace="default",trigger="fails",broker="default"} 4');
  expect(lines).toContain('eventyard_trigger_in_flight{namespace="default",trigger="fails",broker="default"} 0');
});

it('escapes label values as the text format requires', () => {
  const text = prometheusText({ brokers: [], triggers: [{ namespace: 'n', name: 'a"b\\c\nd', broker: 'b', counts: emptyCounts() }], sources: [], services: [] });
  expect(text).toContain('eventyard_trigger_in_flight{namespace="n",trigger="a\\"b\\\\c\\nd",broker="b"} 0');
});
