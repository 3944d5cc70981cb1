import { CROP_VALUES, writeCrop } from './crop.js';
import type { Box } from './frame-spec.js';
import type { Raster } from './raster.js';
import { findSignRegions } from './regions.js';
import type { SignClassifier } from './sign-classifier.js';
import type { SignLabel } from './sign-designs.js';

export interface SignPrediction {
  readonly label: SignLabel;
  readonly score: number;
  readonly box: Box;
}

export interface Detection {
  readonly predictions: SignPrediction[];
  /** Candidate regions looked at (signs and background). */
  readonly candidates: number;
  readonly regionsMs: number;
  /** The model call alone: the bare inference time. */
  readonly modelMs: number;
}

/** Finds candidate regions, classifies their crops in one model run, keeps those that are signs. */
export async function detectSigns(frame: Raster, classifier: SignClassifier): Promise<Detection> {
  const t0 = performance.now();
  const boxes = findSignRegions(frame);
  const crops = new Float32Array(boxes.length * CROP_VALUES);
  boxes.forEach((box, i) => writeCrop(frame, box, crops, i * CROP_VALUES));
  const t1 = performance.now();
  const classes = await classifier.classify(crops, boxes.length);
  const t2 = performance.now();
  const predictions: SignPrediction[] = [];
  classes.forEach((c, i) => {
    if (c.label !== 'background') predictions.push({ label: c.label, score: Math.round(c.score * 1e4) / 1e4, box: boxes[i]! });
  });
  return { predictions, candidates: boxes.length, regionsMs: t1 - t0, modelMs: t2 - t1 };
}
