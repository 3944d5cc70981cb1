import sharp from 'sharp';
import { premultiply, type Sprite } from './raster.js';

/**
 * The signs of the track, drawn once here and shared by the camera simulator, the training data
 * and the tests, so the model learns exactly what the camera shows. The labels of the first three
 * are the ones train-control acts on (functions/train-control/rule.ts).
 */
export const SIGN_LABELS = ['stop', 'slow', 'go'] as const;
export type SignLabel = (typeof SIGN_LABELS)[number];

/** Signs the camera also sees that are no command (hard negatives for the model). */
export const DISTRACTOR_SIGNS = ['parking', 'yield'] as const;
export type DistractorSign = (typeof DISTRACTOR_SIGNS)[number];

export type SignDesign = SignLabel | DistractorSign;

const FONT = `font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold" text-anchor="middle"`;

/** SVG of each sign on a 100×100 canvas, transparent around the sign. */
export const SIGN_SVG: Readonly<Record<SignDesign, string>> = {
  // Red octagon with STOP.
  stop: `<polygon points="29,2 71,2 98,29 98,71 71,98 29,98 2,71 2,29" fill="#ffffff"/>
    <polygon points="31,6 69,6 94,31 94,69 69,94 31,94 6,69 6,31" fill="#c8102e"/>
    <text x="50" y="60" font-size="27" fill="#ffffff" ${FONT}>STOP</text>`,
  // Yellow diamond speed board: slow to 30.
  slow: `<polygon points="50,1 99,50 50,99 1,50" fill="#1a1a1a"/>
    <polygon points="50,7 93,50 50,93 7,50" fill="#f5c400"/>
    <text x="50" y="63" font-size="36" fill="#1a1a1a" ${FONT}>30</text>`,
  // Green disc with GO.
  go: `<circle cx="50" cy="50" r="49" fill="#ffffff"/>
    <circle cx="50" cy="50" r="45" fill="#13994a"/>
    <text x="50" y="63" font-size="36" fill="#ffffff" ${FONT}>GO</text>`,
  // Blue parking board: no command.
  parking: `<rect x="3" y="3" width="94" height="94" rx="10" fill="#ffffff"/>
    <rect x="7" y="7" width="86" height="86" rx="8" fill="#1f5fbf"/>
    <text x="50" y="76" font-size="66" fill="#ffffff" ${FONT}>P</text>`,
  // Red-bordered yield triangle: red like a stop sign, but no command.
  yield: `<polygon points="2,8 98,8 50,95" fill="#c8102e"/>
    <polygon points="17,16 83,16 50,76" fill="#ffffff"/>`,
};

/** A sign rendered at several sizes: drawing from the nearest larger one keeps small signs smooth. */
export interface SignSprite {
  readonly levels: readonly Sprite[];
}

/** The sprite level to draw a sign `size` pixels wide from. */
export function spriteLevel(sprite: SignSprite, size: number): Sprite {
  const fitting = sprite.levels.filter((l) => l.width >= size);
  return fitting.length > 0 ? fitting[fitting.length - 1]! : sprite.levels[0]!;
}

const LEVEL_SIZES = [256, 128, 64, 32] as const;
let sprites: Promise<Record<SignDesign, SignSprite>> | undefined;

/** Renders every sign with sharp (librsvg), once per process. */
export function loadSignSprites(): Promise<Record<SignDesign, SignSprite>> {
  sprites ??= (async () => {
    const out = {} as Record<SignDesign, SignSprite>;
    for (const [name, body] of Object.entries(SIGN_SVG) as [SignDesign, string][]) {
      const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 100 100">${body}</svg>`);
      const levels: Sprite[] = [];
      for (const size of LEVEL_SIZES) {
        const { data, info } = await sharp(svg).resize(size, size).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
        const pixels = new Uint8ClampedArray(data.buffer, data.byteOffset, data.length);
        premultiply(pixels);
        levels.push({ width: info.width, height: info.height, data: pixels });
      }
      out[name] = { levels };
    }
    return out;
  })();
  return sprites;
}
