import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { exactSize } from './blender-renderer.js';

/** A PNG whose every pixel tells its place: red is x, green is y. */
async function coordinatePng(width: number, height: number): Promise<Uint8Array> {
  const pixels = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) pixels.set([x * 8, y * 8, 100, 255], (y * width + x) * 4);
  }
  return sharp(pixels, { raw: { width, height, channels: 4 } }).png().toBuffer();
}

async function rgba(png: Uint8Array): Promise<{ width: number; height: number; at: (x: number, y: number) => number[] }> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, at: (x, y) => [...data.subarray((y * info.width + x) * 4, (y * info.width + x) * 4 + 4)] };
}

describe('exactSize (a Blender tile a pixel off)', () => {
  it('keeps a tile of the right size as it is', async () => {
    const png = await coordinatePng(20, 15);
    expect(await exactSize(png, 20, 15)).toBe(png);
  });

  // Each case: Blender's size, the tile's size. Pixels inside both stay where they are, unscaled;
  // a missing row or column repeats the edge.
  for (const [[bw, bh], [w, h]] of [
    [[21, 16], [20, 15]], // a pixel too big both ways: cropped
    [[19, 15], [20, 15]], // a column short: padded
    [[20, 14], [20, 15]], // a row short: padded
    [[21, 14], [20, 15]], // wider and shorter: cropped and padded
    [[19, 16], [20, 15]], // narrower and taller: padded and cropped
  ] as const) {
    it(`fits a ${bw}×${bh} render to a ${w}×${h} tile by cropping or padding, never rescaling`, async () => {
      const fitted = await rgba(await exactSize(await coordinatePng(bw, bh), w, h));
      expect([fitted.width, fitted.height]).toEqual([w, h]);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const [sx, sy] = [Math.min(x, bw - 1), Math.min(y, bh - 1)];
          expect(fitted.at(x, y), `pixel ${x},${y}`).toEqual([sx * 8, sy * 8, 100, 255]);
        }
      }
    });
  }
});
