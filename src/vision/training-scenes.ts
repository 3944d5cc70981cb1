import { FRAME_HEIGHT, FRAME_WIDTH } from './frame-spec.js';
import type { Random } from './random.js';
import type { Raster } from './raster.js';
import { randomBackdrop, randomCamera, renderScene, truthOf, type SignPlacement, type SignTruth } from './scene.js';
import { DISTRACTOR_SIGNS, loadSignSprites, SIGN_LABELS, type SignDesign } from './sign-designs.js';

export interface TrainingScene {
  readonly raster: Raster;
  readonly truth: readonly SignTruth[];
}

/**
 * A frame for training: the camera's scenery with up to three command signs and up to two other
 * signs anywhere, at any size the camera can show (18–170 px), tilted, over varied light and noise.
 */
export async function trainingScene(rng: Random): Promise<TrainingScene> {
  const sprites = await loadSignSprites();
  const signs: SignPlacement[] = [];
  const wanted: SignDesign[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) wanted.push(rng.pick(SIGN_LABELS));
  for (let i = rng.int(0, 2); i > 0; i--) wanted.push(rng.pick(DISTRACTOR_SIGNS));
  for (const design of wanted) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const size = 18 * (170 / 18) ** rng.next();
      const cx = rng.range(size / 2, FRAME_WIDTH - size / 2);
      const cy = rng.range(size / 2, FRAME_HEIGHT - size / 2);
      // Apart from the others, so each sign's crop shows one sign.
      if (signs.some((s) => Math.abs(s.cx - cx) < (s.size + size) * 0.6 && Math.abs(s.cy - cy) < (s.size + size) * 0.6)) continue;
      signs.push({ design, cx, cy, size, angle: rng.range(-0.22, 0.22), pole: rng.chance(0.6) });
      break;
    }
  }
  const backdrop = randomBackdrop(rng);
  return { raster: renderScene(sprites, backdrop, signs, randomCamera(rng), rng, rng.next()), truth: truthOf(signs) };
}
