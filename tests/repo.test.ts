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
