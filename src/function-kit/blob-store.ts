import { randomBytes } from 'node:crypto';
import { link, mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** How event data names a blob: `blob:<key>`, e.g. `blob:renders/<renderingId>/tiles/1-2.png`. */
export type BlobRef = `blob:${string}`;

export const BLOB_REF_PREFIX = 'blob:';

/**
 * Where functions keep bytes too big for an event (tiles, frames) and state they share (which
 * tiles exist, who assembles). Events carry references (`blob:<key>`), never the bytes.
 */
export interface BlobStore {
  /** Stores bytes under key, replacing what was there atomically (readers see old or new, never part). */
  put(key: string, bytes: Uint8Array, contentType: string): Promise<BlobRef>;
  /**
   * Stores bytes under key only if nothing is there yet, atomically: of two racing callers exactly
   * one gets the reference, the other undefined.
   */
  putIfAbsent(key: string, bytes: Uint8Array, contentType: string): Promise<BlobRef | undefined>;
  /** The bytes a reference names, or undefined when there are none. */
  get(ref: string): Promise<Uint8Array | undefined>;
  has(ref: string): Promise<boolean>;
  /** Keys under a prefix ending in '/', sorted; e.g. list('renders/abc/tiles/'). */
  list(prefix: string): Promise<string[]>;
}

export class BlobKeyError extends Error {
  override readonly name = 'BlobKeyError';
}

/** The default folder of the filesystem store, relative to the process's working directory. */
export const DEFAULT_BLOB_DIR = path.join('.eventyard', 'blobs');

/**
 * The blob store of this environment: files under EVENTYARD_BLOB_DIR, default .eventyard/blobs in
 * the working directory (under `eventyard dev`, the project folder; on a cluster, the shared
 * volume the render Services mount there).
 */
export function blobStoreFromEnv(env: NodeJS.ProcessEnv = process.env): BlobStore {
  return new FileBlobStore(path.resolve(env.EVENTYARD_BLOB_DIR || DEFAULT_BLOB_DIR));
}

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

/** Checks a key: '/'-separated segments of letters, digits, '.', '_' and '-', no '..', not absolute. */
export function checkKey(key: string): string {
  const segments = key.split('/');
  const bad = key.length > 1000 || segments.some((s) => !SEGMENT.test(s) || s === '..' || s.endsWith('.tmp'));
  if (bad) {
    throw new BlobKeyError(
      `invalid blob key ${JSON.stringify(key.slice(0, 200))}: a key is a relative path of segments made of letters, digits, ".", "_" and "-" ` +
        `(not starting with "." or "-", no "..", no empty segment, no leading "/"), e.g. renders/<renderingId>/tiles/0-1.png`,
    );
  }
  return key;
}

export function refOf(key: string): BlobRef {
  return `${BLOB_REF_PREFIX}${checkKey(key)}`;
}

/** The key of a `blob:` reference; throws a BlobKeyError for anything else. */
export function keyOf(ref: string): string {
  if (!ref.startsWith(BLOB_REF_PREFIX)) throw new BlobKeyError(`not a blob reference: ${JSON.stringify(ref.slice(0, 200))}; expected blob:<key>`);
  return checkKey(ref.slice(BLOB_REF_PREFIX.length));
}

/**
 * Blobs as files under one folder. Writes go to a temporary file first and are then renamed (put)
 * or hard-linked (putIfAbsent, which fails if the name exists) into place, both atomic on a POSIX
 * filesystem, NFS included. The content type is not kept: the key's extension says it.
 */
export class FileBlobStore implements BlobStore {
  constructor(readonly root: string) {}

  async put(key: string, bytes: Uint8Array, _contentType: string): Promise<BlobRef> {
    const file = this.fileOf(checkKey(key));
    const temp = await this.writeTemp(file, bytes);
    try {
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    return refOf(key);
  }

  async putIfAbsent(key: string, bytes: Uint8Array, _contentType: string): Promise<BlobRef | undefined> {
    const file = this.fileOf(checkKey(key));
    const temp = await this.writeTemp(file, bytes);
    try {
      await link(temp, file);
      return refOf(key);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw err;
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async get(ref: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.fileOf(keyOf(ref)));
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  async has(ref: string): Promise<boolean> {
    try {
      return (await stat(this.fileOf(keyOf(ref)))).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  async list(prefix: string): Promise<string[]> {
    if (!prefix.endsWith('/')) throw new BlobKeyError(`list() takes a folder prefix ending in "/", got ${JSON.stringify(prefix)}`);
    const folder = prefix.slice(0, -1);
    let names: string[];
    try {
      names = await readdir(this.fileOf(checkKey(folder)));
    } catch (err) {
      if (isMissing(err)) return [];
      throw err;
    }
    return names.filter((n) => SEGMENT.test(n) && !n.endsWith('.tmp')).map((n) => `${prefix}${n}`).sort();
  }

  private fileOf(key: string): string {
    return path.join(this.root, ...key.split('/'));
  }

  private async writeTemp(file: string, bytes: Uint8Array): Promise<string> {
    await mkdir(path.dirname(file), { recursive: true });
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, bytes);
    return temp;
  }
}

function isMissing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
