import sharp from 'sharp';
import { renderRegion } from './path-tracer.js';
import type { RenderJob, TileRenderer } from './renderer.js';

/** The built-in path tracer, in this process; PNG encoding by sharp. */
export const builtinRenderer: TileRenderer = {
  name: 'builtin',
  async render(job: RenderJob): Promise<Uint8Array> {
    const pixels = renderRegion(job.scene, job, job.region);
    return encodePng(pixels, job.region.w, job.region.h);
  },
};

/** RGBA pixels to a PNG (lossless, so a decoded tile has exactly the rendered bytes). */
export async function encodePng(pixels: Uint8Array, width: number, height: number): Promise<Uint8Array> {
  return sharp(pixels, { raw: { width, height, channels: 4 } }).png({ compressionLevel: 6 }).toBuffer();
}
