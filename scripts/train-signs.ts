// npm run train: makes labelled sign crops from synthetic frames, trains a small classifier on the
// tfjs WebAssembly backend, exports it to ONNX, checks it under onnxruntime-node on a held-out set
// (another seed) and on full camera frames, and writes the model card. Seeded end to end.
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { CROP_SIZE, CROP_VALUES } from '../src/vision/crop.js';
import { commandAccuracy, cropAccuracy, type CommandAccuracy, type CropAccuracy } from '../src/vision/evaluate.js';
import { DEFAULT_SIGN_MODEL_PATH, MODEL_CLASSES } from '../src/vision/model-spec.js';
import { Random } from '../src/vision/random.js';
import { SignClassifier } from '../src/vision/sign-classifier.js';
import { buildCropSet, type CropSet } from '../src/vision/training-set.js';
import { signnetOnnx, type DenseLayer } from './signnet-onnx.js';

/** Everything that decides the weights; the model card repeats it. */
const RECIPE = {
  trainSeed: 1,
  trainFrames: 1200,
  holdoutSeed: 2,
  holdoutFrames: 300,
  trackSeed: 3,
  trackFrames: 600,
  weightSeed: 42,
  hidden: 32,
  epochs: 10,
  batchSize: 64,
  learningRate: 0.001,
} as const;

const MODEL_FILE = process.env.SIGN_MODEL_PATH ?? DEFAULT_SIGN_MODEL_PATH;
const CARD_FILE = path.join(path.dirname(MODEL_FILE), 'MODEL_CARD.md');

function log(message: string): void {
  process.stdout.write(`${message}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const require = createRequire(import.meta.url);
  setWasmPaths(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep);
  await tf.setBackend('wasm');

  let t = performance.now();
  const train = await buildCropSet(RECIPE.trainSeed, RECIPE.trainFrames);
  const holdout = await buildCropSet(RECIPE.holdoutSeed, RECIPE.holdoutFrames);
  const dataSeconds = (performance.now() - t) / 1000;
  log(`data: ${train.count} training crops ${JSON.stringify(train.perClass)}, ${holdout.count} held-out ${JSON.stringify(holdout.perClass)} in ${dataSeconds.toFixed(1)} s`);

  t = performance.now();
  const [hidden, output] = await fit(train);
  const trainSeconds = (performance.now() - t) / 1000;

  const bytes = signnetOnnx(hidden, output, {
    classes: MODEL_CLASSES.join(','),
    input: `crops [N,${CROP_SIZE},${CROP_SIZE},3] HWC, RGB/255 standardised per crop`,
    recipe: JSON.stringify(RECIPE),
  });
  await mkdir(path.dirname(MODEL_FILE), { recursive: true });
  await writeFile(MODEL_FILE, bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  log(`model: ${MODEL_FILE}, ${(bytes.length / 1024).toFixed(0)} KiB, sha256 ${sha256}, trained in ${trainSeconds.toFixed(1)} s`);

  // The checks run the exported ONNX file under onnxruntime-node: what frame-infer serves.
  const classifier = await SignClassifier.load(MODEL_FILE);
  const crops = await cropAccuracy(classifier, holdout);
  log(`held-out crops (seed ${RECIPE.holdoutSeed}): accuracy ${(crops.accuracy * 100).toFixed(2)} % of ${crops.count}`);
  const frames = await commandAccuracy(classifier, RECIPE.trackSeed, RECIPE.trackFrames);
  log(`camera frames (seed ${RECIPE.trackSeed}): right command on ${frames.signFramesCorrect}/${frames.signFrames} frames with a sign (${(frames.accuracy * 100).toFixed(2)} %), go on ${frames.otherFramesCorrect}/${frames.otherFrames} without`);
  await classifier.close();
  await writeFile(CARD_FILE, modelCard({ train, holdout, crops, frames, sha256, size: bytes.length, dataSeconds, trainSeconds, totalSeconds: (performance.now() - started) / 1000 }));
  log(`model card: ${CARD_FILE}`);
}

/** An MLP, 3072 → hidden (ReLU) → classes (softmax), trained with Adam; returns its two layers. */
async function fit(set: CropSet): Promise<[DenseLayer, DenseLayer]> {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [CROP_VALUES], units: RECIPE.hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: RECIPE.weightSeed }) }),
      tf.layers.dense({ units: MODEL_CLASSES.length, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: RECIPE.weightSeed + 1 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(RECIPE.learningRate), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const order = new Random(RECIPE.weightSeed);
  const x = tf.tensor2d(set.crops, [set.count, CROP_VALUES]);
  const y = tf.oneHot(tf.tensor1d(Array.from(set.labels), 'int32'), MODEL_CLASSES.length);
  for (let epoch = 0; epoch < RECIPE.epochs; epoch++) {
    // Our own seeded shuffle each epoch: tfjs's would not be reproducible.
    const index = tf.tensor1d(order.shuffle(Array.from({ length: set.count }, (_, i) => i)), 'int32');
    const [xs, ys] = [tf.gather(x, index), tf.gather(y, index)];
    const history = await model.fit(xs, ys, { epochs: 1, batchSize: RECIPE.batchSize, shuffle: false, verbose: 0 });
    log(`epoch ${epoch + 1}/${RECIPE.epochs}: loss ${(history.history.loss![0] as number).toFixed(4)}, accuracy ${((history.history.acc ?? history.history.accuracy)![0] as number).toFixed(4)}`);
    tf.dispose([index, xs, ys]);
  }
  const layer = async (i: number): Promise<DenseLayer> => {
    const [kernel, bias] = model.layers[i]!.getWeights();
    return { kernel: (await kernel!.data()) as Float32Array, bias: (await bias!.data()) as Float32Array, inputs: kernel!.shape[0]!, units: kernel!.shape[1]! };
  };
  return [await layer(0), await layer(1)];
}

interface CardFacts {
  train: CropSet;
  holdout: CropSet;
  crops: CropAccuracy;
  frames: CommandAccuracy;
  sha256: string;
  size: number;
  dataSeconds: number;
  trainSeconds: number;
  totalSeconds: number;
}

function modelCard(f: CardFacts): string {
  const pct = (x: number) => `${(x * 100).toFixed(2)} %`;
  const confusion = [
    `| truth \\ predicted | ${MODEL_CLASSES.join(' | ')} |`,
    `|---|${MODEL_CLASSES.map(() => '---:').join('|')}|`,
    ...MODEL_CLASSES.map((t) => `| ${t} | ${MODEL_CLASSES.map((p) => f.crops.confusion[t]![p]).join(' | ')} |`),
  ].join('\n');
  return `# signnet — the track-sign classifier of frame-infer

Written by \`npm run train\` (scripts/train-signs.ts); do not edit by hand.

| | |
|---|---|
| file | \`${MODEL_FILE}\`, ${(f.size / 1024).toFixed(0)} KiB, sha256 \`${f.sha256}\` |
| version frame-infer reports | \`signnet@${f.sha256.slice(0, 12)}\` |
| classes | ${MODEL_CLASSES.map((c) => `\`${c}\``).join(', ')} (background = any region that is no command sign) |
| input | \`crops\` float32 [N, ${CROP_SIZE}, ${CROP_SIZE}, 3], RGB/255, standardised per crop (mean 0, deviation 1 over all channels) |
| output | \`probabilities\` float32 [N, ${MODEL_CLASSES.length}] (softmax) |
| architecture | MLP: ${CROP_VALUES} → ${RECIPE.hidden} (ReLU) → ${MODEL_CLASSES.length} (softmax); ONNX opset 17, written by hand with onnx-proto |
| training | tfjs 4.22 WebAssembly backend, Adam lr ${RECIPE.learningRate}, batch ${RECIPE.batchSize}, ${RECIPE.epochs} epochs, weights seed ${RECIPE.weightSeed}; ${f.trainSeconds.toFixed(1)} s (data ${f.dataSeconds.toFixed(1)} s, whole run ${f.totalSeconds.toFixed(0)} s on a shared 2-core machine) |

## Data
Synthetic, made by this repository (src/vision/): the same sign designs the camera simulator draws
(src/vision/sign-designs.ts), on generated track scenery with random horizon, sky, ground, bushes,
huts and containers; 1–3 command signs and 0–2 other signs (a blue parking board and a red yield
triangle, both labelled background) a frame, 18–170 px wide, tilted up to ±13°, exposure ×0.65–1.25,
a colour cast of ±7 % per channel, sensor noise, JPEG quality 55–92. Crops are the boxes the
region finder (src/vision/regions.ts) returns, labelled by overlap with the drawn signs (IoU ≥ 0.45
is that sign, < 0.15 is background, in between is left out).

| set | seed | frames | crops | ${MODEL_CLASSES.join(' | ')} | signs boxed by the region finder |
|---|---:|---:|---:|${MODEL_CLASSES.map(() => '---:').join('|')}|---:|
| training | ${RECIPE.trainSeed} | ${RECIPE.trainFrames} | ${f.train.count} | ${MODEL_CLASSES.map((c) => f.train.perClass[c]).join(' | ')} | ${f.train.signsFound}/${f.train.signs} |
| held out | ${RECIPE.holdoutSeed} | ${RECIPE.holdoutFrames} | ${f.holdout.count} | ${MODEL_CLASSES.map((c) => f.holdout.perClass[c]).join(' | ')} | ${f.holdout.signsFound}/${f.holdout.signs} |

## Accuracy (the exported ONNX file under onnxruntime-node)
- **Held-out crops** (seed ${RECIPE.holdoutSeed}): **${pct(f.crops.accuracy)}** of ${f.crops.count}.

${confusion}

- **Full camera frames** (the simulator, \`TrackRun\` seed ${RECIPE.trackSeed}, ${RECIPE.trackFrames} frames, JPEG q80, region finder + model +
  train-control's rule): the right command on **${f.frames.signFramesCorrect}/${f.frames.signFrames} frames with a command sign
  (${pct(f.frames.accuracy)})**; \`go\` on ${f.frames.otherFramesCorrect}/${f.frames.otherFrames} frames with none (gaps, parking and yield signs).

Reproduce: \`npm run train\` (same seeds, same file on the same machine and fonts). The accuracy test,
\`npx vitest run tests/vision-accuracy.test.ts\`, checks the committed file on fresh seeds.

## Limits
Synthetic data only: five sign designs drawn by one renderer (librsvg, DejaVu Sans), flat scenery,
no motion blur, rain, night or occlusion. It has never seen a real photograph and is not meant to.
Signs narrower than about 18 px, or so close that they pass ${200} px, are not boxed by the region
finder. Regions are found by colour, so a sign whose colours are washed out is missed.
`;
}

await main();
