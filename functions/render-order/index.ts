import { createHash } from 'node:crypto';
import type { CloudEvent } from 'cloudevents';
import { blobStoreFromEnv } from '../../src/function-kit/blob-store.js';
import { BadEventError, dataValidator } from '../../src/function-kit/event-data.js';
import { RENDER_EVENTS, renderEvent, renderKeys, tileSubject, type TileRequested } from '../../src/render/events.js';
import type { RendererName } from '../../src/render/renderer.js';
import { resolveScene } from '../../src/render/scene-source.js';
import { allTiles, gridProblem } from '../../src/render/tiles.js';
import schema from './render.requested.schema.json' with { type: 'json' };
import { tileSenderFromEnv } from './tile-sender.js';

interface RenderRequested {
  readonly scene: unknown;
  readonly width: number;
  readonly height: number;
  readonly divisions: number;
  readonly samples: number;
  readonly renderer?: RendererName;
  readonly renderingId?: string;
}

/** What render-order keeps of an order: render-assemble reads it for the wall time. */
export interface OrderRecord {
  readonly renderingId: string;
  /** The order event (source and id): a redelivery of it continues the same rendering. */
  readonly orderEvent: string;
  readonly width: number;
  readonly height: number;
  readonly divisions: number;
  readonly samples: number;
  readonly renderer: RendererName;
  readonly orderedAt: number;
}

const SOURCE = '/functions/render-order';
const readOrder = dataValidator<RenderRequested>(RENDER_EVENTS.requested, schema);

/**
 * render-order: an order for a frame in, one `render.tile.requested` per tile out. A function can
 * reply with only one event, so the tiles go to its sink (K_SINK from the SinkBinding) or, when
 * KAFKA_BOOTSTRAP_SERVERS is set, to the Kafka topic that the KafkaSource feeds back to the
 * broker. Bad orders are answered 400 with the reason. No reply: progress follows as
 * render.tile.status, render.tile.rendered and render.completed events carrying the renderingid.
 */
export async function handle(_context: unknown, event?: CloudEvent<unknown>): Promise<undefined> {
  const order = readOrder(event?.data);
  const problem = gridProblem(order.width, order.height, order.divisions);
  if (problem) throw new BadEventError(`invalid ${RENDER_EVENTS.requested} data: ${problem}`);
  const store = blobStoreFromEnv();
  const scene = await resolveScene(order.scene, store);
  const orderEvent = `${event!.source}#${event!.id}`;
  const renderingId = order.renderingId ?? idOf(orderEvent);
  const record = await recordOrder(store, {
    renderingId,
    orderEvent,
    width: order.width,
    height: order.height,
    divisions: order.divisions,
    samples: order.samples,
    renderer: order.renderer ?? 'builtin',
    orderedAt: Date.now(),
  });
  const tiles = allTiles(record.divisions).map(({ tileX, tileY }) => {
    const data: TileRequested = { renderingId, tileX, tileY, divisions: record.divisions, width: record.width, height: record.height, samples: record.samples, renderer: record.renderer, scene };
    const tile = renderEvent(SOURCE, RENDER_EVENTS.tileRequested, renderingId, tileSubject(tileX, tileY), data);
    // One id per tile of a rendering: a resent order sends the same events again.
    return tile.cloneWith({ id: `${renderingId}/${tileX}-${tileY}` }, false);
  });
  await tileSenderFromEnv().send(tiles);
  return undefined;
}

/** A renderingId from the order event: the same event, delivered again, is the same rendering. */
function idOf(orderEvent: string): string {
  const h = createHash('sha256').update(orderEvent).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * Stores the order once. A redelivery of the same order event continues with what was stored (its
 * tiles are sent again, harmlessly); another order asking for a renderingId in use is refused.
 */
async function recordOrder(store: ReturnType<typeof blobStoreFromEnv>, record: OrderRecord): Promise<OrderRecord> {
  const key = renderKeys.order(record.renderingId);
  const bytes = new TextEncoder().encode(JSON.stringify(record));
  if (await store.putIfAbsent(key, bytes, 'application/json')) return record;
  const existing = JSON.parse(new TextDecoder().decode(await store.get(`blob:${key}`))) as OrderRecord;
  if (existing.orderEvent !== record.orderEvent) {
    throw new BadEventError(`renderingId "${record.renderingId}" is already used by another order (${existing.orderEvent}); choose another or leave it out`);
  }
  return existing;
}
