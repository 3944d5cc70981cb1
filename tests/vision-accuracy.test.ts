// The committed sign model (models/signs/signnet.onnx) on seeds it was never trained or checked on:
// crops from fresh synthetic frames, and full camera frames through detection and train-control's
// rule. The bar is 95 % for both. Also: the simulator is reproducible from its seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandAccuracy, cropAccuracy } from '../src/vision/evaluate.js';
import { encodeJpeg } from '../src/vision/jpeg.js';
import { DEFAULT_SIGN_MODEL_PATH, MODEL_CLASSES } from '../src/vision/model-spec.js';
import { SignClassifier } from '../src/vision/sign-classifier.js';
import { TrackRun } from '../src/vision/track-run.js';
import { buildCropSet } from '../src/vision/training-set.js';

let classifier: SignClassifier;
beforeAll(async () => {
  classifier = await SignClassifier.load(DEFAULT_SIGN_MODEL_PATH);
});
afterAll(async () => {
  await classifier?.close();
});

describe('the sign model', () => {
  it('classifies ≥ 95 % of crops from fresh synthetic frames (seed 101) right, every class included', async () => {
    const set = await buildCropSet(101, 120);
    const result = await cropAccuracy(classifier, set);
    console.log(`held-out crops, seed 101: ${(result.accuracy * 100).toFixed(2)} % of ${result.count}`);
    for (const label of MODEL_CLASSES) expect(set.perClass[label], label).toBeGreaterThan(20);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
  }, 60_000);

  it('gives the right command on ≥ 95 % of full camera frames with a sign (seed 102), and go on ≥ 95 % without', async () => {
    const result = await commandAccuracy(classifier, 102, 300);
    console.log(`camera frames, seed 102: ${result.signFramesCorrect}/${result.signFrames} frames with a sign right, go on ${result.otherFramesCorrect}/${result.otherFrames} without`);
    expect(result.signFrames).toBeGreaterThan(150);
    expect(result.accuracy).toBeGreaterThanOrEqual(0.95);
    expect(result.otherFramesCorrect / result.otherFrames).toBeGreaterThanOrEqual(0.95);
  }, 60_000);
});

describe('the camera simulator', () => {
  it('makes the same frames from the same seed, and other frames from another seed', async () => {
    const a = await encodeJpeg((await new TrackRun(7).frame(42)).raster);
    const b = await encodeJpeg((await new TrackRun(7).frame(42)).raster);
    const c = await encodeJpeg((await new TrackRun(8).frame(42)).raster);
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('shows every command sign, growing as the train nears it, with gaps between signs', async () => {
    const run = new TrackRun(7);
    const seen = new Set<string>();
    let gaps = 0;
    let grew = 0;
    let last: number | undefined;
    for (let seq = 0; seq < 300; seq++) {
      const p = run.placement(seq);
      if (!p) {
        gaps++;
        last = undefined;
        continue;
      }
      seen.add(p.design);
      if (last !== undefined && p.size > last) grew++;
      last = p.size;
    }
    expect([...seen]).toEqual(expect.arrayContaining(['stop', 'slow', 'go']));
    expect(gaps).toBeGreaterThan(10);
    expect(grew).toBeGreaterThan(150);
  });
});
