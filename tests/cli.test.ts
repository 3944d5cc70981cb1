// The eventyard CLI as a user runs it: real processes, real ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/ports.js';
import { BROKER_YAML, trigger, writeProject } from './helpers/project.js';
import { Subscriber } from './helpers/subscriber.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const BIN = path.join(ROOT, 'bin/eventyard.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { cwd?: string } = {}): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? ROOT, env: { ...process.env, EVENTYARD_LOG_LEVEL: 'warn' } });
  return collect(child);
}

async function collect(child: ChildProcess): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}


/** Starts a long-running command and waits until it prints `ready` on stderr. */
async function startUntil(command: string, args: string[], ready: RegExp, cwd = ROOT): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(command, args, { cwd, env: { ...process.env, EVENTYARD_LOG_LEVEL: 'warn' }, detached: true });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 20_000;
  while (!ready.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { child, output: () => output };
}

function stopGroup(child: ChildProcess): Promise<unknown> {
  const exited = once(child, 'exit');
  process.kill(-child.pid!, 'SIGTERM');
  return exited;
}

describe('eventyard check', () => {
  it('passes on the repository’s own manifests', async () => {
    const r = await run(['check']);
    expect(r.stdout).toMatch(/no errors/);
    expect(r.code).toBe(0);
  });

  it('lists every problem with file, document and field, and exits 1', async () => {
    const dir = await writeProject({
      'eventing/broker.yaml': BROKER_YAML,
      'triggers/bad.yaml': trigger('a', `  broker: nope\n  subscriber:\n    uri: http://x/`) + trigger('b', `  broker: default\n  subscriber:\n    uri: http://x/\n  delivery:\n    backoffPolicy: sometimes`),
    });
    const r = await run(['check', '--dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('error: triggers/bad.yaml (document 1) Trigger default/a field spec.broker:');
    expect(r.stdout).toContain('error: triggers/bad.yaml (document 2) Trigger default/b field spec.delivery.backoffPolicy:');
    expect(r.stdout).toMatch(/2 error\(s\)/);
  });
});

describe('eventyard dev', () => {
  it('exits non-zero on a bad manifest, naming file, document and field, and starts nothing', async () => {
    const port = await freePort();
    const dir = await writeProject({ 'eventing/broker.yaml': BROKER_YAML, 'triggers/bad.yaml': trigger('t', `  broker: default\n  subscriber: {}`) });
    const r = await run(['dev', '--dir', dir, '--port', String(port)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nothing was started');
    expect(r.stderr).toContain('triggers/bad.yaml (document 1) Trigger default/t field spec.subscriber');
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('refuses a subscriber ref it cannot resolve, with a clear reason', async () => {
    const dir = await writeProject({
      'eventing/broker.yaml': BROKER_YAML,
      // A Service of someone else's image: there is no functions/fn/ to run it from.
      'eventing/svc.yaml': 'apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata:\n  name: fn\nspec:\n  template:\n    spec:\n      containers:\n        - image: example/event-display\n',
      'triggers/t.yaml': trigger('t', `  broker: default\n  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: fn`),
    });
    const r = await run(['dev', '--dir', dir, '--port', String(await freePort())]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/spec\.subscriber: Service default\/fn.*runs only this project's functions, and there is no functions\/fn\/index\.ts/);
  });

  describe('running, with eventyard send', () => {
    let sub: Subscriber;
    let dev: { child: ChildProcess; output: () => string };
    let port: number;

    beforeAll(async () => {
      sub = await Subscriber.start();
      port = await freePort();
      const dir = await writeProject({ 'eventing/broker.yaml': BROKER_YAML, 'triggers/t.yaml': trigger('to-sub', `  broker: default\n  subscriber:\n    uri: ${sub.url('/got')}`) });
      dev = await startUntil(process.execPath, [BIN, 'dev', '--dir', dir, '--port', String(port)], /broker ingress/);
    });
    afterAll(async () => {
      await stopGroup(dev.child);
      await sub.close();
    });

    it('prints the ingress URL', () => {
      expect(dev.output()).toContain(`broker ingress  http://127.0.0.1:${port}/default/default`);
    });

    it('sends a binary event that reaches the subscriber', async () => {
      const r = await run(['send', `http://127.0.0.1:${port}/default/default`, '--type', 'cli.test', '--source', '/cli', '--data', '{"n":1}', '--ext', 'tenant=acme']);
      expect(r.stdout).toMatch(/^202 /);
      expect(r.code).toBe(0);
      const [got] = await sub.waitFor('/got');
      expect(got!.headers['ce-type']).toBe('cli.test');
      expect(got!.headers['ce-tenant']).toBe('acme');
      expect(JSON.parse(got!.body.toString())).toEqual({ n: 1 });
    });

    it('sends a structured event', async () => {
      const r = await run(['send', `http://127.0.0.1:${port}/default/default`, '--type', 'cli.structured', '--source', '/cli', '--structured', '--data', 'hello', '--content-type', 'text/plain']);
      expect(r.code).toBe(0);
      const got = (await sub.waitFor('/got', 2))[1]!;
      expect(got.headers['ce-type']).toBe('cli.structured');
      expect(got.body.toString()).toBe('hello');
    });

    it('prints the status and reason of a refusal, and exits 1', async () => {
      const r = await run(['send', `http://127.0.0.1:${port}/default/nope`, '--type', 't', '--source', '/s']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/^404 .*default\/nope/);
    });

    it('rejects missing flags with usage', async () => {
      const r = await run(['send', '--source', '/s']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--type is required/);
    });
  });
});

describe('npm start', () => {
  it('runs eventyard dev on the repository, accepting events on /default/default', async () => {
    const port = await freePort();
    const started = await startUntil('npm', ['start', '--silent', '--', '--port', String(port)], /broker ingress/);
    try {
      const r = await run(['send', `http://127.0.0.1:${port}/default/default`, '--type', 'npm.start', '--source', '/test']);
      expect(r.stdout).toMatch(/^202 /);
      // The banner names the dashboard, and a browser asking for / is sent to it.
      expect(started.output()).toContain(`dashboard       http://127.0.0.1:${port}/`);
      const page = await fetch(`http://127.0.0.1:${port}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
      expect([page.status, page.headers.get('location')]).toEqual([302, '/_/services/default/display/']);
    } finally {
      await stopGroup(started.child);
    }
  });
});
