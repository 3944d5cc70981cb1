import { cut } from './preview.js';

/**
 * What the render, train and chat views need of an event, read leniently from its data: a field of
 * the wrong shape is left out, never an error (the stream view shows the event whatever it holds).
 * The page applies these in order; the snapshot is a list of them too, so it has one reducer.
 */
export type View = RenderView | FrameView | ClassifiedView | CommandView | ChatView;

export interface RenderOrder {
  readonly scene?: string;
  readonly width?: number;
  readonly height?: number;
  readonly divisions?: number;
  readonly samples?: number;
}

export interface TileView {
  readonly tileX: number;
  readonly tileY: number;
  readonly status?: string;
  /** Pixel rectangle [x, y, w, h] in the frame, when the event says. */
  readonly rect?: readonly [number, number, number, number];
  /** An image URL the page may load: relative `blobs/<key>` or a `data:` image. */
  readonly src?: string;
  readonly renderMs?: number;
  readonly reason?: string;
  /** Rendered, but its inline image was dropped to keep the display's memory bounded: no pixels. */
  readonly imageDropped?: boolean;
}

export interface RenderView {
  readonly kind: 'render';
  readonly id: string;
  readonly at: number;
  readonly order?: RenderOrder;
  readonly tile?: TileView;
  readonly completed?: { readonly src?: string; readonly width?: number; readonly height?: number; readonly tiles?: number; readonly wallMs?: number; readonly imageDropped?: boolean };
  readonly failed?: { readonly reason: string };
}

export interface FrameView {
  readonly kind: 'frame';
  readonly trainId: string;
  readonly seq: number;
  readonly width?: number;
  readonly height?: number;
  readonly src?: string;
  /** Its inline image was dropped to keep the display's memory bounded. */
  readonly imageDropped?: boolean;
  readonly at: number;
}

export interface Prediction {
  readonly label: string;
  readonly score?: number;
  /** [x, y, w, h], in pixels or, when every value is at most 1, as fractions of the frame. */
  readonly box?: readonly [number, number, number, number];
}

export interface ClassifiedView {
  readonly kind: 'classified';
  readonly trainId: string;
  readonly seq: number;
  readonly predictions: readonly Prediction[];
  readonly inferMs?: number;
  readonly model?: string;
  readonly at: number;
}

export interface CommandView {
  readonly kind: 'command';
  readonly trainId: string;
  readonly seq: number;
  readonly action: string;
  readonly reason?: string;
  readonly at: number;
}

/** A score as the chat scorer gave it: a number, a label, or both. */
export interface Score {
  readonly label?: string;
  readonly score?: number;
  readonly flagged?: boolean;
}

export interface ChatView {
  readonly kind: 'chat';
  readonly room?: string;
  readonly user?: string;
  readonly text: string;
  readonly language?: string;
  readonly sentiment?: Score;
  readonly moderation?: Score;
  readonly inferMs?: number;
  readonly at: number;
}

/** The event fields the views read. */
export interface ViewInput {
  readonly type: string;
  readonly subject?: string;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly data: unknown;
  readonly at: number;
}

const PREFIX = 'dev.eventyard.';
/** Bigger inline images are not shown live (a camera frame is ~50 kB of base64). */
export const MAX_INLINE_IMAGE_CHARS = 2_000_000;
const MAX_PREDICTIONS = 50;
const MAX_LABEL = 80;
const MAX_CHAT_TEXT = 500;

export function viewOf(e: ViewInput): View | undefined {
  if (!e.type.startsWith(PREFIX)) return undefined;
  const kind = e.type.slice(PREFIX.length);
  const d = record(e.data);
  switch (kind) {
    case 'render.requested':
    case 'render.tile.requested':
    case 'render.tile.status':
    case 'render.tile.rendered':
    case 'render.completed':
    case 'render.failed':
      return renderView(kind, e, d);
    case 'frame.captured': {
      const trainId = text(d.trainId) ?? e.subject ?? 'train';
      return { kind: 'frame', trainId, seq: int(d.seq) ?? 0, width: positive(d.width), height: positive(d.height), src: imageSrc(d.image, 'image/jpeg'), at: e.at };
    }
    case 'frame.classified': {
      const trainId = text(d.trainId) ?? e.subject ?? 'train';
      const predictions = Array.isArray(d.predictions) ? d.predictions.slice(0, MAX_PREDICTIONS).flatMap(prediction) : [];
      return { kind: 'classified', trainId, seq: int(d.seq) ?? 0, predictions, inferMs: nonNegative(d.inferMs), model: text(d.model, MAX_LABEL), at: e.at };
    }
    case 'train.command': {
      const trainId = text(d.trainId) ?? e.subject ?? 'train';
      return { kind: 'command', trainId, seq: int(d.seq) ?? 0, action: text(d.action, MAX_LABEL) ?? 'unknown', reason: text(d.reason, 300), at: e.at };
    }
    // Only the scored message: its unscored original (chat.message) would show it twice.
    case 'chat.scored': {
      const body = text(d.text, MAX_CHAT_TEXT) ?? (typeof e.data === 'string' ? cut(e.data, MAX_CHAT_TEXT).text : undefined);
      if (body === undefined) return undefined;
      return {
        kind: 'chat',
        room: text(d.room, MAX_LABEL),
        user: text(d.user, MAX_LABEL),
        text: body,
        language: text(d.language, 20),
        sentiment: score(d.sentiment),
        moderation: score(d.moderation),
        inferMs: nonNegative(d.inferMs),
        at: e.at,
      };
    }
    default:
      return undefined;
  }
}

function renderView(kind: string, e: ViewInput, d: Record<string, unknown>): RenderView | undefined {
  const id = text(d.renderingId) ?? text(e.extensions.renderingid) ?? (kind === 'render.requested' ? undefined : e.subject);
  if (id === undefined) return undefined;
  const base = { kind: 'render' as const, id, at: e.at };
  const order: RenderOrder = { scene: text(d.scene, MAX_LABEL), width: positive(d.width), height: positive(d.height), divisions: positive(d.divisions), samples: positive(d.samples) };
  const tileX = int(d.tileX);
  const tileY = int(d.tileY);
  const hasTile = tileX !== undefined && tileY !== undefined;
  switch (kind) {
    case 'render.requested':
      return { ...base, order };
    case 'render.tile.requested':
      return { ...base, order, ...(hasTile ? { tile: { tileX, tileY, status: 'requested' } } : {}) };
    case 'render.tile.status':
      return hasTile ? { ...base, tile: { tileX, tileY, status: text(d.status, MAX_LABEL) ?? 'unknown', reason: text(d.reason ?? d.error, 300) } } : undefined;
    case 'render.tile.rendered': {
      if (!hasTile) return undefined;
      const [x, y, w, h] = [int(d.x), int(d.y), positive(d.w), positive(d.h)];
      const rect = x !== undefined && y !== undefined && w !== undefined && h !== undefined ? ([x, y, w, h] as const) : undefined;
      return { ...base, tile: { tileX, tileY, status: 'rendered', rect, src: imageSrc(d.image, 'image/png'), renderMs: nonNegative(d.renderMs) } };
    }
    case 'render.completed':
      return { ...base, completed: { src: imageSrc(d.image, 'image/png'), width: positive(d.width), height: positive(d.height), tiles: positive(d.tiles), wallMs: nonNegative(d.wallMs) } };
    default: {
      // render.failed: the order failed, because of the tile it names if it names one.
      const reason = text(d.reason ?? d.error ?? d.message, 300) ?? 'failed';
      return { ...base, failed: { reason }, ...(hasTile ? { tile: { tileX, tileY, status: 'failed', reason } } : {}) };
    }
  }
}

function prediction(p: unknown): Prediction[] {
  const r = record(p);
  const label = text(r.label, MAX_LABEL);
  if (label === undefined) return [];
  return [{ label, score: finite(r.score), box: box(r.box) }];
}

/** A box as {x, y, w, h} (the catalog) or [x, y, w, h]. */
function box(b: unknown): Prediction['box'] {
  const values = Array.isArray(b) ? b : b && typeof b === 'object' ? [(b as Record<string, unknown>).x, (b as Record<string, unknown>).y, (b as Record<string, unknown>).w ?? (b as Record<string, unknown>).width, (b as Record<string, unknown>).h ?? (b as Record<string, unknown>).height] : [];
  if (values.length !== 4 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) return undefined;
  return values as unknown as [number, number, number, number];
}

function score(s: unknown): Score | undefined {
  if (typeof s === 'number' && Number.isFinite(s)) return { score: s };
  if (typeof s === 'string') return { label: cut(s, MAX_LABEL).text };
  if (typeof s === 'boolean') return { flagged: s };
  if (!s || typeof s !== 'object') return undefined;
  const r = s as Record<string, unknown>;
  const categories = Array.isArray(r.categories) ? r.categories.filter((c): c is string => typeof c === 'string') : [];
  const label = text(r.label ?? r.category, MAX_LABEL) ?? (categories.length > 0 ? cut(categories.join(', '), MAX_LABEL).text : undefined);
  const out = { label, score: finite(r.score ?? r.compound ?? r.value), flagged: typeof r.flagged === 'boolean' ? r.flagged : undefined };
  return out.label === undefined && out.score === undefined && out.flagged === undefined ? undefined : out;
}

/** Characters of inline image data (a `data:` URL) a view's src holds; a blob route holds none. */
export function inlineImageChars(src: string | undefined): number {
  return typeof src === 'string' && src.startsWith('data:') ? src.length : 0;
}

/** Characters of inline image data one view carries (a tile's, a completed frame's or a camera frame's). */
export function viewInlineChars(view: View): number {
  if (view.kind === 'frame') return inlineImageChars(view.src);
  if (view.kind === 'render') return inlineImageChars(view.tile?.src) + inlineImageChars(view.completed?.src);
  return 0;
}

/**
 * A URL the page may load for an image field: a blob reference becomes the display's own
 * `blobs/<key>` route (relative, so it works under any path prefix), base64 becomes a data: URL.
 * Anything else (a remote URL, script) gives nothing.
 */
export function imageSrc(image: unknown, mediaType: 'image/png' | 'image/jpeg'): string | undefined {
  if (typeof image !== 'string' || image.length > MAX_INLINE_IMAGE_CHARS) return undefined;
  if (image.startsWith('blob:')) {
    const key = image.slice('blob:'.length);
    if (!/^[A-Za-z0-9._\-/]{1,300}$/.test(key) || key.split('/').some((s) => s === '' || s === '.' || s === '..')) return undefined;
    return `blobs/${key}`;
  }
  const inline = /^data:(image\/(?:png|jpeg|gif|webp));base64,([A-Za-z0-9+/]+=*)$/.exec(image);
  if (inline) return image;
  if (/^[A-Za-z0-9+/\r\n]+=*$/.test(image) && image.length >= 8) return `data:${mediaType};base64,${image.replace(/[\r\n]/g, '')}`;
  return undefined;
}

function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array) ? (v as Record<string, unknown>) : {};
}

function text(v: unknown, max = 200): string | undefined {
  if (typeof v === 'string' && v.length > 0) return cut(v, max).text;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

function finite(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function nonNegative(v: unknown): number | undefined {
  const n = finite(v);
  return n !== undefined && n >= 0 ? n : undefined;
}

function positive(v: unknown): number | undefined {
  const n = finite(v);
  return n !== undefined && n > 0 && n <= 100_000 ? n : undefined;
}

function int(v: unknown): number | undefined {
  const n = finite(v);
  return n !== undefined && Number.isInteger(n) && n >= 0 ? n : undefined;
}
