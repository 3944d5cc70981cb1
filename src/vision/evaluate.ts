import { decide } from '../../functions/train-control/rule.js';
import { CROP_VALUES } from './crop.js';
import { detectSigns } from './detect-signs.js';
import { decodeImage, encodeJpeg } from './jpeg.js';
import { MODEL_CLASSES } from './model-spec.js';
import type { SignClassifier } from './sign-classifier.js';
import { TrackRun } from './track-run.js';
import type { CropSet } from './training-set.js';

export interface CropAccuracy {
  readonly accuracy: number;
  readonly count: number;
  /** confusion[truth][predicted], counts. */
  readonly confusion: Record<string, Record<string, number>>;
}

/** Accuracy of the ONNX model on labelled crops (the held-out set). */
export async function cropAccuracy(classifier: SignClassifier, set: CropSet): Promise<CropAccuracy> {
  const confusion = Object.fromEntries(MODEL_CLASSES.map((t) => [t, Object.fromEntries(MODEL_CLASSES.map((p) => [p, 0]))])) as Record<string, Record<string, number>>;
  let correct = 0;
  const batch = 256;
  for (let start = 0; start < set.count; start += batch) {
    const n = Math.min(batch, set.count - start);
    const out = await classifier.classify(set.crops.subarray(start * CROP_VALUES, (start + n) * CROP_VALUES), n);
    out.forEach((c, i) => {
      const truth = MODEL_CLASSES[set.labels[start + i]!]!;
      confusion[truth]![c.label]!++;
      if (c.label === truth) correct++;
    });
  }
  return { accuracy: correct / set.count, count: set.count, confusion };
}

export interface CommandAccuracy {
  /** Frames showing a command sign, and those whose command came out right. */
  readonly signFrames: number;
  readonly signFramesCorrect: number;
  readonly accuracy: number;
  /** Frames with no command sign (gaps, parking and yield signs), and those that came out "go". */
  readonly otherFrames: number;
  readonly otherFramesCorrect: number;
  readonly wrong: readonly { seq: number; expected: string; got: string }[];
}

/**
 * Full frames from the camera simulator (seed `seed`), JPEG-encoded as the camera sends them, run
 * through detection and train-control's rule; the command is compared with the sign drawn.
 */
export async function commandAccuracy(classifier: SignClassifier, seed: number, frames: number): Promise<CommandAccuracy> {
  const run = new TrackRun(seed);
  let signFrames = 0;
  let signFramesCorrect = 0;
  let otherFrames = 0;
  let otherFramesCorrect = 0;
  const wrong: { seq: number; expected: string; got: string }[] = [];
  for (let seq = 0; seq < frames; seq++) {
    const { raster, truth } = await run.frame(seq);
    const decoded = await decodeImage(await encodeJpeg(raster));
    const { predictions } = await detectSigns(decoded, classifier);
    const expected = decide(truth.map((t) => ({ label: t.label, score: 1 }))).action;
    const got = decide(predictions).action;
    if (truth.length > 0) {
      signFrames++;
      if (got === expected) signFramesCorrect++;
    } else {
      otherFrames++;
      if (got === expected) otherFramesCorrect++;
    }
    if (got !== expected) wrong.push({ seq, expected, got });
  }
  return { signFrames, signFramesCorrect, accuracy: signFramesCorrect / signFrames, otherFrames, otherFramesCorrect, wrong };
}
