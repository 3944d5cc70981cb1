import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobKeyError, blobStoreFromEnv, FileBlobStore, keyOf } from './blob-store.js';

let root: string;
let store: FileBlobStore;
beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'eventyard-blobs-'));
  store = new FileBlobStore(root);
});
afterEach(() => rm(root, { recursive: true, force: true }));

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => b && new TextDecoder().decode(b);

describe('FileBlobStore', () => {
  it('stores bytes under a key and gives them back by the blob: reference', async () => {
    const ref = await store.put('renders/r1/tiles/0-1.png', bytes('tile'), 'image/png');
    expect(ref).toBe('blob:renders/r1/tiles/0-1.png');
    expect(text(await store.get(ref))).toBe('tile');
    expect(await store.has(ref)).toBe(true);
    await store.put('renders/r1/tiles/0-1.png', bytes('again'), 'image/png');
    expect(text(await store.get(ref))).toBe('again');
  });

  it('answers undefined and false for what is not there', async () => {
    expect(await store.get('blob:renders/none.png')).toBeUndefined();
    expect(await store.has('blob:renders/none.png')).toBe(false);
    expect(await store.list('renders/none/')).toEqual([]);
  });

  it('lists the keys under a folder, without temporary files', async () => {
    await store.put('renders/r1/tiles/1-0.png', bytes('b'), 'image/png');
    await store.put('renders/r1/tiles/0-0.png', bytes('a'), 'image/png');
    expect(await store.list('renders/r1/tiles/')).toEqual(['renders/r1/tiles/0-0.png', 'renders/r1/tiles/1-0.png']);
    expect((await readdir(path.join(root, 'renders/r1/tiles'))).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  it('putIfAbsent: of many racing writers exactly one wins, and the content is whole', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.putIfAbsent('renders/r1/assembly.json', bytes(`writer ${i}`.repeat(1000)), 'application/json')));
    const winners = results.flatMap((r, i) => (r ? [i] : []));
    expect(winners).toHaveLength(1);
    expect(text(await store.get('blob:renders/r1/assembly.json'))).toBe(`writer ${winners[0]}`.repeat(1000));
  });

  it('refuses unsafe keys and references with a clear error', async () => {
    for (const key of ['../etc/passwd', '/etc/passwd', 'renders/../../x', 'renders//x', '.hidden', 'renders/a b', '']) {
      await expect(store.put(key, bytes('x'), 'text/plain'), key).rejects.toThrow(BlobKeyError);
    }
    await expect(store.get('blob:../secret')).rejects.toThrow(/invalid blob key "..\/secret": a key is a relative path/);
    await expect(store.get('renders/r1/frame.png')).rejects.toThrow(/not a blob reference.*expected blob:<key>/);
    expect(() => keyOf('file:///etc/passwd')).toThrow(BlobKeyError);
  });
});

describe('blobStoreFromEnv', () => {
  it('roots the store at EVENTYARD_BLOB_DIR, else .eventyard/blobs in the working directory', async () => {
    const fromEnv = blobStoreFromEnv({ EVENTYARD_BLOB_DIR: root });
    await fromEnv.put('a/b.txt', bytes('x'), 'text/plain');
    expect(text(await store.get('blob:a/b.txt'))).toBe('x');
    expect((blobStoreFromEnv({}) as FileBlobStore).root).toBe(path.resolve('.eventyard/blobs'));
  });
});
