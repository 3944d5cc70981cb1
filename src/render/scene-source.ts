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

async function fetchScene(url: string, timeoutMs: number): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (err) {
    // Unreachable now may work later: a 5xx, which the broker retries.
    throw new Error(`scene: fetching ${url} failed: ${(err as Error).message}`);
  }
  if (!response.ok) {
    const error = new Error(`scene: ${url} answered ${response.status}`);
    throw response.status >= 500 ? error : new BadEventError(error.message);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length > MAX_SCENE_BYTES) throw new BadEventError(`scene: ${url} is ${bytes.length} bytes, more than ${MAX_SCENE_BYTES}`);
  return bytes;
}

function parseScene(bytes: Uint8Array, from: string): Scene {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new BadEventError(`scene: ${from} is not JSON: ${(err as Error).message}`);
  }
  try {
    return validateScene(value);
  } catch (err) {
    throw new BadEventError(`scene ${from}: ${(err as Error).message}`);
  }
}
