import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { CROP_SIZE, CROP_VALUES } from './crop.js';
import { MODEL_CLASSES, MODEL_INPUT, MODEL_OUTPUT, type ModelClass } from './model-spec.js';

export interface CropClass {
  readonly label: ModelClass;
  readonly score: number;
}

/**
 * The trained sign model (ONNX) under onnxruntime-node's CPU provider. Load it once and keep it:
 * opening a session parses the graph and plans its memory, which is far dearer than a run.
 */
export class SignClassifier {
  private constructor(
    private readonly session: ort.InferenceSession,
    /** Model name and the first 12 hex digits of the file's SHA-256: which weights answered. */
    readonly version: string,
  ) {}

  /** `file` relative to the process's working folder (the project, or /workspace in the image). */
  static async load(file: string): Promise<SignClassifier> {
    const absolute = path.resolve(file);
    const bytes = await readFile(absolute).catch((err: NodeJS.ErrnoException) => {
      throw new Error(`cannot read the sign model ${absolute} (${err.code ?? err.message}); run \`npm run train\` or set SIGN_MODEL_PATH`);
    });
    // One thread: instances scale out as processes, and a small model gains nothing from more.
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
    const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    return new SignClassifier(session, `${path.basename(absolute, '.onnx')}@${digest}`);
  }

  /** Classifies `count` crops laid out one after the other in `crops` (see writeCrop), in one run. */
  async classify(crops: Float32Array, count: number): Promise<CropClass[]> {
    if (count === 0) return [];
    const input = new ort.Tensor('float32', crops.subarray(0, count * CROP_VALUES), [count, CROP_SIZE, CROP_SIZE, 3]);
    const output = (await this.session.run({ [MODEL_INPUT]: input }))[MODEL_OUTPUT]!;
    const probabilities = output.data as Float32Array;
    const classes = MODEL_CLASSES.length;
    const out: CropClass[] = [];
    for (let i = 0; i < count; i++) {
      let best = 0;
      for (let c = 1; c < classes; c++) if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
      out.push({ label: MODEL_CLASSES[best]!, score: probabilities[i * classes + best]! });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
