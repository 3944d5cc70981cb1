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

/**
 * What is wrong with cutting a width × height frame into divisions × divisions tiles, or with
 * tile (tileX, tileY) of it, when some tile would be empty or the tile is not in the grid;
 * undefined when all is well. More divisions than pixels on a side leave tiles without pixels.
 */
export function gridProblem(width: number, height: number, divisions: number, tile?: { tileX: number; tileY: number }): string | undefined {
  if (divisions > Math.min(width, height)) {
    return `divisions (${divisions}) must not exceed width and height (${width}×${height}), or some tiles would be empty`;
  }
  if (tile && (tile.tileX >= divisions || tile.tileY >= divisions)) {
    return `tile ${tile.tileX},${tile.tileY} is outside a ${divisions}×${divisions} grid`;
  }
  return undefined;
}

/** Every tile of a frame, row by row. */
export function allTiles(divisions: number): { tileX: number; tileY: number }[] {
  const tiles: { tileX: number; tileY: number }[] = [];
  for (let tileY = 0; tileY < divisions; tileY++) for (let tileX = 0; tileX < divisions; tileX++) tiles.push({ tileX, tileY });
  return tiles;
}
