// Hostile filters and events against the running broker: what cannot be bounded is refused at
// load, the rest is cut off, and other events keep flowing meanwhile.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadManifests } from '../src/manifests/load.js';
import { binaryHeaders, post, sendEvent } from './helpers/events.js';
import { BROKER_YAML, startProject, trigger, writeProject, type RunningProject } from './helpers/project.js';
import { settle, Subscriber } from './helpers/subscriber.js';

let sub: Subscriber;
let project: RunningProject;
const STRUCTURED = { 'content-type': 'application/cloudevents+json' };
const cel = (expression: string) => `  annotations:\n    eventyard.dev/cel: '${expression}'\n`;
const to = (path: string) => `  broker: default\n  subscriber:\n    uri: ${sub.url(path)}`;

beforeAll(async () => {
  sub = await Subscriber.start();
  project = await startProject({
    'eventing/broker.yaml': BROKER_YAML,
    'triggers/t.yaml':
      trigger('regex', to('/regex'), cel('event.subject.matches("^(a+)+$")')) +
      trigger('scan', to('/scan'), cel('event.data.items.exists(i, i == 2)')) +
      trigger('like', `  broker: default\n  filters:\n    - cesql: "subject LIKE '%a%a%a%a%a%a%a%a%b'"\n  subscriber:\n    uri: ${sub.url('/like')}`) +
      trigger('everything', to('/everything')),
  });
});
afterAll(async () => {
  await project.close();
  await sub.close();
});

it('refuses at load what cannot be bounded: nested comprehensions, deep nesting, huge expressions', async () => {
  const dir = await writeProject({
    'eventing/broker.yaml': BROKER_YAML,
    'triggers/t.yaml':
      trigger('nested', '  broker: default\n  subscriber:\n    uri: http://127.0.0.1:9/', cel('event.data.a.all(x, event.data.a.all(y, x != y))')) +
      trigger('deep', '  broker: default\n  subscriber:\n    uri: http://127.0.0.1:9/', cel(`${'('.repeat(300)}true${')'.repeat(300)}`)) +
      trigger('huge', '  broker: default\n  subscriber:\n    uri: http://127.0.0.1:9/', cel(`event.type == "${'x'.repeat(10_000)}"`)) +
      trigger('deep-sql', `  broker: default\n  filters:\n    - cesql: "${'('.repeat(500)}TRUE${')'.repeat(500)}"\n  subscriber:\n    uri: http://127.0.0.1:9/`),
  });
  const errors = (await loadManifests(dir)).problems.filter((p) => p.severity === 'error').map((p) => p.object);
  expect(errors).toEqual(['Trigger default/nested', 'Trigger default/deep', 'Trigger default/huge', 'Trigger default/deep-sql']);
});

it('cuts off hostile events and keeps serving the others meanwhile', async () => {
  const url = project.brokerUrl();
  // 10 KB subjects: deliveries go out in binary mode, and Node servers refuse headers over 16 KB.
  // A subject that makes a backtracking regex or LIKE engine run for ages, and a collection too big for CEL.
  const evil = `${'a'.repeat(10_000)}!`;
  const hostile = [
    post(url, STRUCTURED, JSON.stringify({ specversion: '1.0', id: 'evil-regex', type: 't', source: '/s', subject: evil })),
    post(url, STRUCTURED, JSON.stringify({ specversion: '1.0', id: 'evil-like', type: 't', source: '/s', subject: `${'a'.repeat(10_000)}c` })),
    post(url, binaryHeaders({ id: 'evil-data', type: 't', source: '/s' }, 'application/json'), JSON.stringify({ items: Array.from({ length: 20_000 }, () => 1) })),
  ];
  const normal = await sendEvent(url, { id: 'normal', subject: 'aaa' });
  expect((await Promise.all(hostile)).map((r) => r.status)).toEqual([202, 202, 202]);
  expect(normal.status).toBe(202);
  await sub.waitFor('/everything', 4);
  await settle(100);
  expect(sub.on('/regex').map((r) => r.headers['ce-id'])).toEqual(['normal']);
  expect(sub.on('/scan')).toEqual([]);
  expect(sub.on('/like')).toEqual([]);
  const explain = (await (await fetch(`${project.dev.url}/_/explain?event=evil-data`)).json()) as { triggers: { trigger: string; explanation: { children: { detail?: string }[] } }[] };
  const scan = explain.triggers.find((t) => t.trigger === 'default/scan')!;
  expect(JSON.stringify(scan)).toMatch(/20000 entries/);
});
