// CEL Triggers on a real cluster: the function image enforces them (Knative itself ignores the
// annotation), and `eventyard check` says how each one holds, or warns.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudEvent } from 'cloudevents';
import { start } from 'faas-js-runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { celGuardsFor, compileGuards, guardHandle } from '../src/filters/cel/cluster.js';
import { loadManifests } from '../src/manifests/load.js';
import { binaryHeaders, post } from './helpers/events.js';
import { freePort } from './helpers/ports.js';
import { BROKER_YAML, trigger, writeProject } from './helpers/project.js';

const ROOT = path.resolve(import.meta.dirname, '..');

const service = (name: string) => `---\napiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  template:\n    spec:\n      containers:\n        - image: eventyard\n`;
const ref = (name: string, uri?: string) => `  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: ${name}${uri ? `\n    uri: "${uri}"` : ''}`;
const cel = (expression: string) => `  annotations:\n    eventyard.dev/cel: '${expression}'\n`;

let dir: string;
beforeAll(async () => {
  dir = await writeProject({
    'eventing/broker.yaml': BROKER_YAML,
    'eventing/services.yaml': service('render-tile') + service('elsewhere'),
    'triggers/t.yaml':
      trigger('big', `  broker: default\n${ref('render-tile', '?eventyard-trigger=big')}`, cel('event.data.divisions > 4')) +
      trigger('plain', `  broker: default\n${ref('render-tile')}`) +
      trigger('unnamed', `  broker: default\n${ref('render-tile')}`, cel('event.data.divisions > 1')) +
      trigger('external', `  broker: default\n  subscriber:\n    uri: http://example.com/`, cel('true')) +
      trigger('other-service', `  broker: default\n${ref('elsewhere', '?eventyard-trigger=other-service')}`, cel('true')),
  });
  await mkdir(path.join(dir, 'functions/render-tile'), { recursive: true });
});

describe('eventyard check', () => {
  it('reports how each CEL Trigger is enforced on a cluster, and warns where it is not', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin/eventyard.js'), 'check', '--dir', dir], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('cel: Trigger default/big is enforced on a cluster: the function image of Service render-tile checks it (Trigger named by ?eventyard-trigger=big)');
    expect(r.stdout).toMatch(/warning: .*Trigger default\/unnamed .*needs uri: "\?eventyard-trigger=unnamed"/);
    expect(r.stdout).toMatch(/warning: .*Trigger default\/external .*subscriber is a URI/);
    expect(r.stdout).toMatch(/warning: .*Trigger default\/other-service .*not a function of this project/);
    expect(r.stdout).not.toMatch(/Trigger default\/plain/);
  });
});

describe('the function image enforces the CEL filter of the Trigger that delivered the event', () => {
  let server: Server;
  let url: string;
  const handled: string[] = [];

  beforeAll(async () => {
    const manifests = await loadManifests(dir);
    const guards = compileGuards(celGuardsFor(manifests, dir, 'render-tile'));
    expect([...guards.keys()]).toEqual(['big']);
    const handle = (_context: unknown, event?: CloudEvent<unknown>) => {
      handled.push(event!.id);
      return new CloudEvent({ source: '/render-tile', type: 'dev.eventyard.render.tile.status', data: { ok: true } });
    };
    server = await start(guardHandle(handle, guards) as never, { port: 0, logLevel: 'silent' } as never);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const send = (id: string, query: string, divisions: number) =>
    post(`${url}${query}`, binaryHeaders({ id, type: 'dev.eventyard.render.requested', source: '/t' }, 'application/json'), JSON.stringify({ divisions }));

  it('passes an event whose expression holds to the function, which replies', async () => {
    const r = await send('yes', '?eventyard-trigger=big', 8);
    expect(r.status).toBe(200);
    expect(r.headers.get('ce-type')).toBe('dev.eventyard.render.tile.status');
    expect(handled).toContain('yes');
  });

  it('answers 204 without calling the function when the expression is false', async () => {
    const r = await send('no', '?eventyard-trigger=big', 2);
    expect(r.status).toBe(204);
    expect(handled).not.toContain('no');
  });

  it('lets through events of Triggers without CEL, and direct calls', async () => {
    expect((await send('plain', '?eventyard-trigger=plain', 2)).status).toBe(200);
    expect((await send('direct', '', 2)).status).toBe(200);
    expect(handled).toEqual(expect.arrayContaining(['plain', 'direct']));
  });
});

describe('npm start inside Knative (K_SERVICE set) serves that function, CEL enforced', () => {
  let child: ChildProcess;
  let url: string;

  beforeAll(async () => {
    await writeFile(
      path.join(dir, 'functions/render-tile/index.ts'),
      // No imports: the temporary project has no node_modules. The context builds the reply event.
      `type Context = { cloudEventResponse(data: unknown): { source(s: string): any } };
export const handle = async (context: Context, event: { id: string }) =>
  context.cloudEventResponse({ for: event.id }).source('/render-tile').type('dev.eventyard.render.tile.status').response();
`,
    );
    await writeFile(path.join(dir, 'package.json'), '{"type": "module"}\n');
    const port = await freePort();
    child = spawn(process.execPath, [path.join(ROOT, 'bin/eventyard.js'), 'start'], { cwd: dir, env: { ...process.env, K_SERVICE: 'render-tile', PORT: String(port), FUNC_LOG_LEVEL: 'silent' } });
    let output = '';
    child.stderr!.on('data', (d) => (output += d));
    for (let i = 0; i < 200 && !output.includes('serving function'); i++) await new Promise((r) => setTimeout(r, 50));
    expect(output).toContain('serving function render-tile');
    url = `http://127.0.0.1:${port}/`;
  });
  afterAll(() => {
    child.kill();
  });

  const send = (id: string, divisions: number) =>
    post(`${url}?eventyard-trigger=big`, binaryHeaders({ id, type: 'dev.eventyard.render.requested', source: '/t' }, 'application/json'), JSON.stringify({ divisions }));

  it('replies when the Trigger\'s CEL holds, and answers 204 when it does not', async () => {
    const yes = await send('yes', 8);
    expect(yes.status).toBe(200);
    expect(JSON.parse(yes.text)).toEqual({ for: 'yes' });
    expect((await send('no', 2)).status).toBe(204);
  });
});
