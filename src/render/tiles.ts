/** A rectangle of pixels of a frame; y counts down from the top row. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

/**
 * The pixels of tile (tileX, tileY) of a frame cut into divisions × divisions tiles: column tileX
 * from the left, row tileY from the top. Edges are rounded down, so the tiles cover the frame
 * exactly, with no gap and no overlap, whatever the size.
 */
export function tileRect(width: number, height: number, divisions: number, tileX: number, tileY: number): Rect {
  const x = Math.floor((tileX * width) / divisions);
  const y = Math.floor((tileY * height) / divisions);
  return { x, y, w: Math.floor(((tileX + 1) * width) / divisions) - x, h: Math.floor(((tileY + 1) * height) / divisions) - y };
}

/** Every tile of a frame, row by row. */
export function allTiles(divisions: number): { tileX: number; tileY: number }[] {
  const tiles: { tileX: number; tileY: number }[] = [];
  for (let tileY = 0; tileY < divisions; tileY++) for (let tileX = 0; tileX < divisions; tileX++) tiles.push({ tileX, tileY });
  return tiles;
}
