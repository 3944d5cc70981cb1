import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
let endless: { server: Server; url: string; sent: Map<string, { bytes: number; closed: boolean }> };

/**
 * A real HTTP server whose bodies never end: `/chunked` streams 64 KiB chunks with no
 * content-length; `/declared` says 600 MB and sends 64 KiB. It counts what each request got
 * and whether the client hung up.
 */
async function startEndless(): Promise<typeof endless> {
  const sent = new Map<string, { bytes: number; closed: boolean }>();
  const server = createServer((req, res) => {
    const record = { bytes: 0, closed: false };
    sent.set(req.url ?? '/', record);
    res.on('close', () => (record.closed = true));
    const chunk = Buffer.alloc(64 << 10, 0x20);
    if (req.url === '/declared') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(600 << 20) });
      res.write(chunk);
      record.bytes += chunk.length;
      return; // and nothing more, ever
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const more = () => {
      while (!record.closed && res.write(chunk)) record.bytes += chunk.length;
      if (!record.closed) record.bytes += chunk.length;
    };
    res.on('drain', more);
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sent };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'eventyard-scenes-'));
  store = new FileBlobStore(root);
  web = await Subscriber.start();
  endless = await startEndless();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await web.close();
  endless.server.closeAllConnections();
  await new Promise((resolve) => endless.server.close(resolve));
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

  it('refuses a fetched scene declared bigger than 1 MiB at once, with a 400 that says so', async () => {
    await expect(resolveScene(`${endless.url}/declared`, store, 5_000)).rejects.toMatchObject({
      code: 400,
      message: `scene: ${endless.url}/declared is ${600 << 20} bytes (content-length), more than the limit of ${1 << 20} bytes; send a smaller scene or put it in the blob store`,
    });
    await expect.poll(() => endless.sent.get('/declared')?.closed).toBe(true);
  });

  it('stops reading a fetched scene once it passes 1 MiB, with a 400, rather than buffering the whole body', async () => {
    await expect(resolveScene(`${endless.url}/chunked`, store, 5_000)).rejects.toMatchObject({
      code: 400,
      message: `scene: ${endless.url}/chunked is more than the limit of ${1 << 20} bytes; send a smaller scene or put it in the blob store`,
    });
    await expect.poll(() => endless.sent.get('/chunked')?.closed).toBe(true);
    // What was sent before the hang-up: the limit, plus what sat in socket buffers.
    expect(endless.sent.get('/chunked')!.bytes).toBeLessThan(64 << 20);
  });

  it('does not echo the body of a fetched scene that is not JSON', async () => {
    web.respond('/secret', { status: 200, headers: { 'content-type': 'application/json' }, body: 'token=s3cr3t-value; not a scene' });
    const url = web.url('/secret');
    const err = (await resolveScene(url, store).catch((e: unknown) => e)) as { code: number; message: string };
    expect(err).toMatchObject({ code: 400, message: `scene: the scene at ${url} is not JSON` });
    expect(err.message).not.toContain('s3cr3t');
  });
});
