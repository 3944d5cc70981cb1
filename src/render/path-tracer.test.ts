import { describe, expect, it } from 'vitest';
import { renderRegion } from './path-tracer.js';
import { BUILT_IN_SCENES } from './scene.js';
import { allTiles, tileRect } from './tiles.js';

const W = 53;
const H = 31;

describe('tileRect', () => {
  it('covers any frame exactly, with no gap and no overlap', () => {
    for (const divisions of [1, 2, 3, 4, 7]) {
      const covered = new Uint8Array(W * H);
      for (const { tileX, tileY } of allTiles(divisions)) {
        const r = tileRect(W, H, divisions, tileX, tileY);
        for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) covered[y * W + x]!++;
      }
      expect(covered.every((n) => n === 1), `${divisions}×${divisions}`).toBe(true);
    }
  });
});

describe('renderRegion', () => {
  for (const [name, scene] of Object.entries(BUILT_IN_SCENES)) {
    it(`renders each tile of "${name}" to exactly the bytes of that region of the full frame`, () => {
      const frame = { width: W, height: H, samples: 2 };
      const full = renderRegion(scene, frame, { x: 0, y: 0, w: W, h: H });
      for (const { tileX, tileY } of allTiles(3)) {
        const r = tileRect(W, H, 3, tileX, tileY);
        const tile = renderRegion(scene, frame, r);
        for (let row = 0; row < r.h; row++) {
          const start = ((r.y + row) * W + r.x) * 4;
          expect(Buffer.from(tile.subarray(row * r.w * 4, (row + 1) * r.w * 4)).equals(Buffer.from(full.subarray(start, start + r.w * 4)))).toBe(true);
        }
      }
    });
  }

  it('draws something: the frame is opaque and not one flat colour', () => {
    const px = renderRegion(BUILT_IN_SCENES.spheres!, { width: 40, height: 24, samples: 1 }, { x: 0, y: 0, w: 40, h: 24 });
    const colours = new Set<number>();
    for (let i = 0; i < px.length; i += 4) {
      expect(px[i + 3]).toBe(255);
      colours.add((px[i]! << 16) | (px[i + 1]! << 8) | px[i + 2]!);
    }
    expect(colours.size).toBeGreaterThan(100);
  });
});
