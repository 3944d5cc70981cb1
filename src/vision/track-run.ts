import { FRAME_WIDTH } from './frame-spec.js';
import { Random } from './random.js';
import type { Raster } from './raster.js';
import { randomBackdrop, randomCamera, renderScene, truthOf, type Backdrop, type SignPlacement, type SignTruth } from './scene.js';
import { DISTRACTOR_SIGNS, loadSignSprites, SIGN_LABELS, type SignDesign } from './sign-designs.js';

/**
 * The camera's view of a run along the track: stretches of track, each with one sign that comes
 * into view far away, grows as the train nears it and leaves the frame, then a gap with no sign.
 * Everything follows from the seed, so frame `seq` of a seed is the same frame on every run.
 */
export interface TrackFrame {
  readonly seq: number;
  readonly raster: Raster;
  /** The command signs in view (none between signs, or when the sign is a parking or yield sign). */
  readonly truth: readonly SignTruth[];
}

interface Stretch {
  readonly first: number;
  readonly approach: number;
  readonly gap: number;
  readonly design: SignDesign;
  readonly side: -1 | 1;
  readonly backdrop: Backdrop;
}

/** Sizes of a sign as the train nears it, in pixels (the smallest a 600×400 camera reads reliably). */
export const TRACK_SIGN_SIZES = { far: 24, near: 130 } as const;

export class TrackRun {
  private readonly stretches: Stretch[] = [];
  private readonly plan: Random;
  private bag: SignDesign[] = [];

  constructor(readonly seed: number) {
    this.plan = new Random(seed);
  }

  private stretchAt(seq: number): Stretch {
    for (;;) {
      const found = this.stretches.find((s) => seq >= s.first && seq < s.first + s.approach + s.gap);
      if (found) return found;
      const last = this.stretches.at(-1);
      const rng = this.plan;
      this.stretches.push({
        first: last ? last.first + last.approach + last.gap : 0,
        approach: rng.int(22, 34),
        gap: rng.int(4, 12),
        // Mostly command signs, each of the three in every round of three; now and then a sign that commands nothing.
        design: rng.chance(0.85) ? this.nextCommandSign() : rng.pick(DISTRACTOR_SIGNS),
        side: rng.chance(0.7) ? 1 : -1,
        backdrop: randomBackdrop(rng),
      });
    }
  }

  private nextCommandSign(): SignDesign {
    if (this.bag.length === 0) this.bag = this.plan.shuffle([...SIGN_LABELS]);
    return this.bag.pop()!;
  }

  /** Where the stretch's sign is at frame `seq`, or undefined in the gap after it. */
  placement(seq: number): SignPlacement | undefined {
    const s = this.stretchAt(seq);
    const k = seq - s.first;
    if (k >= s.approach) return undefined;
    const t = k / (s.approach - 1);
    const size = TRACK_SIGN_SIZES.far + (TRACK_SIGN_SIZES.near - TRACK_SIGN_SIZES.far) * t * t;
    const base = s.backdrop.horizon + 12 + (385 - s.backdrop.horizon - 12) * t * t;
    const cx = FRAME_WIDTH / 2 + s.side * (45 + 185 * t * t);
    const wobble = new Random(this.seed * 7919 + seq);
    return { design: s.design, cx, cy: base - size * 1.3, size, angle: wobble.range(-0.06, 0.06), pole: true };
  }

  async frame(seq: number): Promise<TrackFrame> {
    const sprites = await loadSignSprites();
    const stretch = this.stretchAt(seq);
    const sign = this.placement(seq);
    const signs = sign ? [sign] : [];
    const rng = new Random((this.seed * 1_000_003 + seq) >>> 0);
    const camera = randomCamera(rng);
    return { seq, raster: renderScene(sprites, stretch.backdrop, signs, camera, rng, seq * 0.4), truth: truthOf(signs) };
  }
}
