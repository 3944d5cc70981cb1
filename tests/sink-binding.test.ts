// SinkBinding: the Services it binds get K_SINK and K_CE_OVERRIDES in their environment, as the
// binding webhook gives a cluster's pods, so a function can send events of its own (more than the
// one reply) to a Broker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadManifests } from '../src/manifests/load.js';
import { formatProblem, type Problem } from '../src/manifests/problems.js';
import { bindsTo, type LabelRequirement } from '../src/manifests/sink-binding.js';
import { sendEvent } from './helpers/events.js';
import { BROKER_YAML, startProject, trigger, writeProject, type RunningProject } from './helpers/project.js';
import { Subscriber } from './helpers/subscriber.js';

// Sends `count` events of its own to K_SINK, then replies with what its environment said.
const EMITTER = `import { CloudEvent } from 'cloudevents';
export const handle = async (_context: unknown, event?: CloudEvent<{ count: number }>) => {
  const overrides = JSON.parse(process.env.K_CE_OVERRIDES ?? '{"extensions":{}}').extensions;
  for (let i = 0; i < (event?.data?.count ?? 0); i++) {
    const res = await fetch(process.env.K_SINK!, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': event!.id + '-' + i, 'ce-type': 'emitted', 'ce-source': '/emitter',
        ...Object.fromEntries(Object.entries(overrides).map(([k, v]) => ['ce-' + k, String(v)])) },
    });
    if (res.status >= 300) throw new Error('sink answered ' + res.status);
  }
  return new CloudEvent({ source: '/emitter', type: 'emitter.env',
    data: { sink: process.env.K_SINK ?? null, kafka: process.env.KAFKA_BOOTSTRAP_SERVERS ?? null } });
};
`;

const service = (name: string, labels: string) => `---
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: ${name}
  namespace: default
  labels:
${labels}
spec:
  template:
    spec:
      containers:
        - image: eventyard
          env:
            - name: KAFKA_BOOTSTRAP_SERVERS
              value: my-cluster-kafka-bootstrap.kafka:9092
`;

const binding = (name: string, subject: string) => `---
apiVersion: sources.knative.dev/v1
kind: SinkBinding
metadata:
  name: ${name}
  namespace: default
spec:
  subject:
    apiVersion: serving.knative.dev/v1
    kind: Service
${subject}
  sink:
    ref:
      apiVersion: eventing.knative.dev/v1
      kind: Broker
      name: default
  ceOverrides:
    extensions:
      boundby: ${name}
`;

const toSubscriber = (name: string, type: string, url: string) =>
  trigger(name, `  broker: default\n  filter:\n    attributes:\n      type: ${type}\n  subscriber:\n    uri: ${url}`);
const toService = (name: string, type: string) =>
  trigger(name, `  broker: default\n  filter:\n    attributes:\n      type: ${type}\n  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: ${name}`);

describe('a SinkBinding under eventyard dev', () => {
  let project: RunningProject;
  let subscriber: Subscriber;

  beforeAll(async () => {
    subscriber = await Subscriber.start();
    project = await startProject({
      'package.json': '{"type": "module"}\n',
      'functions/bound/index.ts': EMITTER,
      'functions/unbound/index.ts': EMITTER,
      'eventing/broker.yaml': BROKER_YAML,
      'eventing/services.yaml': service('bound', '    emits: "yes"\n    tier: render') + service('unbound', '    emits: "no"'),
      'eventing/binding.yaml': binding('emitters', '    selector:\n      matchLabels:\n        emits: "yes"\n      matchExpressions:\n        - key: tier\n          operator: In\n          values: [render, ai]'),
      'triggers/all.yaml':
        toService('bound', 'go.bound') + toService('unbound', 'go.unbound') + toSubscriber('emitted', 'emitted', subscriber.url('/emitted')) + toSubscriber('env', 'emitter.env', subscriber.url('/env')),
    });
  });
  afterAll(async () => {
    await project?.close();
    await subscriber?.close();
  });

  it('gives the bound function its sink and overrides: every event it sends reaches the Broker', async () => {
    const order = await sendEvent(project.brokerUrl(), { type: 'go.bound' }, { count: 5 });
    expect(order.status).toBe(202);
    const emitted = await subscriber.waitFor('/emitted', 5, 30_000);
    expect(emitted.map((r) => r.headers['ce-id']).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${order.id}-${i}`));
    expect(emitted.every((r) => r.headers['ce-boundby'] === 'emitters')).toBe(true);
    const env = JSON.parse((await subscriber.waitFor('/env', 1, 30_000))[0]!.body.toString());
    expect(env.sink).toBe(project.brokerUrl());
  });

  it('leaves a Service the selector does not match without a sink', async () => {
    await sendEvent(project.brokerUrl(), { type: 'go.unbound' }, { count: 0 });
    const envs = await subscriber.waitFor('/env', 2, 30_000);
    expect(envs.map((r) => JSON.parse(r.body.toString()).sink)).toContain(null);
  });

  it("removes a Service's cluster Kafka address when dev was given no Kafka", () => {
    for (const r of subscriber.on('/env')) expect(JSON.parse(r.body.toString()).kafka).toBeNull();
  });
});

describe('SinkBinding manifest problems', () => {
  const problemsOf = async (files: Record<string, string>): Promise<readonly Problem[]> =>
    (await loadManifests(await writeProject({ 'package.json': '{"type": "module"}\n', 'functions/bound/index.ts': EMITTER, 'eventing/broker.yaml': BROKER_YAML, ...files }))).problems;
  const errors = (problems: readonly Problem[]) => problems.filter((p) => p.severity === 'error').map(formatProblem);
  const svc = service('bound', '    emits: "yes"');

  it('is clean when the subject and the sink exist', async () => {
    expect(errors(await problemsOf({ 'eventing/s.yaml': svc, 'eventing/b.yaml': binding('b', '    name: bound') }))).toEqual([]);
  });

  it('names a subject that matches no Service', async () => {
    const problems = errors(await problemsOf({ 'eventing/s.yaml': svc, 'eventing/b.yaml': binding('b', '    selector:\n      matchLabels:\n        emits: "never"') }));
    expect(problems).toEqual(['error: eventing/b.yaml (document 1) SinkBinding default/b field spec.subject: no Service of the manifests matches the selector']);
  });

  it('refuses a subject with both a name and a selector, or an empty selector', async () => {
    const both = errors(await problemsOf({ 'eventing/s.yaml': svc, 'eventing/b.yaml': binding('b', '    name: bound\n    selector:\n      matchLabels:\n        emits: "yes"') }));
    expect(both.join('\n')).toContain('give either "name" or "selector", not both');
    const empty = errors(await problemsOf({ 'eventing/s.yaml': svc, 'eventing/b.yaml': binding('b', '    selector: {}') }));
    expect(empty.join('\n')).toContain('an empty selector would bind every object');
  });

  it('refuses a bad matchExpressions operator', async () => {
    const problems = errors(await problemsOf({ 'eventing/s.yaml': svc, 'eventing/b.yaml': binding('b', '    selector:\n      matchExpressions:\n        - key: emits\n          operator: Equals\n          values: ["yes"]') }));
    expect(problems.join('\n')).toContain('spec.subject.selector.matchExpressions[0].operator: "Equals" is not one of: In, NotIn, Exists, DoesNotExist');
  });

  it('refuses two bindings of one Service', async () => {
    const problems = errors(await problemsOf({ 'eventing/s.yaml': svc, 'eventing/b.yaml': binding('a', '    name: bound') + binding('b', '    selector:\n      matchLabels:\n        emits: "yes"') }));
    expect(problems).toEqual(['error: eventing/b.yaml (document 2) SinkBinding default/b field spec.subject: Service default/bound is already the subject of SinkBinding default/a: two bindings would both set its K_SINK']);
  });
});

describe('a SinkBinding selector', () => {
  const service = (labels: Record<string, string>) => ({ location: { file: '', document: 1 }, apiVersion: 'serving.knative.dev/v1', kind: 'Service', metadata: { namespace: 'default', name: 's', labels, annotations: {} } });
  const selector = (matchExpressions: LabelRequirement[]) => ({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', namespace: 'default', matchLabels: {}, matchExpressions });

  it('reads only the object\'s own labels, not what every object inherits', () => {
    expect(bindsTo(selector([{ key: 'constructor', operator: 'Exists', values: [] }]), service({}))).toBe(false);
    expect(bindsTo(selector([{ key: 'toString', operator: 'DoesNotExist', values: [] }]), service({}))).toBe(true);
  });

  it('matches In, NotIn, Exists and DoesNotExist as Kubernetes does', () => {
    const labels = { tier: 'render' };
    expect(bindsTo(selector([{ key: 'tier', operator: 'In', values: ['render', 'ai'] }]), service(labels))).toBe(true);
    expect(bindsTo(selector([{ key: 'tier', operator: 'NotIn', values: ['render'] }]), service(labels))).toBe(false);
    expect(bindsTo(selector([{ key: 'zone', operator: 'NotIn', values: ['a'] }]), service(labels))).toBe(true);
    expect(bindsTo(selector([{ key: 'tier', operator: 'DoesNotExist', values: [] }]), service(labels))).toBe(false);
  });
});
