// "Why did my Trigger not fire?": eventyard explain, and the same answer from the running runtime.
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEvent } from './helpers/events.js';
import { BROKER_YAML, startProject, trigger, writeProject, type RunningProject } from './helpers/project.js';
import { Subscriber } from './helpers/subscriber.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const sink = `  subscriber:\n    uri: http://127.0.0.1:9/unused`;
const FILES = {
  'eventing/broker.yaml': BROKER_YAML,
  'triggers/t.yaml':
    trigger('orders', `  broker: default\n  filters:\n    - prefix:\n        type: order.\n    - not:\n        exact:\n          subject: draft\n${sink}`) +
    trigger('big', `  broker: default\n  filters:\n    - cesql: "type = 'order.created' AND qty > 5"\n${sink}`) +
    trigger('cel', `  broker: default\n${sink}`, `  annotations:\n    eventyard.dev/cel: 'event.data.lines.exists(l, l.sku == "A-1")'\n`),
};
const EVENT = { specversion: '1.0', id: 'e-1', type: 'order.created', source: '/orders', subject: 'draft', qty: '10', data: { lines: [{ sku: 'B-2' }] } };

describe('eventyard explain', () => {
  let dir: string;
  let eventFile: string;
  beforeAll(async () => {
    dir = await writeProject(FILES);
    eventFile = path.join(dir, 'event.json');
    await writeFile(eventFile, JSON.stringify(EVENT));
  });

  const explain = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'bin/eventyard.js'), 'explain', '--dir', dir, '--event', eventFile, ...args], { encoding: 'utf8' });

  it('says for each Trigger whether it delivers, with the result of every sub-filter', () => {
    const r = explain();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Trigger default/orders (triggers/t.yaml, broker default/default): not delivered');
    expect(r.stdout).toContain('✓ prefix {type: "order."} → pass   (type is "order.created")');
    expect(r.stdout).toContain('✗ not → fail');
    expect(r.stdout).toContain('✓ exact {subject: "draft"} → pass   (subject is "draft")');
    expect(r.stdout).toContain('Trigger default/big (triggers/t.yaml, broker default/default): DELIVERED');
    // Every CESQL sub-expression, with the attribute values it read.
    expect(r.stdout).toContain('✓ qty > 5 → pass   (= true)');
    expect(r.stdout).toContain(`– qty → nofilter   (qty = "10")`);
    expect(r.stdout).toMatch(/✗ cel "event\.data\.lines\.exists.*→ fail {3}\(value false\)/);
    expect(r.stdout).toContain('1 of 3 Triggers deliver this event');
  });

  it('explains one Trigger as JSON', () => {
    const r = explain('--trigger', 'cel', '--json');
    const [only] = JSON.parse(r.stdout);
    expect(only).toMatchObject({ trigger: 'default/cel', delivered: false, explanation: { result: 'fail' } });
  });

  it('says what is wrong with a bad event file or an unknown Trigger', () => {
    expect(explain('--trigger', 'nope').stderr).toMatch(/no Trigger named "nope"/);
    const bad = spawnSync(process.execPath, [path.join(ROOT, 'bin/eventyard.js'), 'explain', '--dir', dir, '--event', path.join(dir, 'missing.json')], { encoding: 'utf8' });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/missing\.json/);
  });
});

describe('explanations from the running runtime', () => {
  let project: RunningProject;
  let sub: Subscriber;
  beforeAll(async () => {
    sub = await Subscriber.start();
    project = await startProject({ ...FILES, 'triggers/t.yaml': FILES['triggers/t.yaml'].replaceAll('http://127.0.0.1:9/unused', sub.url('/x')) });
  });
  afterAll(async () => {
    await project.close();
    await sub.close();
  });

  it('lists the last events received and explains each, as the broker filtered it', async () => {
    await sendEvent(project.brokerUrl(), { id: 'live-1', type: 'order.created', source: '/orders', subject: 'final', qty: '2' });
    const events = (await (await fetch(`${project.dev.url}/_/events`)).json()) as { id: string; explain: string }[];
    expect(events[0]).toMatchObject({ id: 'live-1' });
    const body = (await (await fetch(`${project.dev.url}${events[0]!.explain}`)).json()) as { triggers: { trigger: string; delivered: boolean }[] };
    expect(body.triggers.map((t) => [t.trigger, t.delivered])).toEqual([
      ['default/orders', true],
      ['default/big', false],
      ['default/cel', false],
    ]);
    const missing = await fetch(`${project.dev.url}/_/explain?event=nope`);
    expect(missing.status).toBe(404);
  });
});
