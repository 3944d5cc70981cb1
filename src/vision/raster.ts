import type { Random } from './random.js';

/** An RGB image, 3 bytes a pixel, row by row: what sharp decodes a JPEG to with `.raw()`. */
export interface Raster {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** An RGBA image with premultiplied alpha: a rendered sign. */
export interface Sprite {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

export type Rgb = readonly [number, number, number];

export function createRaster(width: number, height: number): Raster {
  return { width, height, data: new Uint8ClampedArray(width * height * 3) };
}

export function fillRect(r: Raster, x0: number, y0: number, w: number, h: number, [cr, cg, cb]: Rgb): void {
  const xa = Math.max(0, Math.round(x0));
  const ya = Math.max(0, Math.round(y0));
  const xb = Math.min(r.width, Math.round(x0 + w));
  const yb = Math.min(r.height, Math.round(y0 + h));
  for (let y = ya; y < yb; y++) {
    for (let x = xa; x < xb; x++) {
      const i = (y * r.width + x) * 3;
      r.data[i] = cr;
      r.data[i + 1] = cg;
      r.data[i + 2] = cb;
    }
  }
}

/** A vertical gradient from `top` (at y0) to `bottom` (at y1), over the full width. */
export function fillGradient(r: Raster, y0: number, y1: number, top: Rgb, bottom: Rgb): void {
  for (let y = Math.max(0, y0); y < Math.min(r.height, y1); y++) {
    const t = (y - y0) / Math.max(1, y1 - y0);
    fillRect(r, 0, y, r.width, 1, [top[0] + (bottom[0] - top[0]) * t, top[1] + (bottom[1] - top[1]) * t, top[2] + (bottom[2] - top[2]) * t]);
  }
}

export function fillEllipse(r: Raster, cx: number, cy: number, rx: number, ry: number, [cr, cg, cb]: Rgb): void {
  for (let y = Math.max(0, Math.floor(cy - ry)); y <= Math.min(r.height - 1, Math.ceil(cy + ry)); y++) {
    for (let x = Math.max(0, Math.floor(cx - rx)); x <= Math.min(r.width - 1, Math.ceil(cx + rx)); x++) {
      const dx = (x - cx) / rx;
      const dy = (y - cy) / ry;
      if (dx * dx + dy * dy > 1) continue;
      const i = (y * r.width + x) * 3;
      r.data[i] = cr;
      r.data[i + 1] = cg;
      r.data[i + 2] = cb;
    }
  }
}

/** A filled polygon (even-odd rule), scanned over its bounding box. */
export function fillPolygon(r: Raster, points: readonly (readonly [number, number])[], [cr, cg, cb]: Rgb): void {
  const ys = points.map((p) => p[1]);
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(r.height - 1, Math.ceil(Math.max(...ys)));
  for (let y = y0; y <= y1; y++) {
    const py = y + 0.5;
    const xs: number[] = [];
    for (let i = 0; i < points.length; i++) {
      const [ax, ay] = points[i]!;
      const [bx, by] = points[(i + 1) % points.length]!;
      if (ay <= py !== by <= py) xs.push(ax + ((py - ay) / (by - ay)) * (bx - ax));
    }
    xs.sort((a, b) => a - b);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      for (let x = Math.max(0, Math.round(xs[k]!)); x < Math.min(r.width, Math.round(xs[k + 1]!)); x++) {
        const i = (y * r.width + x) * 3;
        r.data[i] = cr;
        r.data[i + 1] = cg;
        r.data[i + 2] = cb;
      }
    }
  }
}

/**
 * Draws `sprite` centred at (cx, cy), scaled so that its width is `size` pixels and turned by
 * `angle` radians: inverse mapping with bilinear sampling of the premultiplied sprite, then "over".
 */
export function drawSprite(r: Raster, sprite: Sprite, cx: number, cy: number, size: number, angle: number): void {
  const scale = sprite.width / size;
  const cos = Math.cos(angle) * scale;
  const sin = Math.sin(angle) * scale;
  const reach = size * 0.75;
  const sw = sprite.width;
  const sh = sprite.height;
  const s = sprite.data;
  const d = r.data;
  for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(r.height - 1, Math.ceil(cy + reach)); y++) {
    const dy = y + 0.5 - cy;
    for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(r.width - 1, Math.ceil(cx + reach)); x++) {
      const dx = x + 0.5 - cx;
      const u = cos * dx + sin * dy + sw / 2 - 0.5;
      const v = -sin * dx + cos * dy + sh / 2 - 0.5;
      if (u < -0.5 || v < -0.5 || u > sw - 0.5 || v > sh - 0.5) continue;
      const x0 = Math.max(0, Math.min(sw - 1, Math.floor(u)));
      const y0 = Math.max(0, Math.min(sh - 1, Math.floor(v)));
      const x1 = Math.min(sw - 1, x0 + 1);
      const y1 = Math.min(sh - 1, y0 + 1);
      const fx = Math.max(0, Math.min(1, u - x0));
      const fy = Math.max(0, Math.min(1, v - y0));
      const w00 = (1 - fx) * (1 - fy);
      const w01 = fx * (1 - fy);
      const w10 = (1 - fx) * fy;
      const w11 = fx * fy;
      const i00 = (y0 * sw + x0) * 4;
      const i01 = (y0 * sw + x1) * 4;
      const i10 = (y1 * sw + x0) * 4;
      const i11 = (y1 * sw + x1) * 4;
      const alpha = (s[i00 + 3]! * w00 + s[i01 + 3]! * w01 + s[i10 + 3]! * w10 + s[i11 + 3]! * w11) / 255;
      if (alpha <= 0.002) continue;
      const i = (y * r.width + x) * 3;
      for (let c = 0; c < 3; c++) d[i + c] = d[i + c]! * (1 - alpha) + s[i00 + c]! * w00 + s[i01 + c]! * w01 + s[i10 + c]! * w10 + s[i11 + c]! * w11;
    }
  }
}

/** Premultiplies a straight-alpha RGBA image in place, for drawSprite. */
export function premultiply(data: Uint8ClampedArray): void {
  for (let i = 0; i < data.length; i += 4) {
    const a = data[i + 3]! / 255;
    data[i] = data[i]! * a;
    data[i + 1] = data[i + 1]! * a;
    data[i + 2] = data[i + 2]! * a;
  }
}

/** A fixed table of normal noise: indexing it from a random start is far cheaper than drawing each value. */
const NOISE = (() => {
  let seed = 12345;
  const next = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const table = new Float32Array(1 << 16);
  for (let i = 0; i < table.length; i++) table[i] = (next() + next() + next() + next() - 2) * 1.732;
  return table;
})();

/** Camera effects: overall exposure, a colour cast per channel, and sensor noise. */
export function applyCamera(r: Raster, rng: Random, gain: number, cast: Rgb, noise: number): void {
  const d = r.data;
  const g0 = gain * cast[0];
  const g1 = gain * cast[1];
  const g2 = gain * cast[2];
  const mask = NOISE.length - 1;
  let k = rng.int(0, mask);
  const stride = 2 * rng.int(1, 5000) + 1;
  for (let i = 0; i < d.length; i += 3) {
    d[i] = d[i]! * g0 + NOISE[k & mask]! * noise;
    d[i + 1] = d[i + 1]! * g1 + NOISE[(k + 1) & mask]! * noise;
    d[i + 2] = d[i + 2]! * g2 + NOISE[(k + 2) & mask]! * noise;
    k += stride;
  }
}
