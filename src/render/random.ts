/**
 * The path tracer's random numbers, seeded by pixel and sample index only — never by tile — so a
 * pixel gets the same samples whichever tile (or full frame) it is rendered in. mulberry32 after a
 * murmur3-style mix of the three coordinates.
 */
export class PixelRandom {
  private state = 0;

  /** Restarts the sequence for sample `s` of pixel (x, y). */
  seed(x: number, y: number, s: number): void {
    let h = Math.imul(x + 0x632be5ab, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca77) ^ Math.imul(s + 0x165667b1, 0xc2b2ae3d);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    this.state = h >>> 0;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}
