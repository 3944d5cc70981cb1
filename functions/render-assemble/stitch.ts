import sharp from 'sharp';
import type { Rect } from '../../src/render/tiles.js';

/** Tile PNGs, each at its place, into one PNG of the frame; a tile of the wrong size is an error. */
export async function stitch(width: number, height: number, tiles: readonly { rect: Rect; png: Uint8Array }[]): Promise<Uint8Array> {
  for (const { rect, png } of tiles) {
    const { width: w, height: h } = await sharp(png).metadata();
    if (w !== rect.w || h !== rect.h) throw new Error(`the tile at ${rect.x},${rect.y} is ${w}×${h}, expected ${rect.w}×${rect.h}`);
  }
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 1 } } })
    .composite(tiles.map(({ rect, png }) => ({ input: Buffer.from(png), left: rect.x, top: rect.y })))
    .png({ compressionLevel: 6 })
    .toBuffer();
}
