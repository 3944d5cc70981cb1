// render-tile's status events (received, rendering, rendered) only inform the display: the tile
// must not wait on them. Here the real handler renders real tiles while its sink (K_SINK, a real
// HTTP server on loopback) answers, or never answers.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handle } from '../functions/render-tile/index.js';
import { FileBlobStore } from '../src/function-kit/blob-store.js';
import { BUILT_IN_SCENES } from '../src/render/scene.js';
import { settle, Subscriber } from './helpers/subscriber.js';

let sink: Subscriber;
let blobDir: string;
const saved = { K_SINK: process.env.K_SINK, EVENTYARD_BLOB_DIR: process.env.EVENTYARD_BLOB_DIR };

beforeAll(async () => {
  sink = await Subscriber.start();
  blobDir = await mkdtemp(path.join(tmpdir(), 'eventyard-render-tile-'));
  // The handler reads its sink and blob store from the environment, as under Knative.
  process.env.K_SINK = sink.url('/sink');
  process.env.EVENTYARD_BLOB_DIR = blobDir;
});
afterAll(async () => {
  for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
  else process.env[k] = v;
  await sink.close();
  await rm(blobDir, { recursive: true, force: true });
});

function tileRequested(renderingId: string): CloudEvent<unknown> {
  return new CloudEvent({
    source: '/tests/render-tile',
    type: 'dev.eventyard.render.tile.requested',
    subject: 'tiles/0-0',
    renderingid: renderingId,
    data: { renderingId, tileX: 0, tileY: 0, divisions: 1, width: 8, height: 6, samples: 1, renderer: 'builtin', scene: BUILT_IN_SCENES.spheres },
  });
}

/** The statuses the sink got for a rendering, in the order they arrived. */
const statusesOf = (renderingId: string) =>
  sink.on('/sink').filter((r) => r.headers['ce-renderingid'] === renderingId).map((r) => (JSON.parse(r.body.toString()) as { status: string }).status);

describe('render-tile status events', () => {
  it('reports received, rendering and rendered, in that order', async () => {
    sink.respond('/sink', { status: 202 });
    const reply = await handle(undefined, tileRequested('status-ok'));
    expect(reply.type).toBe('dev.eventyard.render.tile.rendered');
    await expect.poll(() => statusesOf('status-ok')).toEqual(['received', 'rendering', 'rendered']);
  });

  it('renders and replies while the sink hangs, then still sends every status, in order, one attempt each', async () => {
    sink.respond('/sink', { status: 0, hang: true });
    const reply = await handle(undefined, tileRequested('status-hung'));
    // The tile is done and stored although its first status has had no answer (and never will).
    expect(reply.type).toBe('dev.eventyard.render.tile.rendered');
    expect(await new FileBlobStore(blobDir).has((reply.data as { image: string }).image)).toBe(true);
    expect(statusesOf('status-hung').length).toBeLessThanOrEqual(1);
    // Each send gives up on its own, briefly; the next follows it.
    await expect.poll(() => statusesOf('status-hung'), { timeout: 15_000, interval: 100 }).toEqual(['received', 'rendering', 'rendered']);
    await settle(2500); // no retry of any of them follows
    expect(statusesOf('status-hung')).toEqual(['received', 'rendering', 'rendered']);
  }, 25_000);
});
