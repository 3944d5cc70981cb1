// The render farm end to end under `eventyard dev`: orders go in at the broker, render-order sends
// its tiles to its sink (the SinkBinding's K_SINK, i.e. the broker), Triggers route them to
// render-tile (scaled from zero, one tile per instance) and the rendered tiles to render-assemble,
// which stitches the frame. Nothing here calls a handler directly.
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderRegion } from '../src/render/path-tracer.js';
import { BUILT_IN_SCENES, type Scene } from '../src/render/scene.js';
import { binaryHeaders, post, sendEvent } from './helpers/events.js';
import { settle, Subscriber } from './helpers/subscriber.js';
import { startRenderProject, type RenderProject } from './render-project.js';

interface Seen {
  type: string;
  subject?: string;
  renderingid?: string;
  data: Record<string, unknown>;
}

let project: RenderProject;
let watch: Subscriber;

beforeAll(async () => {
  watch = await Subscriber.start();
  project = await startRenderProject({
    watchUrl: watch.url('/events'),
    // A Blender that is not there, so that an order for Blender fails (the other tests use the built-in renderer).
    edit: (file, text) =>
      file === 'eventing/render-tile.yaml' ? text.replace('          env:\n', '          env:\n            - name: EVENTYARD_BLENDER\n              value: /nonexistent/blender\n') : text,
  });
}, 60_000);

afterAll(async () => {
  await project?.close();
  await watch?.close();
});

/** Every event the broker saw, as the watch Trigger delivered it. */
function seen(): Seen[] {
  return watch.on('/events').map((r) => ({
    type: String(r.headers['ce-type']),
    subject: r.headers['ce-subject'] as string | undefined,
    renderingid: r.headers['ce-renderingid'] as string | undefined,
    data: JSON.parse(r.body.toString() || 'null') as Record<string, unknown>,
  }));
}
const ofRendering = (id: string) => seen().filter((e) => e.renderingid === id);

async function until<T>(what: string, find: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Orders a render through the broker; resolves with its render.completed or render.failed. */
async function order(data: Record<string, unknown>): Promise<Seen> {
  const renderingId = data.renderingId as string;
  const { status } = await sendEvent(project.brokerUrl, { type: 'dev.eventyard.render.requested', source: '/tests/render' }, data);
  expect(status).toBe(202);
  return until(`the end of rendering ${renderingId}`, () =>
    ofRendering(renderingId).find((e) => e.type === 'dev.eventyard.render.completed' || e.type === 'dev.eventyard.render.failed'),
  );
}

/** The RGBA pixels of a stored PNG. */
async function pixelsOf(ref: string): Promise<{ data: Buffer; width: number; height: number }> {
  const png = await project.blobs.get(ref);
  expect(png, `${ref} is stored`).toBeDefined();
  const { data, info } = await sharp(png!).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** One full-frame render of the same scene by the built-in renderer, in this process. */
function fullFrame(scene: Scene, width: number, height: number, samples: number): Buffer {
  return Buffer.from(renderRegion(scene, { width, height, samples }, { x: 0, y: 0, w: width, h: height }));
}

describe('an order for a 320×180 frame in 4×4 tiles', () => {
  const id = 'spheres-320';
  let end: Seen;

  beforeAll(async () => {
    end = await order({ renderingId: id, scene: 'spheres', width: 320, height: 180, divisions: 4, samples: 2 });
  }, 60_000);

  it('completes with one image whose pixels are those of a single full-frame render (seamless tiles)', async () => {
    expect(end.type).toBe('dev.eventyard.render.completed');
    expect(end.data).toMatchObject({ renderingId: id, width: 320, height: 180, tiles: 16, image: `blob:renders/${id}/frame.png` });
    expect(end.data.wallMs).toBeGreaterThan(0);
    const frame = await pixelsOf(end.data.image as string);
    expect([frame.width, frame.height]).toEqual([320, 180]);
    expect(frame.data.equals(fullFrame(BUILT_IN_SCENES.spheres!, 320, 180, 2))).toBe(true);
  });

  it('rendered 16 tiles, each once, covering the frame', () => {
    const tiles = ofRendering(id).filter((e) => e.type === 'dev.eventyard.render.tile.rendered');
    expect(tiles.map((t) => t.subject).sort()).toEqual(
      Array.from({ length: 16 }, (_, i) => `tiles/${i % 4}-${Math.floor(i / 4)}`).sort(),
    );
    expect(tiles.reduce((area, t) => area + (t.data.w as number) * (t.data.h as number), 0)).toBe(320 * 180);
    for (const t of tiles) expect(t.data.image).toBe(`blob:renders/${id}/tiles/${t.data.tileX}-${t.data.tileY}.png`);
  });

  it('reported each tile as received, rendering and rendered', () => {
    const statuses = ofRendering(id).filter((e) => e.type === 'dev.eventyard.render.tile.status');
    for (let i = 0; i < 16; i++) {
      const subject = `tiles/${i % 4}-${Math.floor(i / 4)}`;
      // Sent in this order; the broker may deliver them to the watcher in any order.
      expect(statuses.filter((s) => s.subject === subject).map((s) => s.data.status).sort(), subject).toEqual(['received', 'rendered', 'rendering']);
    }
  });

  it('emitted render.completed once, and every render event carries the renderingid and a subject', async () => {
    await settle(500);
    expect(ofRendering(id).filter((e) => e.type === 'dev.eventyard.render.completed')).toHaveLength(1);
    const renderEvents = seen().filter((e) => e.type.startsWith('dev.eventyard.render.') && e.type !== 'dev.eventyard.render.requested');
    for (const e of renderEvents) {
      expect(e.renderingid, e.type).toBeTruthy();
      expect(e.subject, e.type).toBeTruthy();
      expect(e.renderingid).toBe(e.data.renderingId);
    }
  });

  it('ran render-tile with one tile per instance, scaled from zero', () => {
    const stats = project.dev.serving.find('default', 'render-tile')!.stats();
    expect(stats.containerConcurrency).toBe(1);
    expect(stats.coldStarts).toBeGreaterThanOrEqual(1);
  });
});

describe('two concurrent orders', () => {
  it('do not mix: each frame is its own scene, built from its own tiles', async () => {
    const [a, b] = await Promise.all([
      order({ renderingId: 'mix-blocks', scene: 'blocks', width: 96, height: 64, divisions: 3, samples: 2 }),
      order({ renderingId: 'mix-lamp', scene: 'lamp', width: 64, height: 96, divisions: 2, samples: 2 }),
    ]);
    expect(a.data).toMatchObject({ renderingId: 'mix-blocks', tiles: 9, width: 96, height: 64 });
    expect(b.data).toMatchObject({ renderingId: 'mix-lamp', tiles: 4, width: 64, height: 96 });
    expect((await pixelsOf(a.data.image as string)).data.equals(fullFrame(BUILT_IN_SCENES.blocks!, 96, 64, 2))).toBe(true);
    expect((await pixelsOf(b.data.image as string)).data.equals(fullFrame(BUILT_IN_SCENES.lamp!, 64, 96, 2))).toBe(true);
    for (const [id, count] of [['mix-blocks', 9], ['mix-lamp', 4]] as const) {
      const tiles = ofRendering(id).filter((e) => e.type === 'dev.eventyard.render.tile.rendered');
      expect(tiles).toHaveLength(count);
      for (const t of tiles) expect(t.data.image).toMatch(new RegExp(`^blob:renders/${id}/tiles/`));
    }
  }, 60_000);
});

describe('render-assemble', () => {
  it('stitches a frame once when deliveries of its last tile race', async () => {
    const id = 'race';
    const frame = { width: 40, height: 30, samples: 1 };
    const sent = [];
    for (const [tileX, tileY] of [[0, 0], [1, 0], [0, 1], [1, 1]] as const) {
      const rect = { x: tileX * 20, y: tileY * 15, w: 20, h: 15 };
      const png = await sharp(Buffer.from(renderRegion(BUILT_IN_SCENES.spheres!, frame, rect)), { raw: { width: 20, height: 15, channels: 4 } }).png().toBuffer();
      const image = await project.blobs.put(`renders/${id}/tiles/${tileX}-${tileY}.png`, png, 'image/png');
      sent.push({ renderingId: id, tileX, tileY, divisions: 2, width: 40, height: 30, ...rect, image });
    }
    // Every tile is stored: each of these deliveries finds the frame ready to stitch, at once.
    await Promise.all(
      [...sent, ...sent].map((data) =>
        sendEvent(project.brokerUrl, { type: 'dev.eventyard.render.tile.rendered', source: '/tests/race', subject: `tiles/${data.tileX}-${data.tileY}`, renderingid: id }, data),
      ),
    );
    const done = await until('render.completed', () => ofRendering(id).find((e) => e.type === 'dev.eventyard.render.completed'));
    await settle(1000);
    expect(ofRendering(id).filter((e) => e.type === 'dev.eventyard.render.completed')).toHaveLength(1);
    expect((await pixelsOf(done.data.image as string)).data.equals(fullFrame(BUILT_IN_SCENES.spheres!, 40, 30, 1))).toBe(true);
  });
});

describe('render-assemble outcome', () => {
  /** One stored 4×4 tile, a 1×1-tile rendering ready to stitch, and the two events that end it. */
  async function readyRendering(id: string) {
    const png = await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 200, g: 100, b: 50, alpha: 1 } } }).png().toBuffer();
    const image = await project.blobs.put(`renders/${id}/tiles/0-0.png`, png, 'image/png');
    const url = project.serviceUrl('render-assemble');
    const rendered = { renderingId: id, tileX: 0, tileY: 0, divisions: 1, width: 4, height: 4, x: 0, y: 0, w: 4, h: 4, image, renderer: 'builtin', renderMs: 1 };
    const dead = { renderingId: id, tileX: 0, tileY: 0, divisions: 1, width: 4, height: 4, samples: 1, renderer: 'builtin', scene: BUILT_IN_SCENES.spheres };
    const common = { source: '/tests/outcome', subject: 'tiles/0-0', renderingid: id };
    return {
      /** The last tile, rendered: resolves true when render-assemble replied render.completed. */
      complete: async () => {
        const r = await post(url, binaryHeaders({ ...common, id: `${id}-rendered`, type: 'dev.eventyard.render.tile.rendered' }, 'application/json'), JSON.stringify(rendered));
        expect(r.status, r.text).toBeLessThan(300);
        return r.headers.get('ce-type') === 'dev.eventyard.render.completed';
      },
      /** The same tile, dead-lettered after its retries (as the Trigger's dead-letter sink gets it). */
      fail: async () => {
        const headers = binaryHeaders({ ...common, id: `${id}-dead`, type: 'dev.eventyard.render.tile.requested', knativeerrorcode: '500', knativeerrordata: Buffer.from('boom').toString('base64') }, 'application/json');
        const r = await post(url, headers, JSON.stringify(dead));
        expect(r.status, r.text).toBeLessThan(300);
      },
    };
  }
  const failedOf = (id: string) => ofRendering(id).filter((e) => e.type === 'dev.eventyard.render.failed').length;

  it('ends a rendering exactly once, completed or failed, when its last tile and a dead-lettered tile race', async () => {
    const rounds = 20;
    const completed = new Map<string, boolean>();
    for (let i = 0; i < rounds; i++) {
      const id = `outcome-${i}`;
      const { complete, fail } = await readyRendering(id);
      const [done] = await Promise.all([complete(), fail()]);
      completed.set(id, done);
    }
    await settle(1000);
    for (const [id, done] of completed) {
      expect({ id, outcomes: (done ? 1 : 0) + failedOf(id) }).toEqual({ id, outcomes: 1 });
    }
  }, 60_000);

  it('repeats the outcome for a redelivery of the event that won it, and nothing for the other', async () => {
    const id = 'outcome-redelivered';
    const { complete, fail } = await readyRendering(id);
    expect(await complete()).toBe(true);
    await fail();
    expect(await complete()).toBe(true); // the same event again: its claim is its own
    await settle(500);
    expect(failedOf(id)).toBe(0);

    const other = 'outcome-failed-first';
    const second = await readyRendering(other);
    await second.fail();
    await until('render.failed', () => (failedOf(other) === 1 ? true : undefined));
    expect(await second.complete()).toBe(false);
    await second.fail(); // redelivered: the failure is told again, never turned into a completion
    await until('the second render.failed', () => (failedOf(other) === 2 ? true : undefined));
    expect(await project.blobs.has(`blob:renders/${other}/frame.png`)).toBe(false);
  });
});

describe('scenes', () => {
  const own: Scene = {
    camera: { position: [0, 1, 3], lookAt: [0, 0.5, 0], fov: 50 },
    sky: { horizon: [0.9, 0.9, 1], zenith: [0.3, 0.5, 0.9] },
    materials: { floor: { color: [0.5, 0.5, 0.5] }, ball: { color: [0.9, 0.1, 0.5] } },
    objects: [
      { type: 'plane', point: [0, 0, 0], normal: [0, 1, 0], material: 'floor' },
      { type: 'sphere', center: [0, 0.5, 0], radius: 0.5, material: 'ball' },
    ],
    lights: [{ type: 'sun', direction: [0, -1, -1], color: [1, 1, 1], intensity: 2 }],
  };

  it('renders a scene sent in the order', async () => {
    const end = await order({ renderingId: 'inline', scene: own, width: 48, height: 32, divisions: 2, samples: 1 });
    expect((await pixelsOf(end.data.image as string)).data.equals(fullFrame(own, 48, 32, 1))).toBe(true);
  }, 60_000);

  it('renders a scene sent by reference to the blob store', async () => {
    const ref = await project.blobs.put('scenes/mine.json', new TextEncoder().encode(JSON.stringify(own)), 'application/json');
    const end = await order({ renderingId: 'by-ref', scene: ref, width: 48, height: 32, divisions: 2, samples: 1 });
    expect((await pixelsOf(end.data.image as string)).data.equals(fullFrame(own, 48, 32, 1))).toBe(true);
  }, 60_000);
});

describe('bad orders and failed tiles', () => {
  it('answers a bad order 400 with the reason', async () => {
    const url = project.serviceUrl('render-order');
    const bad = async (data: unknown) => sendEvent(url, { type: 'dev.eventyard.render.requested' }, data);
    const noSize = await bad({ scene: 'spheres', divisions: 2, samples: 1 });
    expect(noSize.status).toBe(400);
    expect(noSize.text).toContain("must have required property 'width'");
    const unknownScene = await bad({ scene: 'teapot', width: 10, height: 10, divisions: 2, samples: 1 });
    expect(unknownScene.status).toBe(400);
    expect(unknownScene.text).toContain('neither a built-in scene (spheres, blocks, lamp)');
    const badMaterial = await bad({ scene: { ...BUILT_IN_SCENES.spheres!, objects: [{ type: 'sphere', center: [0, 0, 0], radius: 1, material: 'nope' }] }, width: 10, height: 10, divisions: 1, samples: 1 });
    expect(badMaterial.status).toBe(400);
    expect(badMaterial.text).toContain('/objects/0/material "nope" is not in materials');
  });

  it('answers a tile whose rectangle is empty 400 with the reason, so it is dead-lettered without retries', async () => {
    const tile = { renderingId: 'empty-tile', tileX: 0, tileY: 0, divisions: 2, width: 1, height: 8, samples: 1, renderer: 'builtin', scene: BUILT_IN_SCENES.spheres };
    const direct = await sendEvent(project.serviceUrl('render-tile'), { type: 'dev.eventyard.render.tile.requested' }, tile);
    expect(direct.status).toBe(400);
    expect(direct.text).toContain('divisions (2) must not exceed width and height (1×8)');
    const outside = await sendEvent(project.serviceUrl('render-tile'), { type: 'dev.eventyard.render.tile.requested' }, { ...tile, tileX: 0, tileY: 2, width: 8 });
    expect(outside.status).toBe(400);
    expect(outside.text).toContain('tile 0,2 is outside a 2×2 grid');

    // Sent straight to the broker (as a producer on the Kafka topic would): one attempt, then the dead-letter sink fails the order.
    const { status } = await sendEvent(project.brokerUrl, { type: 'dev.eventyard.render.tile.requested', source: '/tests/render', subject: 'tiles/0-0', renderingid: 'empty-tile' }, tile);
    expect(status).toBe(202);
    const end = await until('render.failed', () => ofRendering('empty-tile').find((e) => e.type === 'dev.eventyard.render.failed'));
    expect(end.data.reason).toContain('tile 0-0 failed after retries: HTTP 400');
    expect(end.data.reason).toContain('must not exceed width and height');
    await settle(300);
    expect(ofRendering('empty-tile').filter((e) => e.type === 'dev.eventyard.render.tile.status')).toEqual([]);
  });

  it('fails the order with render.failed when a tile fails after its retries', async () => {
    const end = await order({ renderingId: 'no-blender', scene: 'spheres', width: 32, height: 18, divisions: 1, samples: 1, renderer: 'blender' });
    expect(end.type).toBe('dev.eventyard.render.failed');
    expect(end.subject).toBe('tiles/0-0');
    expect(end.data.reason).toContain('tile 0-0 failed after retries: HTTP 500');
    expect(end.data.reason).toContain('/nonexistent/blender');
    const statuses = ofRendering('no-blender').filter((e) => e.type === 'dev.eventyard.render.tile.status').map((e) => e.data.status);
    expect(statuses.filter((s) => s === 'failed')).toHaveLength(3); // the first attempt and 2 retries
    await settle(300);
    expect(ofRendering('no-blender').filter((e) => e.type === 'dev.eventyard.render.failed')).toHaveLength(1);
  }, 60_000);
});
