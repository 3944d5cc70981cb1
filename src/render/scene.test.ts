import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Subscriber } from '../../tests/helpers/subscriber.js';
import { FileBlobStore } from '../function-kit/blob-store.js';
import { BUILT_IN_SCENES, validateScene, type Scene } from './scene.js';
import { resolveScene } from './scene-source.js';

const scene: Scene = BUILT_IN_SCENES.spheres!;
let root: string;
let store: FileBlobStore;
let web: Subscriber;

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'eventyard-scenes-'));
  store = new FileBlobStore(root);
  web = await Subscriber.start();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await web.close();
});

describe('validateScene', () => {
  it('accepts the built-in scenes', () => {
    expect(Object.keys(BUILT_IN_SCENES)).toEqual(['spheres', 'blocks', 'lamp']);
    for (const s of Object.values(BUILT_IN_SCENES)) expect(validateScene(structuredClone(s))).toBeTruthy();
  });

  it('says what is wrong, with a 400', () => {
    const bad = (patch: Record<string, unknown>) => () => validateScene({ ...scene, ...patch });
    expect(bad({ camera: { position: [0, 0, 0], lookAt: [0, 0, 0], fov: 40 } })).toThrow(/camera lookAt must differ from position/);
    expect(bad({ camera: { position: [0, 0], lookAt: [0, 0, 1], fov: 40 } })).toThrow(/\/camera\/position must NOT have fewer than 3 items/);
    expect(bad({ objects: [{ type: 'cone', material: 'red' }] })).toThrow(/invalid scene data: \/objects\/0/);
    expect(bad({ objects: [{ type: 'box', min: [1, 0, 0], max: [0, 1, 1], material: 'red' }] })).toThrow(/\/objects\/0 min must be below max/);
    try {
      validateScene({ ...scene, lights: [{ type: 'sun', direction: [0, 0, 0], color: [1, 1, 1], intensity: 1 }] });
    } catch (err) {
      expect((err as { code: number }).code).toBe(400);
    }
  });
});

describe('resolveScene', () => {
  it('takes a built-in name, an inline scene, a blob: reference or a URL', async () => {
    expect(await resolveScene('lamp', store)).toBe(BUILT_IN_SCENES.lamp);
    expect(await resolveScene(structuredClone(scene), store)).toEqual(scene);
    const ref = await store.put('scenes/mine.json', new TextEncoder().encode(JSON.stringify(scene)), 'application/json');
    expect(await resolveScene(ref, store)).toEqual(scene);
    web.respond('/scene.json', { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(scene) });
    expect(await resolveScene(web.url('/scene.json'), store)).toEqual(scene);
  });

  it('answers a reference to nothing, or to no scene, with a 400 that names it', async () => {
    await expect(resolveScene('blob:scenes/none.json', store)).rejects.toMatchObject({ code: 400, message: 'scene: nothing is stored at blob:scenes/none.json' });
    await expect(resolveScene('blob:../x', store)).rejects.toMatchObject({ code: 400 });
    web.respond('/missing.json', { status: 404 });
    await expect(resolveScene(web.url('/missing.json'), store)).rejects.toMatchObject({ code: 400, message: expect.stringContaining('answered 404') });
    web.respond('/notjson', { status: 200, body: 'hello' });
    await expect(resolveScene(web.url('/notjson'), store)).rejects.toMatchObject({ code: 400, message: expect.stringContaining('is not JSON') });
  });
});
