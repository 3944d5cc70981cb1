/** The camera's frames, as the edge-AI demo sends them: 600×400 JPEG. */
export const FRAME_WIDTH = 600;
export const FRAME_HEIGHT = 400;

/** A rectangle in frame pixels: what `frame.classified` predictions carry as `box`. */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a.x + a.w, b.x + b.w) - Math.max(a.x, b.x));
  const iy = Math.max(0, Math.min(a.y + a.h, b.y + b.h) - Math.max(a.y, b.y));
  const inter = ix * iy;
  return inter / (a.w * a.h + b.w * b.h - inter);
}
