import { CloudEvent } from 'cloudevents';
import { BadEventError, dataValidator } from '../../src/function-kit/event-data.js';
import { detectSigns } from '../../src/vision/detect-signs.js';
import { FRAME_HEIGHT, FRAME_WIDTH } from '../../src/vision/frame-spec.js';
import { decodeImage, ImageSizeError } from '../../src/vision/jpeg.js';
import { DEFAULT_SIGN_MODEL_PATH } from '../../src/vision/model-spec.js';
import { SignClassifier } from '../../src/vision/sign-classifier.js';
import schema from './frame.captured.schema.json' with { type: 'json' };

interface FrameCaptured {
  readonly trainId: string;
  readonly seq: number;
  readonly width: number;
  readonly height: number;
  /** The JPEG, base64. */
  readonly image: string;
}

const readFrame = dataValidator<FrameCaptured>('dev.eventyard.frame.captured', schema);
let classifier: Promise<SignClassifier> | undefined;

/** Where the model file is, relative to the working folder: the project under `eventyard dev`, /workspace in the image. */
export function modelPath(): string {
  return process.env.SIGN_MODEL_PATH || DEFAULT_SIGN_MODEL_PATH;
}

/**
 * faas-js-runtime awaits `init` once, before the instance takes its first request: the model is
 * read and its ONNX session built then, never per event.
 */
export async function init(): Promise<void> {
  classifier ??= SignClassifier.load(modelPath());
  await classifier;
}

/**
 * frame-infer: a camera frame in, the signs in it out. Candidate regions come from colour masks,
 * their crops go through the sign model in one onnxruntime run, and the reply
 * `dev.eventyard.frame.classified` lists each sign found with its label, score and box (frame
 * pixels), the model version and the time the frame took. A frame that is not a 600×400 image is a
 * 400 that says why: not retried, dead-lettered.
 */
export async function handle(_context: unknown, event?: CloudEvent<unknown>): Promise<CloudEvent<unknown>> {
  const started = performance.now();
  const frame = readFrame(event?.data);
  if (frame.width !== FRAME_WIDTH || frame.height !== FRAME_HEIGHT) {
    throw new BadEventError(`frame-infer takes ${FRAME_WIDTH}×${FRAME_HEIGHT} frames; this one says ${frame.width}×${frame.height}`);
  }
  const bytes = Buffer.from(frame.image, 'base64');
  const image = await decodeImage(bytes, frame).catch((err: Error) => {
    if (err instanceof ImageSizeError) throw new BadEventError(`${err.message}, but the event says ${frame.width}×${frame.height}`);
    throw new BadEventError(`image is not a JPEG or other image sharp can decode (${bytes.length} bytes): ${err.message}`);
  });
  const model = await (classifier ??= SignClassifier.load(modelPath()));
  const detection = await detectSigns(image, model);
  const ms = (x: number) => Math.round(x * 100) / 100;
  return new CloudEvent({
    source: '/functions/frame-infer',
    type: 'dev.eventyard.frame.classified',
    subject: frame.trainId,
    data: {
      trainId: frame.trainId,
      seq: frame.seq,
      predictions: detection.predictions,
      candidates: detection.candidates,
      // The whole frame in this function (decode, regions, model); modelMs is the model call alone.
      inferMs: ms(performance.now() - started),
      modelMs: ms(detection.modelMs),
      model: model.version,
    },
  });
}
