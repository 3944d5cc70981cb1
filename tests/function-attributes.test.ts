// Attribute values travel percent-encoded in ce- headers (HTTP binding §3.1.3.2); a function must
// see them as the sender wrote them, whatever the cloudevents SDK inside faas-js-runtime does.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { binaryHeaders, post } from './helpers/events.js';
import { BROKER_YAML, startProject, trigger, type RunningProject } from './helpers/project.js';
import { Subscriber } from './helpers/subscriber.js';

const ATTRIBUTES = `import { CloudEvent } from 'cloudevents';
export const handle = async (_context: unknown, event?: CloudEvent<unknown>) =>
  new CloudEvent({ source: '/attributes', type: 'attributes.seen', data: { subject: event?.subject, room: (event as unknown as Record<string, unknown>)?.room } });
`;

let project: RunningProject;
let sub: Subscriber;

beforeAll(async () => {
  sub = await Subscriber.start();
  project = await startProject({
    'package.json': '{"type": "module"}\n',
    'functions/attributes/index.ts': ATTRIBUTES,
    'eventing/broker.yaml': BROKER_YAML,
    'triggers/t.yaml':
      trigger('attributes', '  broker: default\n  filter:\n    attributes:\n      type: show.attributes\n  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: attributes') +
      trigger('seen', `  broker: default\n  filter:\n    attributes:\n      type: attributes.seen\n  subscriber:\n    uri: ${sub.url('/seen')}`),
  });
});
afterAll(async () => {
  await project?.close();
  await sub?.close();
});

it('hands a function non-ASCII, quoted and percent-signed attributes as they were sent', async () => {
  const subject = 'José says "100% sure" 🚆';
  // Percent-encoded by the sender, as the binding asks for what a header cannot carry.
  const headers = binaryHeaders({ id: 'attrs-1', type: 'show.attributes', source: '/tests', subject: encodeURIComponent(subject), room: 'caf%C3%A9' });
  expect((await post(project.brokerUrl(), headers)).status).toBe(202);
  const [seen] = await sub.waitFor('/seen', 1, 30_000);
  expect(JSON.parse(seen!.body.toString())).toEqual({ subject, room: 'café' });
});
