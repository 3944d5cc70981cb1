import type { Box } from './frame-spec.js';
import type { Raster } from './raster.js';

/** The classifier's input: a square crop resampled to CROP_SIZE×CROP_SIZE RGB. */
export const CROP_SIZE = 32;
export const CROP_VALUES = CROP_SIZE * CROP_SIZE * 3;

/**
 * Writes the crop of `box` into `out` at `offset` as the model reads it: HWC floats, standardised
 * per crop (zero mean, unit deviation over all channels). Standardising takes out the exposure;
 * doing it over all channels together keeps the hue, which tells the signs apart.
 */
export function writeCrop(frame: Raster, box: Box, out: Float32Array, offset = 0): void {
  const step = box.w / CROP_SIZE;
  const stepY = box.h / CROP_SIZE;
  // Several bilinear samples per output pixel: an average over its area, so large boxes do not alias.
  const k = Math.max(1, Math.ceil(Math.max(step, stepY)));
  const src = frame.data;
  const fw = frame.width;
  let sum = 0;
  let sumSq = 0;
  for (let oy = 0; oy < CROP_SIZE; oy++) {
    for (let ox = 0; ox < CROP_SIZE; ox++) {
      let r = 0;
      let g = 0;
      let b = 0;
      for (let sy = 0; sy < k; sy++) {
        const v = Math.min(frame.height - 1.001, Math.max(0, box.y + (oy + (sy + 0.5) / k) * stepY - 0.5));
        const y0 = Math.floor(v);
        const fy = v - y0;
        for (let sx = 0; sx < k; sx++) {
          const u = Math.min(fw - 1.001, Math.max(0, box.x + (ox + (sx + 0.5) / k) * step - 0.5));
          const x0 = Math.floor(u);
          const fx = u - x0;
          const i00 = (y0 * fw + x0) * 3;
          const i01 = i00 + 3;
          const i10 = i00 + fw * 3;
          const i11 = i10 + 3;
          const w00 = (1 - fx) * (1 - fy);
          const w01 = fx * (1 - fy);
          const w10 = (1 - fx) * fy;
          const w11 = fx * fy;
          r += src[i00]! * w00 + src[i01]! * w01 + src[i10]! * w10 + src[i11]! * w11;
          g += src[i00 + 1]! * w00 + src[i01 + 1]! * w01 + src[i10 + 1]! * w10 + src[i11 + 1]! * w11;
          b += src[i00 + 2]! * w00 + src[i01 + 2]! * w01 + src[i10 + 2]! * w10 + src[i11 + 2]! * w11;
        }
      }
      const o = offset + (oy * CROP_SIZE + ox) * 3;
      const n = k * k * 255;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      sum += out[o]! + out[o + 1]! + out[o + 2]!;
      sumSq += out[o]! * out[o]! + out[o + 1]! * out[o + 1]! + out[o + 2]! * out[o + 2]!;
    }
  }
  const mean = sum / CROP_VALUES;
  const std = Math.sqrt(Math.max(0, sumSq / CROP_VALUES - mean * mean)) + 0.02;
  for (let i = offset; i < offset + CROP_VALUES; i++) out[i] = (out[i]! - mean) / std;
}
