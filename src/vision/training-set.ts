import { CROP_VALUES, writeCrop } from './crop.js';
import { iou } from './frame-spec.js';
import { decodeImage, encodeJpeg } from './jpeg.js';
import { MODEL_CLASSES } from './model-spec.js';
import { Random } from './random.js';
import { findSignRegions } from './regions.js';
import { trainingScene } from './training-scenes.js';

/** Labelled crops, laid out as the model reads them, with counts per class. */
export interface CropSet {
  readonly crops: Float32Array;
  /** Index into MODEL_CLASSES, one per crop. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly perClass: Record<string, number>;
  /** Command signs drawn, and how many of them the region finder boxed. */
  readonly signs: number;
  readonly signsFound: number;
}

/** A candidate overlapping a sign at least this much shows that sign; below SKIP_IOU it shows none. */
const SIGN_IOU = 0.45;
const SKIP_IOU = 0.15;

/**
 * Makes labelled crops the way the function will see them: synthetic frames (seeded), JPEG at a
 * random quality, decoded, boxed by the region finder, and each box labelled by its overlap with
 * the signs drawn. Boxes that half-cover a sign are left out, as neither answer would be right.
 */
export async function buildCropSet(seed: number, frames: number): Promise<CropSet> {
  const rng = new Random(seed);
  const chunks: Float32Array[] = [];
  const labels: number[] = [];
  let signs = 0;
  let signsFound = 0;
  for (let f = 0; f < frames; f++) {
    const scene = await trainingScene(rng);
    const frame = await decodeImage(await encodeJpeg(scene.raster, rng.int(55, 92)));
    const boxes = findSignRegions(frame);
    signs += scene.truth.length;
    signsFound += scene.truth.filter((t) => boxes.some((b) => iou(b, t.box) >= SIGN_IOU)).length;
    for (const box of boxes) {
      let best = 0;
      let label = 0;
      for (const t of scene.truth) {
        const overlap = iou(box, t.box);
        if (overlap > best) {
          best = overlap;
          label = MODEL_CLASSES.indexOf(t.label);
        }
      }
      if (best >= SKIP_IOU && best < SIGN_IOU) continue;
      const crop = new Float32Array(CROP_VALUES);
      writeCrop(frame, box, crop);
      chunks.push(crop);
      labels.push(best >= SIGN_IOU ? label : 0);
    }
  }
  const crops = new Float32Array(chunks.length * CROP_VALUES);
  chunks.forEach((c, i) => crops.set(c, i * CROP_VALUES));
  const perClass = Object.fromEntries(MODEL_CLASSES.map((name, i) => [name, labels.filter((l) => l === i).length]));
  return { crops, labels: Uint8Array.from(labels), count: labels.length, perClass, signs, signsFound };
}
