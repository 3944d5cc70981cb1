import { blenderRenderer, blenderVersion } from '../../src/render/blender/blender-renderer.js';
import { builtinRenderer } from '../../src/render/builtin-renderer.js';
import type { RendererName, TileRenderer } from '../../src/render/renderer.js';

/** The backend for a tile: built-in by default; Blender when asked for, or for `auto` when installed. */
export async function chooseRenderer(name: RendererName = 'builtin'): Promise<TileRenderer> {
  if (name === 'builtin') return builtinRenderer;
  if (name === 'blender') return blenderRenderer();
  return (await blenderVersion()) ? blenderRenderer() : builtinRenderer;
}
