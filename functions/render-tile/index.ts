import type { CloudEvent } from 'cloudevents';
import { blobStoreFromEnv } from '../../src/function-kit/blob-store.js';
import { BadEventError, dataValidator } from '../../src/function-kit/event-data.js';
import { sinkFromEnv, type EventSink } from '../../src/function-kit/sink.js';
import { RENDER_EVENTS, renderEvent, renderKeys, tileSubject, type TileRendered, type TileRequested, type TileStatus, type TileStatusData } from '../../src/render/events.js';
import { validateScene } from '../../src/render/scene.js';
import { tileRect } from '../../src/render/tiles.js';
import { chooseRenderer } from './choose-renderer.js';
import schema from './render.tile.requested.schema.json' with { type: 'json' };

const SOURCE = '/functions/render-tile';
const readTile = dataValidator<TileRequested>(RENDER_EVENTS.tileRequested, schema);

/**
 * render-tile: renders exactly one tile (its Service has containerConcurrency 1: one tile per
 * instance, so a big order scales out), stores the PNG in the blob store and replies
 * `render.tile.rendered` with its reference. Progress goes to the sink as `render.tile.status`
 * (received, rendering, rendered, failed). A failed render answers 500, so the broker retries it;
 * when retries run out, the Trigger's dead-letter sink (render-assemble) fails the order.
 */
export async function handle(_context: unknown, event?: CloudEvent<unknown>): Promise<CloudEvent<TileRendered>> {
  const tile = readTile(event?.data);
  if (tile.tileX >= tile.divisions || tile.tileY >= tile.divisions) {
    throw new BadEventError(`invalid ${RENDER_EVENTS.tileRequested} data: tile ${tile.tileX},${tile.tileY} is outside a ${tile.divisions}×${tile.divisions} grid`);
  }
  const scene = validateScene(tile.scene);
  const region = tileRect(tile.width, tile.height, tile.divisions, tile.tileX, tile.tileY);
  const status = statusReporter(tile);
  await status('received');
  try {
    const renderer = await chooseRenderer(tile.renderer);
    await status('rendering');
    const started = performance.now();
    const png = await renderer.render({ scene, width: tile.width, height: tile.height, samples: tile.samples, region });
    const renderMs = Math.round(performance.now() - started);
    const image = await blobStoreFromEnv().put(renderKeys.tile(tile.renderingId, tile.tileX, tile.tileY), png, 'image/png');
    await status('rendered');
    return renderEvent(SOURCE, RENDER_EVENTS.tileRendered, tile.renderingId, tileSubject(tile.tileX, tile.tileY), {
      renderingId: tile.renderingId,
      tileX: tile.tileX,
      tileY: tile.tileY,
      divisions: tile.divisions,
      width: tile.width,
      height: tile.height,
      ...region,
      image,
      renderer: renderer.name,
      renderMs,
    });
  } catch (err) {
    await status('failed', (err as Error).message);
    throw err;
  }
}

let sink: EventSink | undefined | null;

/**
 * Sends a tile's status events to the sink. They only inform (the display shows them), so a
 * missing sink or a failed send is logged and the tile still renders.
 */
function statusReporter(tile: TileRequested): (status: TileStatus, reason?: string) => Promise<void> {
  if (sink === undefined) {
    try {
      sink = sinkFromEnv();
    } catch (err) {
      sink = null;
      process.stderr.write(`render-tile: no status events: ${(err as Error).message}\n`);
    }
  }
  return async (status, reason) => {
    if (!sink) return;
    const data: TileStatusData = { renderingId: tile.renderingId, tileX: tile.tileX, tileY: tile.tileY, status, ...(reason ? { reason: reason.slice(0, 500) } : {}) };
    try {
      await sink.send(renderEvent(SOURCE, RENDER_EVENTS.tileStatus, tile.renderingId, tileSubject(tile.tileX, tile.tileY), data));
    } catch (err) {
      process.stderr.write(`render-tile: status ${status} of ${tile.renderingId} ${tileSubject(tile.tileX, tile.tileY)} not sent: ${(err as Error).message}\n`);
    }
  };
}
