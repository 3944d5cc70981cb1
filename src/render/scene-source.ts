import { BadEventError } from '../function-kit/event-data.js';
import { BLOB_REF_PREFIX, BlobKeyError, type BlobStore } from '../function-kit/blob-store.js';
import { BUILT_IN_SCENES, validateScene, type Scene } from './scene.js';

/** The largest scene document fetched or read by reference. */
const MAX_SCENE_BYTES = 1 << 20;

/**
 * The scene an order names: a built-in scene by name ("spheres"), a scene of its own inline (an
 * object), or one by reference — `blob:<key>` in the blob store or an http(s) URL. Whatever the
 * source, the scene is checked against scene.schema.json; anything wrong is a BadEventError (400).
 */
export async function resolveScene(spec: unknown, store: BlobStore, fetchTimeoutMs = 10_000): Promise<Scene> {
  if (typeof spec !== 'string') return validateScene(spec);
  if (Object.hasOwn(BUILT_IN_SCENES, spec)) return BUILT_IN_SCENES[spec]!;
  if (spec.startsWith(BLOB_REF_PREFIX)) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await store.get(spec);
    } catch (err) {
      if (err instanceof BlobKeyError) throw new BadEventError(`scene: ${err.message}`);
      throw err;
    }
    if (!bytes) throw new BadEventError(`scene: nothing is stored at ${spec}`);
    return parseScene(bytes, spec);
  }
  if (/^https?:\/\//.test(spec) && URL.canParse(spec)) return parseScene(await fetchScene(spec, fetchTimeoutMs), spec);
  throw new BadEventError(
    `scene: ${JSON.stringify(spec.slice(0, 100))} is neither a built-in scene (${Object.keys(BUILT_IN_SCENES).join(', ')}), a blob:<key> reference nor an http(s) URL; or send the scene itself as an object`,
  );
}

/**
 * The body of a scene URL, at most MAX_SCENE_BYTES: a larger content-length is refused before
 * reading, and a body without one is read as a stream and dropped as soon as it passes the limit,
 * so a huge (or endless) answer is never buffered.
 */
async function fetchScene(url: string, timeoutMs: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    // Unreachable now may work later: a 5xx, which the broker retries.
    throw new Error(`scene: fetching ${url} failed: ${(err as Error).message}`);
  }
  const tooBig = (size: string) => new BadEventError(`scene: ${url} is ${size}more than the limit of ${MAX_SCENE_BYTES} bytes; send a smaller scene or put it in the blob store`);
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    const error = new Error(`scene: ${url} answered ${response.status}`);
    throw response.status >= 500 ? error : new BadEventError(error.message);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > MAX_SCENE_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw tooBig(`${declared} bytes (content-length), `);
  }
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.byteLength;
      if (length > MAX_SCENE_BYTES) {
        await reader.cancel().catch(() => undefined); // closes the connection: the rest is never read
        throw tooBig('');
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof BadEventError) throw err;
    // Cut off or too slow: may work later, so a 5xx.
    throw new Error(`scene: reading ${url} failed: ${(err as Error).message}`);
  }
  const bytes = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

function parseScene(bytes: Uint8Array, from: string): Scene {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    // Not JSON.parse's message: it quotes the text, and the text is whatever the URL or blob holds.
    throw new BadEventError(`scene: the scene at ${from} is not JSON`);
  }
  try {
    return validateScene(value);
  } catch (err) {
    throw new BadEventError(`scene ${from}: ${(err as Error).message}`);
  }
}
