import { SIGN_LABELS } from './sign-designs.js';

/** The classifier's outputs, in order: "background" is any region that is no command sign. */
export const MODEL_CLASSES = ['background', ...SIGN_LABELS] as const;
export type ModelClass = (typeof MODEL_CLASSES)[number];

/** Where the trained model lives in the repo (and in the image, under /workspace). */
export const DEFAULT_SIGN_MODEL_PATH = 'models/signs/signnet.onnx';
export const MODEL_INPUT = 'crops';
export const MODEL_OUTPUT = 'probabilities';
