import type { CloudEvent } from 'cloudevents';
import { blobStoreFromEnv, refOf, type BlobStore } from '../../src/function-kit/blob-store.js';
import { BadEventError, dataValidator } from '../../src/function-kit/event-data.js';
import { sinkFromEnv } from '../../src/function-kit/sink.js';
import { RENDER_EVENTS, renderEvent, renderKeys, tileSubject, type RenderCompleted, type RenderFailed, type TileRendered } from '../../src/render/events.js';
import { allTiles, tileRect } from '../../src/render/tiles.js';
import type { OrderRecord } from '../render-order/index.js';
import { claimOutcome, readOutcome } from './claim.js';
import deadTileSchema from './dead-tile.schema.json' with { type: 'json' };
import renderedSchema from './render.tile.rendered.schema.json' with { type: 'json' };
import { stitch } from './stitch.js';

const SOURCE = '/functions/render-assemble';
const readRendered = dataValidator<TileRendered>(RENDER_EVENTS.tileRendered, renderedSchema);
const readDeadTile = dataValidator<{ renderingId: string; tileX?: number; tileY?: number }>(`dead-lettered ${RENDER_EVENTS.tileRequested}`, deadTileSchema);

/**
 * render-assemble, two jobs:
 * - on each `render.tile.rendered`: once every tile of the rendering is stored, stitches the frame
 *   (one event claims the job, so racing instances stitch it once), stores it and replies
 *   `render.completed` with the wall time since the order.
 * - as the dead-letter sink of render-tile's Trigger: a tile that failed all its retries fails the
 *   order, once: `render.failed` goes to the sink (a dead-letter sink's reply is dropped).
 * Both jobs claim the same outcome (claimOutcome), so a rendering either completes or fails, once.
 */
export async function handle(_context: unknown, event?: CloudEvent<unknown>): Promise<CloudEvent<RenderCompleted> | undefined> {
  if (event?.type === RENDER_EVENTS.tileRendered) return assemble(event);
  if (event?.type === RENDER_EVENTS.tileRequested) return failOrder(event);
  throw new BadEventError(`render-assemble takes ${RENDER_EVENTS.tileRendered} (and dead-lettered ${RENDER_EVENTS.tileRequested}), not ${event?.type}`);
}

async function assemble(event: CloudEvent<unknown>): Promise<CloudEvent<RenderCompleted> | undefined> {
  const tile = readRendered(event.data);
  const id = tile.renderingId;
  const store = blobStoreFromEnv();
  const by = `${event.source}#${event.id}`;
  const decided = await readOutcome(store, id);
  if (decided && !(decided.outcome === 'completed' && decided.by === by)) return undefined; // failed, or another event stitches
  const tiles = allTiles(tile.divisions).map(({ tileX, tileY }) => ({ ref: refOf(renderKeys.tile(id, tileX, tileY)), rect: tileRect(tile.width, tile.height, tile.divisions, tileX, tileY) }));
  for (const t of tiles) if (!(await store.has(t.ref))) return undefined; // not the last tile yet
  // The one decision: if a failed tile got there first, the frame is not stitched.
  if (!(await claimOutcome(store, id, 'completed', by))) return undefined;

  const pngs = await Promise.all(tiles.map(async (t) => ({ rect: t.rect, png: (await store.get(t.ref))! })));
  const image = await store.put(renderKeys.frame(id), await stitch(tile.width, tile.height, pngs), 'image/png');
  const order = await readOrder(store, id);
  return renderEvent(SOURCE, RENDER_EVENTS.completed, id, id, {
    renderingId: id,
    image,
    width: tile.width,
    height: tile.height,
    tiles: tiles.length,
    // A rendering ordered straight on the Kafka topic has no order record: no wall time to tell.
    wallMs: order ? Date.now() - order.orderedAt : 0,
  });
}

async function failOrder(event: CloudEvent<unknown>): Promise<undefined> {
  const tile = readDeadTile(event.data);
  const id = tile.renderingId;
  const store = blobStoreFromEnv();
  // The one decision: if the frame was claimed first (a late duplicate failed), or another tile already failed the order, nothing more.
  if (!(await claimOutcome(store, id, 'failed', `${event.source}#${event.id}`))) return undefined;
  const where = tile.tileX !== undefined && tile.tileY !== undefined ? `tile ${tile.tileX}-${tile.tileY}` : 'a tile';
  const data: RenderFailed = { renderingId: id, tileX: tile.tileX, tileY: tile.tileY, reason: `${where} failed after retries: ${errorOf(event)}` };
  // A dead-letter sink's reply goes nowhere: the failure is sent to the sink (SinkBinding) instead.
  await sinkFromEnv().send(renderEvent(SOURCE, RENDER_EVENTS.failed, id, tile.tileX !== undefined && tile.tileY !== undefined ? tileSubject(tile.tileX, tile.tileY) : id, data));
  return undefined;
}

/** What the dead-letter extensions say of the last attempt. */
function errorOf(event: CloudEvent<unknown>): string {
  const code = event.knativeerrorcode as string | undefined;
  const body = event.knativeerrordata ? Buffer.from(String(event.knativeerrordata), 'base64').toString('utf8').trim() : '';
  if (!code && !body) return 'no error detail (not delivered through a Trigger with dead-letter extensions)';
  return `HTTP ${code ?? '?'}${body ? `: ${body.slice(0, 500)}` : ''}`;
}

async function readOrder(store: BlobStore, id: string): Promise<OrderRecord | undefined> {
  const bytes = await store.get(refOf(renderKeys.order(id)));
  return bytes && (JSON.parse(new TextDecoder().decode(bytes)) as OrderRecord);
}
