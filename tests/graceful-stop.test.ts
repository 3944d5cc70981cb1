// Stopping `eventyard dev`: new events are refused, deliveries in flight may end within the grace
// period, and what could not finish is named.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { sendEvent } from './helpers/events.js';
import { freePort } from './helpers/ports.js';
import { BROKER_YAML, startProject, trigger, writeProject, type RunningProject } from './helpers/project.js';
import { Subscriber } from './helpers/subscriber.js';

const ROOT = path.resolve(import.meta.dirname, '..');
let sub: Subscriber;
let project: RunningProject | undefined;

afterEach(async () => {
  await project?.dev.close().catch(() => undefined);
  await sub?.close();
});

const toSub = (name: string, subPath: string) => trigger(name, `  broker: default\n  subscriber:\n    uri: ${sub.url(subPath)}`);

it('finishes a slow delivery in flight, and refuses new events with 503 meanwhile', async () => {
  sub = await Subscriber.start();
  sub.respond('/slow', { status: 202, delayMs: 800 });
  project = await startProject({ 'eventing/broker.yaml': BROKER_YAML, 'triggers/t.yaml': toSub('slow', '/slow') });
  const { id } = await sendEvent(project.brokerUrl());
  await sub.waitFor('/slow', 1);
  const closing = project.dev.close(5000);
  const refused = await sendEvent(project.brokerUrl());
  expect(refused.status).toBe(503);
  expect(refused.text).toContain('the local runtime is stopping');
  const report = await closing;
  project = undefined;
  expect(report).toEqual({ unfinished: [], sourceRecordsCut: 0 });
  expect(sub.on('/slow').map((r) => r.headers['ce-id'])).toEqual([id]);
});

it('names the deliveries it had to cut short when the grace period ends', async () => {
  sub = await Subscriber.start();
  sub.respond('/hung', { status: 202, hang: true });
  project = await startProject({ 'eventing/broker.yaml': BROKER_YAML, 'triggers/t.yaml': toSub('hung', '/hung') });
  const { id } = await sendEvent(project.brokerUrl());
  await sub.waitFor('/hung', 1);
  const report = await project.dev.close(300);
  project = undefined;
  expect(report.unfinished).toEqual([{ trigger: 'default/hung', events: [id] }]);
});

it('dev on SIGTERM drains, then says every delivery finished and exits 0', async () => {
  sub = await Subscriber.start();
  sub.respond('/slow', { status: 202, delayMs: 800 });
  const dir = await writeProject({ 'eventing/broker.yaml': BROKER_YAML, 'triggers/t.yaml': toSub('slow', '/slow') });
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/eventyard.js'), 'dev', '--dir', dir, '--port', String(port), '--shutdown-timeout', '10s'], { env: { ...process.env, EVENTYARD_LOG_LEVEL: 'warn' } });
  let log = '';
  child.stderr!.on('data', (d) => (log += d));
  for (let i = 0; i < 400 && !log.includes('broker ingress'); i++) await new Promise((r) => setTimeout(r, 50));
  const { id } = await sendEvent(`http://127.0.0.1:${port}/default/default`);
  await sub.waitFor('/slow', 1);
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
  expect(log).toMatch(/SIGTERM: refusing new events; waiting up to 10 s for 1 deliveries in flight/);
  expect(log).toContain('stopped, every delivery finished');
  expect(sub.on('/slow').map((r) => r.headers['ce-id'])).toEqual([id]);
}, 30_000);
