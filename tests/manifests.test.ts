// Bad manifests are caught at load with file, document and field — before anything starts.
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../src/manifests/load.js';
import { formatProblem, type Problem } from '../src/manifests/problems.js';
import { BROKER_YAML, trigger, writeProject } from './helpers/project.js';

async function problemsOf(files: Record<string, string>): Promise<readonly Problem[]> {
  return (await loadManifests(await writeProject({ 'eventing/broker.yaml': BROKER_YAML, ...files }))).problems;
}

const sub = `  subscriber:\n    uri: http://127.0.0.1:1/x`;

function errorAt(problems: readonly Problem[], field: string): Problem {
  const found = problems.find((p) => p.severity === 'error' && p.field === field);
  if (!found) throw new Error(`no error at ${field}; got:\n${problems.map(formatProblem).join('\n')}`);
  return found;
}

describe('manifest problems', () => {
  it('reports YAML syntax errors with the file and document', async () => {
    const problems = await problemsOf({ 'triggers/t.yaml': `${trigger('ok', `  broker: default\n${sub}`)}---\nkind: [unclosed\n` });
    const p = problems.find((x) => x.message.startsWith('YAML syntax'))!;
    expect(p.location).toEqual({ file: 'triggers/t.yaml', document: 2 });
  });

  it('names the document of a multi-document file', async () => {
    const docs = trigger('a', `  broker: default\n${sub}`) + trigger('b', `  broker: default\n${sub}`) + trigger('c', `  broker: default`);
    const p = errorAt(await problemsOf({ 'triggers/three.yaml': docs }), 'spec.subscriber');
    expect(p.location.document).toBe(3);
    expect(p.object).toBe('Trigger default/c');
    expect(formatProblem(p)).toBe('error: triggers/three.yaml (document 3) Trigger default/c field spec.subscriber: is required');
  });

  it('rejects unknown fields, as the Knative webhook does', async () => {
    const problems = await problemsOf({ 'triggers/t.yaml': trigger('t', `  broker: default\n  filtre:\n    attributes: {}\n${sub}\n  delivery:\n    retries: 3`) });
    errorAt(problems, 'spec.filtre');
    errorAt(problems, 'spec.delivery.retries');
  });

  it('rejects a filters element with two dialects, or none', async () => {
    const problems = await problemsOf({
      'triggers/t.yaml': trigger('t', `  broker: default\n  filters:\n    - exact:\n        type: a\n      suffix:\n        type: b\n    - {}\n${sub}`),
    });
    expect(errorAt(problems, 'spec.filters[0]').message).toMatch(/multiple dialects/);
    expect(errorAt(problems, 'spec.filters[1]').message).toMatch(/needs one of/);
  });

  it('rejects invalid CESQL at load with the position', async () => {
    const problems = await problemsOf({ 'triggers/t.yaml': trigger('t', `  broker: default\n  filters:\n    - any:\n        - cesql: "type = 'a' AND"\n${sub}`) });
    const p = errorAt(problems, 'spec.filters[0].any[0].cesql');
    expect(p.message).toMatch(/invalid CloudEvents SQL/);
    expect(p.message).toMatch(/\d/);
  });

  it('rejects an invalid or unbounded CEL annotation at load, naming the annotation', async () => {
    const cel = (expression: string) => trigger('t', `  broker: default\n${sub}`, `  annotations:\n    eventyard.dev/cel: '${expression}'\n`);
    const syntax = errorAt(await problemsOf({ 'triggers/t.yaml': cel('event.type ==') }), 'metadata.annotations.eventyard.dev/cel');
    expect(syntax.message).toMatch(/invalid CEL filter/);
    const nested = errorAt(await problemsOf({ 'triggers/t.yaml': cel('event.data.a.all(x, event.data.b.exists(y, x == y))') }), 'metadata.annotations.eventyard.dev/cel');
    expect(nested.message).toMatch(/nested comprehensions/);
  });

  it('warns about a CESQL function call that can never succeed', async () => {
    const problems = await problemsOf({ 'triggers/t.yaml': trigger('t', `  broker: default\n  filters:\n    - cesql: "LOWR(type) = 'a' OR ABS(1, 2) = 1"\n${sub}`) });
    const warnings = problems.filter((p) => p.severity === 'warning' && p.field === 'spec.filters[0].cesql').map((p) => p.message);
    expect(warnings).toEqual([
      expect.stringMatching(/^unknown function LOWR \(at position 0\): this filter can never match/),
      expect.stringMatching(/^ABS does not take 2 argument\(s\)/),
    ]);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('rejects bad attribute names and bad delivery values', async () => {
    const problems = await problemsOf({
      'triggers/t.yaml': trigger(
        't',
        `  broker: default\n  filter:\n    attributes:\n      Type: x\n${sub}\n  delivery:\n    retry: -1\n    backoffPolicy: random\n    backoffDelay: 200ms\n    timeout: PT0S`,
      ),
    });
    errorAt(problems, 'spec.filter.attributes.Type');
    errorAt(problems, 'spec.delivery.retry');
    errorAt(problems, 'spec.delivery.backoffPolicy');
    expect(errorAt(problems, 'spec.delivery.backoffDelay').message).toMatch(/ISO-8601/);
    errorAt(problems, 'spec.delivery.timeout');
  });

  it('checks references: the broker, subscriber refs and URIs', async () => {
    const problems = await problemsOf({
      'triggers/t.yaml':
        trigger('no-broker', `  broker: missing\n${sub}`) +
        trigger('no-service', `  broker: default\n  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: nope`) +
        trigger('relative', `  broker: default\n  subscriber:\n    uri: /just/a/path`),
    });
    expect(errorAt(problems, 'spec.broker').message).toMatch(/default\/missing/);
    expect(errorAt(problems, 'spec.subscriber.ref').message).toMatch(/Service default\/nope/);
    errorAt(problems, 'spec.subscriber.uri');
  });

  it('rejects an object defined twice', async () => {
    const t = trigger('same', `  broker: default\n${sub}`);
    errorAt(await problemsOf({ 'triggers/a.yaml': t, 'triggers/b.yaml': t }), 'metadata.name');
  });

  it('warns where Knative would silently skip a filter', async () => {
    const problems = await problemsOf({ 'triggers/t.yaml': trigger('t', `  broker: default\n  filters:\n    - exact:\n        type: ""\n${sub}`) });
    const warning = problems.find((p) => p.severity === 'warning')!;
    expect(warning.field).toBe('spec.filters[0].exact');
    expect(warning.message).toMatch(/skips/);
    expect(problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('defaults the broker to "default" as the Knative webhook does', async () => {
    const dir = await writeProject({ 'eventing/broker.yaml': BROKER_YAML, 'triggers/t.yaml': trigger('t', sub) });
    const manifests = await loadManifests(dir);
    expect(manifests.problems).toEqual([]);
    expect(manifests.triggers[0]!.broker).toBe('default');
  });
});
