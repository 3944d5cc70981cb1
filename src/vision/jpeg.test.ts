import { describe, expect, it } from 'vitest';
import { pngBomb } from '../../tests/helpers/images.js';
import { decodeImage, ImageSizeError } from './jpeg.js';

describe('decodeImage with an expected size', () => {
  it('refuses an image whose header declares another size, before decoding a pixel of it', async () => {
    const before = process.memoryUsage().rss;
    const refused = await decodeImage(pngBomb(16383), { width: 600, height: 400 }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ImageSizeError);
    expect((refused as ImageSizeError).message).toBe('image is 16383×16383');
    // Decoding it would have taken 16383² × 3 bytes (768 MiB) of RGB.
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 1024 * 1024);
  });
});
