import type { CloudEvent } from 'cloudevents';
import { blobStoreFromEnv } from '../../src/function-kit/blob-store.js';
import { BadEventError, dataValidator } from '../../src/function-kit/event-data.js';
import { sinkFromEnv, type EventSink } from '../../src/function-kit/sink.js';
import { RENDER_EVENTS, renderEvent, renderKeys, tileSubject, type TileRendered, type TileRequested, type TileStatus, type TileStatusData } from '../../src/render/events.js';
import { validateScene } from '../../src/render/scene.js';
import { gridProblem, tileRect } from '../../src/render/tiles.js';
import { chooseRenderer } from './choose-renderer.js';
import schema from './render.tile.requested.schema.json' with { type: 'json' };

const SOURCE = '/functions/render-tile';
const readTile = dataValidator<TileRequested>(RENDER_EVENTS.tileRequested, schema);
/** How long one status send may take: one attempt, no retries. */
const STATUS_TIMEOUT_MS = 2_000;

/**
 * render-tile: renders exactly one tile (its Service has containerConcurrency 1: one tile per
 * instance, so a big order scales out), stores the PNG in the blob store and replies
 * `render.tile.rendered` with its reference. Progress goes to the sink as `render.tile.status`
 * (received, rendering, rendered, failed), in the background: a slow sink never delays the tile.
 * A failed render answers 500, so the broker retries it; when retries run out, the Trigger's
 * dead-letter sink (render-assemble) fails the order.
 */
export async function handle(_context: unknown, event?: CloudEvent<unknown>): Promise<CloudEvent<TileRendered>> {
  const tile = readTile(event?.data);
  // Checked here too, not only by render-order: tiles may come straight to the broker or the Kafka topic.
  const problem = gridProblem(tile.width, tile.height, tile.divisions, tile);
  if (problem) throw new BadEventError(`invalid ${RENDER_EVENTS.tileRequested} data: ${problem}`);
  const scene = validateScene(tile.scene);
  const region = tileRect(tile.width, tile.height, tile.divisions, tile.tileX, tile.tileY);
  // Status events only inform: sent in the background, in order, never awaited by the tile.
  const status = statusReporter(tile);
  void status('received');
  try {
    const renderer = await chooseRenderer(tile.renderer);
    void status('rendering');
    const started = performance.now();
    const png = await renderer.render({ scene, width: tile.width, height: tile.height, samples: tile.samples, region });
    const renderMs = Math.round(performance.now() - started);
    const image = await blobStoreFromEnv().put(renderKeys.tile(tile.renderingId, tile.tileX, tile.tileY), png, 'image/png');
    void status('rendered');
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
    // The tile has failed already; give the display a short chance to hear why before the 500
    // (and, after the last retry, the dead letter's render.failed) goes out.
    await within(STATUS_TIMEOUT_MS, status('failed', (err as Error).message));
    throw err;
  }
}

/** Waits for `work`, but no longer than `ms`. */
function within(ms: number, work: Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

let sink: EventSink | undefined | null;

/**
 * Sends a tile's status events to the sink. They only inform (the display shows them), so they
 * never hold the tile up: each is one attempt of at most STATUS_TIMEOUT_MS, sent after the
 * tile's previous one settles (so they leave in order: received, rendering, rendered), and a
 * missing sink or a failed send is logged and the tile goes on. The promise returned settles,
 * never rejecting, when that status has been sent or given up.
 */
function statusReporter(tile: TileRequested): (status: TileStatus, reason?: string) => Promise<void> {
  if (sink === undefined) {
    try {
      sink = sinkFromEnv(process.env, { attempts: 1, timeoutMs: STATUS_TIMEOUT_MS });
    } catch (err) {
      sink = null;
      process.stderr.write(`render-tile: no status events: ${(err as Error).message}\n`);
    }
  }
  const to = sink;
  let previous: Promise<void> = Promise.resolve();
  return (status, reason) => {
    if (!to) return previous;
    const data: TileStatusData = { renderingId: tile.renderingId, tileX: tile.tileX, tileY: tile.tileY, status, ...(reason ? { reason: reason.slice(0, 500) } : {}) };
    const event = renderEvent(SOURCE, RENDER_EVENTS.tileStatus, tile.renderingId, tileSubject(tile.tileX, tile.tileY), data);
    previous = previous.then(() =>
      to.send(event).catch((err: unknown) => {
        process.stderr.write(`render-tile: status ${status} of ${tile.renderingId} ${tileSubject(tile.tileX, tile.tileY)} not sent: ${(err as Error).message}\n`);
      }),
    );
    return previous;
  };
}
