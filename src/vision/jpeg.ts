import sharp from 'sharp';
import type { Raster } from './raster.js';

/** The camera's encoding: baseline JPEG (sharp/libjpeg-turbo). */
export async function encodeJpeg(raster: Raster, quality = 80): Promise<Buffer> {
  return sharp(Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.length), { raw: { width: raster.width, height: raster.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** Decodes an image to RGB; sharp throws on bytes that are no image it knows. */
export async function decodeImage(bytes: Buffer): Promise<Raster & { format: string }> {
  const image = sharp(bytes, { failOn: 'error' });
  const { format } = await image.metadata();
  const { data, info } = await image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), format: format ?? 'unknown' };
}
