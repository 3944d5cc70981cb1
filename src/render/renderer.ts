import type { Scene } from './scene.js';
import type { Rect } from './tiles.js';

/** The renderers an order may ask for; `auto` is Blender when it is installed, else built-in. */
export const RENDERER_NAMES = ['builtin', 'blender', 'auto'] as const;
export type RendererName = (typeof RENDERER_NAMES)[number];

/** One region of one frame to render. */
export interface RenderJob {
  readonly scene: Scene;
  readonly width: number;
  readonly height: number;
  readonly samples: number;
  /** The pixels to render; the image returned is exactly region.w × region.h. */
  readonly region: Rect;
}

/** A backend that renders a region of a scene to a PNG. */
export interface TileRenderer {
  readonly name: Exclude<RendererName, 'auto'>;
  render(job: RenderJob): Promise<Uint8Array>;
}

/** A renderer that cannot work here (Blender asked for and not installed): not worth retrying soon, but a failure. */
export class RendererUnavailableError extends Error {
  override readonly name = 'RendererUnavailableError';
}
