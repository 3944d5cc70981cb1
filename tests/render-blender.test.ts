// The Blender backend: Debian's blender (tests/peers/blender/install.sh) renders a tile of the same
// JSON scene the built-in renderer draws, as a Cycles border render cropped to the tile.
import { spawnSync } from 'node:child_process';
import sharp from 'sharp';
import { expect, it } from 'vitest';
import { blenderCommand, blenderRenderer } from '../src/render/blender/blender-renderer.js';
import { BUILT_IN_SCENES } from '../src/render/scene.js';
import { tileRect } from '../src/render/tiles.js';
import { describeWithPeer } from './helpers/peer-suite.js';

const INSTALL = 'bash tests/peers/blender/install.sh';
const command = blenderCommand();
const version = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 30_000 });
const missing = version.status === 0 ? undefined : `"${command}" does not run (${version.error?.message ?? `exit ${version.status}`})`;

describeWithPeer('Blender', { available: missing === undefined, reason: missing }, INSTALL, 'Blender backend', () => {
  it('renders one tile of a 320×180 frame of the spheres scene to a tile-sized image that is not blank', async () => {
    const region = tileRect(320, 180, 4, 1, 2); // 80×45, from (80, 90)
    const png = await blenderRenderer().render({ scene: BUILT_IN_SCENES.spheres!, width: 320, height: 180, samples: 4, region });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height]).toEqual([80, 45]);
    // Not blank: the pixels vary, and it is neither black nor white all over.
    const stats = await sharp(png).stats();
    const [r, g, b] = stats.channels;
    expect(Math.max(r!.stdev, g!.stdev, b!.stdev)).toBeGreaterThan(5);
    expect(r!.mean + g!.mean + b!.mean).toBeGreaterThan(30);
    expect(r!.mean + g!.mean + b!.mean).toBeLessThan(3 * 250);
    expect(new Set(Array.from({ length: data.length / info.channels }, (_, i) => data.readUInt32BE(i * info.channels))).size).toBeGreaterThan(50);
  }, 120_000);

  it('fails with Blender\'s own words when the scene cannot be built', async () => {
    const scene = { ...BUILT_IN_SCENES.spheres!, objects: [{ type: 'sphere' as const, center: [0, 0, 0] as const, radius: 1, material: 'missing' }] };
    await expect(blenderRenderer().render({ scene, width: 32, height: 18, samples: 1, region: { x: 0, y: 0, w: 32, h: 18 } })).rejects.toThrow(/blender failed to render[\s\S]*KeyError: 'missing'/);
  }, 120_000);
});
