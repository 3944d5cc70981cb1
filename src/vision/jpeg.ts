import sharp from 'sharp';
import type { Raster } from './raster.js';

/** The camera's encoding: baseline JPEG (sharp/libjpeg-turbo). */
export async function encodeJpeg(raster: Raster, quality = 80): Promise<Buffer> {
  return sharp(Buffer.from(raster.data.buffer, raster.data.byteOffset, raster.data.length), { raw: { width: raster.width, height: raster.height, channels: 3 } })
    .jpeg({ quality })
    .toBuffer();
}

/** An image whose header gives another size than the one expected: refused before decoding. */
export class ImageSizeError extends Error {
  override readonly name = 'ImageSizeError';
  constructor(
    readonly width: number | undefined,
    readonly height: number | undefined,
  ) {
    super(`image is ${width ?? '?'}×${height ?? '?'}`);
  }
}

/**
 * Decodes an image to RGB; sharp throws on bytes that are no image it knows. With `expected`, the
 * size in the image's header is checked before any pixel is decoded: a few kilobytes can declare a
 * gigapixel image, and decoding it first would take the process's memory.
 */
export async function decodeImage(bytes: Buffer, expected?: { width: number; height: number }): Promise<Raster & { format: string }> {
  const image = sharp(bytes, { failOn: 'error' });
  const { format, width, height } = await image.metadata();
  if (expected && (width !== expected.width || height !== expected.height)) throw new ImageSizeError(width, height);
  const { data, info } = await image.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), format: format ?? 'unknown' };
}
