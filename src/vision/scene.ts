import { FRAME_HEIGHT, FRAME_WIDTH, type Box } from './frame-spec.js';
import type { Random } from './random.js';
import { applyCamera, createRaster, drawSprite, fillEllipse, fillGradient, fillPolygon, fillRect, type Raster, type Rgb } from './raster.js';
import { SIGN_LABELS, spriteLevel, type SignDesign, type SignLabel, type SignSprite } from './sign-designs.js';

/** A sign in a scene: centre, width in pixels, tilt in radians, and whether a pole holds it up. */
export interface SignPlacement {
  readonly design: SignDesign;
  readonly cx: number;
  readonly cy: number;
  readonly size: number;
  readonly angle: number;
  readonly pole: boolean;
}

type Clutter =
  | { kind: 'bush'; x: number; y: number; rx: number; ry: number; colour: Rgb }
  | { kind: 'block'; x: number; y: number; w: number; h: number; colour: Rgb; roof?: Rgb };

/** What stays the same while the train passes one stretch of track: light, ground, what stands by it. */
export interface Backdrop {
  readonly horizon: number;
  readonly skyTop: Rgb;
  readonly skyBottom: Rgb;
  readonly hills: Rgb;
  readonly hillPeaks: readonly number[];
  readonly ground: Rgb;
  readonly sleeper: Rgb;
  readonly clutter: readonly Clutter[];
}

export interface CameraSettings {
  readonly gain: number;
  readonly cast: Rgb;
  readonly noise: number;
}

/** A command sign the frame shows, where it is: the ground truth the tests and the model card use. */
export interface SignTruth {
  readonly label: SignLabel;
  readonly box: Box;
}

const grey = (rng: Random, lo: number, hi: number): Rgb => {
  const v = rng.range(lo, hi);
  return [v, v, v];
};
/** A colour of low saturation around `base`: scenery that the colour masks should mostly ignore. */
const muted = (rng: Random, base: Rgb, spread = 18): Rgb => [base[0] + rng.range(-spread, spread), base[1] + rng.range(-spread, spread), base[2] + rng.range(-spread, spread)];

export function randomBackdrop(rng: Random): Backdrop {
  const horizon = rng.int(130, 175);
  const clutter: Clutter[] = [];
  for (let i = rng.int(0, 4); i > 0; i--) {
    const y = rng.range(horizon + 5, FRAME_HEIGHT - 20);
    const near = (y - horizon) / (FRAME_HEIGHT - horizon);
    const side = rng.chance(0.5) ? rng.range(0, 160) : rng.range(440, FRAME_WIDTH);
    if (rng.chance(0.55)) {
      // Bushes: saturated greens, the same family as the go sign.
      const r = 8 + 45 * near * rng.range(0.6, 1.2);
      clutter.push({ kind: 'bush', x: side, y, rx: r * rng.range(0.9, 1.6), ry: r, colour: [rng.range(20, 70), rng.range(110, 170), rng.range(20, 70)] });
    } else {
      // Huts and containers: red, yellow or blue boxes that the masks will pick up.
      const w = 20 + 120 * near * rng.range(0.6, 1.2);
      const colour = rng.pick<Rgb>([[170, 45, 35], [200, 160, 30], [40, 80, 160], [150, 110, 80], [200, 200, 195]]);
      clutter.push({ kind: 'block', x: side - w / 2, y: y - w * 0.6, w, h: w * 0.6, colour, ...(rng.chance(0.5) ? { roof: rng.pick<Rgb>([[120, 40, 30], [70, 70, 75]]) } : {}) });
    }
  }
  return {
    horizon,
    skyTop: muted(rng, [150, 175, 205], 20),
    skyBottom: muted(rng, [205, 215, 225], 15),
    hills: muted(rng, [110, 125, 105], 15),
    hillPeaks: Array.from({ length: 7 }, () => rng.range(8, 45)),
    ground: muted(rng, [125, 115, 100], 20),
    sleeper: muted(rng, [85, 65, 50], 10),
    clutter,
  };
}

export function randomCamera(rng: Random): CameraSettings {
  return { gain: rng.range(0.65, 1.25), cast: [rng.range(0.93, 1.07), rng.range(0.93, 1.07), rng.range(0.93, 1.07)], noise: rng.range(0, 7) };
}

/** Paints a frame: sky, hills, ballast and rails to the vanishing point, what stands by the track, the signs, then the camera. */
export function renderScene(sprites: Record<SignDesign, SignSprite>, backdrop: Backdrop, signs: readonly SignPlacement[], camera: CameraSettings, rng: Random, trackPhase = 0): Raster {
  const r = createRaster(FRAME_WIDTH, FRAME_HEIGHT);
  const { horizon } = backdrop;
  fillGradient(r, 0, horizon, backdrop.skyTop, backdrop.skyBottom);
  const hills: [number, number][] = [[0, horizon]];
  backdrop.hillPeaks.forEach((h, i) => hills.push([(i + 0.5) * (FRAME_WIDTH / backdrop.hillPeaks.length), horizon - h]));
  hills.push([FRAME_WIDTH, horizon]);
  fillPolygon(r, hills, backdrop.hills);
  fillGradient(r, horizon, FRAME_HEIGHT, backdrop.ground, [backdrop.ground[0] * 0.8, backdrop.ground[1] * 0.8, backdrop.ground[2] * 0.8]);
  drawTrack(r, backdrop, trackPhase);
  for (const c of backdrop.clutter) {
    if (c.kind === 'bush') fillEllipse(r, c.x, c.y, c.rx, c.ry, c.colour);
    else {
      fillRect(r, c.x, c.y, c.w, c.h, c.colour);
      if (c.roof) fillPolygon(r, [[c.x - 3, c.y], [c.x + c.w / 2, c.y - c.h * 0.5], [c.x + c.w + 3, c.y]], c.roof);
    }
  }
  // Far signs first, so a near one covers them.
  for (const s of [...signs].sort((a, b) => a.size - b.size)) {
    if (s.pole) fillRect(r, s.cx - s.size * 0.04, s.cy, s.size * 0.08, Math.min(FRAME_HEIGHT, s.cy + s.size * 1.6) - s.cy, [95, 95, 100]);
    drawSprite(r, spriteLevel(sprites[s.design], s.size), s.cx, s.cy, s.size, s.angle);
  }
  applyCamera(r, rng, camera.gain, camera.cast, camera.noise);
  return r;
}

function drawTrack(r: Raster, b: Backdrop, phase: number): void {
  const vx = FRAME_WIDTH / 2;
  const depth = FRAME_HEIGHT - b.horizon;
  // Sleepers, spaced by perspective (screen depth ~ 1/distance), sliding nearer as the train runs.
  for (let k = 0; k < 30; k++) {
    const distance = 1 + (k + 1 - (phase % 1)) * 0.45;
    const y = b.horizon + depth / distance;
    const half = (y - b.horizon) * 0.75 + 2;
    fillRect(r, vx - half, y, half * 2, Math.max(1, (y - b.horizon) * 0.05), b.sleeper);
  }
  for (const side of [-1, 1]) {
    fillPolygon(r, [[vx + side * 3, b.horizon], [vx + side * 4, b.horizon], [vx + side * 135, FRAME_HEIGHT], [vx + side * 123, FRAME_HEIGHT]], [60, 60, 65]);
  }
}

/** The ground truth of a frame: each command sign with its box (distractor signs are no command). */
export function truthOf(signs: readonly SignPlacement[]): SignTruth[] {
  return signs.flatMap((s) =>
    (SIGN_LABELS as readonly string[]).includes(s.design) ? [{ label: s.design as SignLabel, box: { x: s.cx - s.size / 2, y: s.cy - s.size / 2, w: s.size, h: s.size } }] : [],
  );
}
