// The repository's own manifests and functions: what `kubectl apply -k .` and `kn func build` use.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadManifests, MANIFEST_FOLDERS } from '../src/manifests/load.js';

const ROOT = path.resolve(import.meta.dirname, '..');

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile() && /\.ya?ml$/.test(e.name)).map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
}

describe('the repository', async () => {
  const manifests = await loadManifests(ROOT);

  it('has manifests and a func.yaml without a single problem, warnings included', () => {
    expect(manifests.problems).toEqual([]);
  });

  it('lists every manifest in kustomization.yaml, so that kubectl apply -k applies them all', async () => {
    const kustomization = parse(await readFile(path.join(ROOT, 'kustomization.yaml'), 'utf8')) as { resources: string[]; images: { name: string }[] };
    const files = (await Promise.all(MANIFEST_FOLDERS.map(yamlFilesUnder))).flat();
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(kustomization.images.map((i) => i.name)).toEqual(['eventyard']);
  });

  it('runs every function as its own Knative Service on the one image, scaling to zero', () => {
    expect(manifests.functions.length).toBeGreaterThan(0);
    for (const name of manifests.functions) {
      const service = manifests.services.find((s) => s.metadata.name === name);
      expect(service, `eventing/ has no Service for functions/${name}`).toBeDefined();
      expect(service!.image).toBe('eventyard');
      expect(service!.scale.minScale).toBe(0);
    }
    for (const service of manifests.services) expect(manifests.functions).toContain(service.metadata.name);
  });
});

describe('npm start on the repository, as the README shows it', () => {
  it('answers the README curl with train-control, started from zero', async () => {
    const { spawn } = await import('node:child_process');
    const { freePort } = await import('./helpers/ports.js');
    const port = await freePort();
    const child = spawn('npm', ['start', '--', '--port', String(port)], { cwd: ROOT, env: { ...process.env, EVENTYARD_LOG_LEVEL: 'info' }, detached: true });
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    const until = async (what: string, done: () => boolean) => {
      for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
      if (!done()) throw new Error(`no ${what} in the log:\n${log}`);
    };
    try {
      await until('broker ingress', () => log.includes('broker ingress'));
      const response = await fetch(`http://127.0.0.1:${port}/default/default`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': 'frame-1', 'ce-source': '/camera/train-1', 'ce-type': 'dev.eventyard.frame.classified', 'content-type': 'application/json' },
        body: '{"trainId":"train-1","seq":1,"predictions":[{"label":"stop","score":0.93}]}',
      });
      expect(response.status).toBe(202);
      await until('reply', () => /"event":"frame-1".*"outcome":"replied"/.test(log));
      expect(log).toMatch(/"service":"default\/train-control".*scaling from zero: request held by the activator/);
      expect(log).toMatch(/"service":"default\/train-control".*"coldStartMs":\d+.*instance ready/);
      const deliveries = (await (await fetch(`http://127.0.0.1:${port}/_/deliveries`)).json()) as { eventId: string; fate: string; attempts: number; reply?: { type: string } }[];
      expect(deliveries.find((d) => d.eventId === 'frame-1')).toMatchObject({ fate: 'delivered', attempts: 1, reply: { type: 'dev.eventyard.train.command' } });
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  }, 60_000);
});

describe('the image: npm run build, then npm start with K_SERVICE as Knative sets it', () => {
  it('bundles every function, and serves the one K_SERVICE names from its bundle', async () => {
    const { spawn, spawnSync } = await import('node:child_process');
    const { freePort } = await import('./helpers/ports.js');
    const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
    expect(build.status).toBe(0);
    expect(build.stdout).toContain('built train-control: build/functions/train-control.cjs');
    const port = await freePort();
    const child = spawn('npm', ['start'], { cwd: ROOT, env: { ...process.env, K_SERVICE: 'train-control', PORT: String(port) }, detached: true });
    let log = '';
    child.stderr!.on('data', (d) => (log += d));
    try {
      for (let i = 0; i < 200 && !log.includes('serving function train-control'); i++) await new Promise((r) => setTimeout(r, 50));
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'ce-specversion': '1.0', 'ce-id': 'f1', 'ce-source': '/camera', 'ce-type': 'dev.eventyard.frame.classified', 'content-type': 'application/json' },
        body: '{"trainId":"t1","seq":1,"predictions":[{"label":"slow","score":0.83}]}',
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('ce-type')).toBe('dev.eventyard.train.command');
      expect(await response.json()).toEqual({ trainId: 't1', seq: 1, action: 'slow', reason: 'slow sign seen (score 0.83)' });
      const bad = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'ce-specversion': '1.0', 'ce-id': 'f2', 'ce-source': '/camera', 'ce-type': 'dev.eventyard.frame.classified', 'content-type': 'application/json' }, body: '{"trainId":"t1"}' });
      expect(bad.status).toBe(400);
      expect(await bad.text()).toContain("must have required property 'seq'");
    } finally {
      process.kill(-child.pid!, 'SIGTERM');
    }
  }, 60_000);
});
