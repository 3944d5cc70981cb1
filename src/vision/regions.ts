import type { Box } from './frame-spec.js';
import type { Raster } from './raster.js';

/**
 * Candidate sign regions of a frame, by classic image processing: every sign is a saturated red,
 * yellow, green or blue shape, so the frame is halved, each pixel is put in one colour mask (or
 * none), connected pixels of one mask make a component, and components of a sign's size and shape
 * become square boxes. The classifier then says which boxes hold which sign, and which hold none.
 */

const enum Colour {
  None = 0,
  Red = 1,
  Yellow = 2,
  Green = 3,
  Blue = 4,
}

/** Tuning, in frame pixels. */
export const REGION_LIMITS = {
  /** A sign closer to the camera than this is off the frame's scale; farther, too small to read. */
  minSide: 12,
  maxSide: 200,
  minPixels: 40,
  maxCandidates: 12,
  /** Room kept around the component, so the crop shows the whole sign with a little border. */
  padding: 1.12,
} as const;

function colourOf(r: number, g: number, b: number): Colour {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max < 50 || max - min < 0.4 * max) return Colour.None;
  const d = max - min;
  let hue: number;
  if (max === r) hue = (60 * ((g - b) / d) + 360) % 360;
  else if (max === g) hue = 60 * ((b - r) / d) + 120;
  else hue = 60 * ((r - g) / d) + 240;
  if (hue < 18 || hue >= 330) return Colour.Red;
  if (hue >= 36 && hue < 72) return Colour.Yellow;
  if (hue >= 85 && hue < 170) return Colour.Green;
  if (hue >= 190 && hue < 260) return Colour.Blue;
  return Colour.None;
}

export function findSignRegions(frame: Raster): Box[] {
  const w = frame.width >> 1;
  const h = frame.height >> 1;
  const src = frame.data;
  const mask = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // 2×2 average: halves the work and the JPEG noise.
      const i = (2 * y * frame.width + 2 * x) * 3;
      const j = i + frame.width * 3;
      mask[y * w + x] = colourOf((src[i]! + src[i + 3]! + src[j]! + src[j + 3]!) >> 2, (src[i + 1]! + src[i + 4]! + src[j + 1]! + src[j + 4]!) >> 2, (src[i + 2]! + src[i + 5]! + src[j + 2]! + src[j + 5]!) >> 2);
    }
  }
  const seen = new Uint8Array(w * h);
  const stack = new Int32Array(w * h);
  const boxes: (Box & { pixels: number })[] = [];
  for (let start = 0; start < w * h; start++) {
    const colour = mask[start]!;
    if (colour === Colour.None || seen[start]) continue;
    // Flood fill with 8-neighbours, so thin rings and borders of small signs stay one component.
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    let x0 = w;
    let y0 = h;
    let x1 = -1;
    let y1 = -1;
    let pixels = 0;
    while (top > 0) {
      const p = stack[--top]!;
      const px = p % w;
      const py = (p - px) / w;
      pixels++;
      if (px < x0) x0 = px;
      if (px > x1) x1 = px;
      if (py < y0) y0 = py;
      if (py > y1) y1 = py;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = py + dy;
        if (ny < 0 || ny >= h) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = px + dx;
          if (nx < 0 || nx >= w) continue;
          const q = ny * w + nx;
          if (!seen[q] && mask[q] === colour) {
            seen[q] = 1;
            stack[top++] = q;
          }
        }
      }
    }
    const bw = (x1 - x0 + 1) * 2;
    const bh = (y1 - y0 + 1) * 2;
    if (pixels * 4 < REGION_LIMITS.minPixels) continue;
    if (Math.min(bw, bh) < REGION_LIMITS.minSide || Math.max(bw, bh) > REGION_LIMITS.maxSide) continue;
    if (bw > 2.2 * bh || bh > 2.2 * bw) continue;
    if (pixels * 4 < 0.12 * bw * bh) continue;
    boxes.push({ ...squareAround(x0 * 2, y0 * 2, bw, bh, frame.width, frame.height), pixels });
  }
  return keepDistinct(boxes).slice(0, REGION_LIMITS.maxCandidates);
}

/** A square box around a component, padded, kept inside the frame. */
function squareAround(x: number, y: number, w: number, h: number, frameW: number, frameH: number): Box {
  const side = Math.min(Math.round(Math.max(w, h) * REGION_LIMITS.padding), frameW, frameH);
  const cx = x + w / 2;
  const cy = y + h / 2;
  const bx = Math.round(Math.max(0, Math.min(frameW - side, cx - side / 2)));
  const by = Math.round(Math.max(0, Math.min(frameH - side, cy - side / 2)));
  return { x: bx, y: by, w: side, h: side };
}

/** Largest first; a box mostly inside a kept one (text, a border's other colour) is the same sign. */
function keepDistinct(boxes: readonly (Box & { pixels: number })[]): Box[] {
  const kept: Box[] = [];
  for (const b of [...boxes].sort((p, q) => q.w * q.h - p.w * p.h)) {
    const inside = kept.some((k) => {
      const ix = Math.max(0, Math.min(k.x + k.w, b.x + b.w) - Math.max(k.x, b.x));
      const iy = Math.max(0, Math.min(k.y + k.h, b.y + b.h) - Math.max(k.y, b.y));
      return ix * iy > 0.6 * b.w * b.h;
    });
    if (!inside) kept.push({ x: b.x, y: b.y, w: b.w, h: b.h });
  }
  return kept;
}
