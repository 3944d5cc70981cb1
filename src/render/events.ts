import { CloudEvent } from 'cloudevents';
import type { BlobRef } from '../function-kit/blob-store.js';
import type { RendererName } from './renderer.js';
import type { Scene } from './scene.js';

/** The render farm's event types (design.md event catalog). */
export const RENDER_EVENTS = {
  requested: 'dev.eventyard.render.requested',
  tileRequested: 'dev.eventyard.render.tile.requested',
  tileStatus: 'dev.eventyard.render.tile.status',
  tileRendered: 'dev.eventyard.render.tile.rendered',
  completed: 'dev.eventyard.render.completed',
  failed: 'dev.eventyard.render.failed',
} as const;

/** The extension every render event carries, so that a consumer can tell orders apart. */
export const RENDERING_ID_EXTENSION = 'renderingid';

/** Which tile of which rendering: what every tile event's data starts with. */
export interface TileOf {
  readonly renderingId: string;
  readonly tileX: number;
  readonly tileY: number;
}

/** A tile's place in its grid: the frame's size and its divisions. */
export interface TileInGrid extends TileOf {
  readonly divisions: number;
  readonly width: number;
  readonly height: number;
}

export interface TileRequested extends TileInGrid {
  readonly samples: number;
  readonly renderer: RendererName;
  readonly scene: Scene;
}

export type TileStatus = 'received' | 'rendering' | 'rendered' | 'failed';

export interface TileStatusData extends TileOf {
  readonly status: TileStatus;
  readonly reason?: string;
}

export interface TileRendered extends TileInGrid {
  /** The tile's place in the frame, in pixels from the top left. */
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly image: BlobRef;
  readonly renderer: string;
  readonly renderMs: number;
}

export interface RenderCompleted {
  readonly renderingId: string;
  readonly image: BlobRef;
  readonly width: number;
  readonly height: number;
  readonly tiles: number;
  /** From the order's arrival at render-order to the stored frame. */
  readonly wallMs: number;
}

export interface RenderFailed {
  readonly renderingId: string;
  readonly tileX?: number;
  readonly tileY?: number;
  readonly reason: string;
}

/** The subject of a tile's events: `tiles/<x>-<y>`. */
export const tileSubject = (tileX: number, tileY: number) => `tiles/${tileX}-${tileY}`;

/** Blob keys of one rendering. */
export const renderKeys = {
  order: (id: string) => `renders/${id}/order.json`,
  tilesFolder: (id: string) => `renders/${id}/tiles/`,
  tile: (id: string, tileX: number, tileY: number) => `renders/${id}/tiles/${tileX}-${tileY}.png`,
  frame: (id: string) => `renders/${id}/frame.png`,
  /**
   * Exists once one event has decided how the rendering ends, `{outcome: 'completed' | 'failed',
   * by: <event>}`: the last tile took the job of assembling the frame, or a failed tile failed the
   * order. One key for both, so that a rendering can never both complete and fail.
   */
  outcome: (id: string) => `renders/${id}/outcome.json`,
};

/** A render event: every one carries the renderingid extension and a subject. */
export function renderEvent<T>(source: string, type: string, renderingId: string, subject: string, data: T): CloudEvent<T> {
  return new CloudEvent<T>({ source, type, subject, [RENDERING_ID_EXTENSION]: renderingId, datacontenttype: 'application/json', data });
}
