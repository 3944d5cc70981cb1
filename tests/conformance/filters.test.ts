// Trigger filters from real manifests, knative-spec §2: every dialect, the precedence rules and the
// quirks, judged by what a real subscriber receives from the running broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendEvent } from '../helpers/events.js';
import { BROKER_YAML, startProject, trigger, type RunningProject } from '../helpers/project.js';
import { settle, Subscriber } from '../helpers/subscriber.js';

let sub: Subscriber;
let project: RunningProject;

const TRIGGERS: Record<string, string> = {
  'legacy-type': `  filter:\n    attributes:\n      type: a.b`,
  'legacy-any-ext': `  filter:\n    attributes:\n      myext: ""`,
  'exact-source': `  filters:\n    - exact:\n        source: /orders`,
  'prefix-type': `  filters:\n    - prefix:\n        type: order.`,
  'suffix-type': `  filters:\n    - suffix:\n        type: .created`,
  'all-not': `  filters:\n    - all:\n        - prefix:\n            type: order.\n        - not:\n            exact:\n              subject: draft`,
  'any-two': `  filters:\n    - any:\n        - exact:\n            type: a.b\n        - exact:\n            type: c.d`,
  'quirk-any-empty-all': `  filters:\n    - any:\n        - exact:\n            type: never\n        - all: []`,
  'skipped-empty': `  filters:\n    - exact:\n        type: ""`,
  precedence: `  filter:\n    attributes:\n      type: never\n  filters:\n    - exact:\n        type: a.b`,
  'empty-filters-fallback': `  filter:\n    attributes:\n      type: c.d\n  filters: []`,
  cesql: `  filters:\n    - cesql: "type LIKE 'order.%' AND qty > 5"`,
  'no-filter': ``,
};

const EVENTS = {
  e1: { type: 'a.b', source: '/x' },
  e2: { type: 'order.created', source: '/orders', subject: 'draft', qty: '10' },
  e3: { type: 'order.created', source: '/orders', subject: 'final', qty: '3', myext: 'yes' },
  e4: { type: 'c.d', source: '/y' },
};

const EXPECTED: Record<string, (keyof typeof EVENTS)[]> = {
  'legacy-type': ['e1'],
  'legacy-any-ext': ['e3'],
  'exact-source': ['e2', 'e3'],
  'prefix-type': ['e2', 'e3'],
  'suffix-type': ['e2', 'e3'],
  'all-not': ['e3'],
  'any-two': ['e1', 'e4'],
  'quirk-any-empty-all': ['e1', 'e2', 'e3', 'e4'],
  'skipped-empty': ['e1', 'e2', 'e3', 'e4'],
  precedence: ['e1'],
  'empty-filters-fallback': ['e4'],
  cesql: ['e2'],
  'no-filter': ['e1', 'e2', 'e3', 'e4'],
  'cel-only': ['e1', 'e4'],
  'cel-and-knative': ['e3'],
  'cel-data': ['e2'],
};

/** CEL Triggers: the eventyard.dev/cel annotation, ANDed with the Trigger's Knative filters. */
const CEL_TRIGGERS: Record<string, [cel: string, filter: string]> = {
  'cel-only': ['!event.source.startsWith("/orders")', ''],
  'cel-and-knative': ['int(event.qty) < 5', `  filters:\n    - prefix:\n        type: order.`],
  'cel-data': ['has(event.data) && event.data.lines.exists(l, l.sku == "A-1" && l.n >= 2)', ''],
};

beforeAll(async () => {
  sub = await Subscriber.start();
  const files: Record<string, string> = { 'eventing/broker.yaml': BROKER_YAML };
  for (const [name, filter] of Object.entries(TRIGGERS)) {
    files[`triggers/${name}.yaml`] = trigger(name, `  broker: default\n${filter ? `${filter}\n` : ''}  subscriber:\n    uri: ${sub.url(`/${name}`)}`);
  }
  for (const [name, [cel, filter]] of Object.entries(CEL_TRIGGERS)) {
    const annotations = `  annotations:\n    eventyard.dev/cel: '${cel}'\n`;
    files[`triggers/${name}.yaml`] = trigger(name, `  broker: default\n${filter ? `${filter}\n` : ''}  subscriber:\n    uri: ${sub.url(`/${name}`)}`, annotations);
  }
  // Two Triggers to one subscriber: each gets its own delivery (knative-spec §2.20).
  files['triggers/dup.yaml'] =
    trigger('dup-1', `  broker: default\n  subscriber:\n    uri: ${sub.url('/dup')}`) + trigger('dup-2', `  broker: default\n  subscriber:\n    uri: ${sub.url('/dup')}`);
  project = await startProject(files);
  for (const [key, attributes] of Object.entries(EVENTS)) {
    const r = await sendEvent(project.brokerUrl(), { id: key, ...attributes }, key === 'e2' ? { lines: [{ sku: 'A-1', n: 3 }] } : undefined);
    expect(r.status).toBe(202);
  }
  await sub.waitFor('/no-filter', 4);
  await sub.waitFor('/dup', 8);
  await settle(200);
});
afterAll(async () => {
  await project.close();
  await sub.close();
});

describe('which Trigger gets which event', () => {
  it.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const got = sub.on(`/${name}`).map((r) => r.headers['ce-id']).sort();
    expect(got).toEqual([...expected].sort());
  });

  it('delivers once per matching Trigger, even to the same subscriber', () => {
    const ids = sub.on('/dup').map((r) => r.headers['ce-id']).sort();
    expect(ids).toEqual(['e1', 'e1', 'e2', 'e2', 'e3', 'e3', 'e4', 'e4']);
  });

  it('never changes the event on the way', () => {
    const e3 = sub.on('/no-filter').find((r) => r.headers['ce-id'] === 'e3')!;
    expect(e3.headers['ce-myext']).toBe('yes');
    expect(e3.headers['ce-subject']).toBe('final');
    expect(e3.headers['ce-qty']).toBe('3');
  });

  it('counts matches per Trigger in the runtime API', async () => {
    const triggers = (await (await fetch(`${project.dev.url}/_/triggers`)).json()) as { name: string; counts: { matched: number; delivered: number } }[];
    const cesql = triggers.find((t) => t.name === 'cesql')!;
    expect(cesql.counts).toMatchObject({ matched: 1, delivered: 1 });
    expect(triggers.find((t) => t.name === 'no-filter')!.counts).toMatchObject({ matched: 4, delivered: 4 });
  });
});
