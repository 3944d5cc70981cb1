import type { CloudEvent } from '../../events/event.js';
import { isJsonMediaType, mediaTypeOf } from '../../events/media-type.js';
import { CEL_DATA_LIMITS } from './limits.js';

/** Why `event.data` is not available to CEL for this event, or undefined when it is. */
export type DataProblem = string | undefined;

export interface CelBinding {
  readonly activation: { event: Record<string, unknown> };
  readonly dataProblem: DataProblem;
}

// Every CEL Trigger of a broker sees the same event: bind it once.
const cache = new WeakMap<CloudEvent, CelBinding>();

/**
 * The `event` variable (design.md): context attributes and extensions by name, as strings (how
 * Knative carries them), and `data` parsed from JSON when the content type is JSON. JSON integers
 * become CEL ints and other numbers doubles, so `event.data.tiles + 1` works.
 */
export function bindEvent(event: CloudEvent): CelBinding {
  let binding = cache.get(event);
  if (!binding) {
    binding = build(event);
    cache.set(event, binding);
  }
  return binding;
}

function build(event: CloudEvent): CelBinding {
  const bound: Record<string, unknown> = { ...event.attributes };
  let dataProblem: DataProblem;
  const data = event.data;
  if (data !== undefined) {
    const mediaType = mediaTypeOf(event.attributes.datacontenttype);
    if (mediaType !== '' && !isJsonMediaType(mediaType)) {
      bound.data = mediaType.startsWith('text/') ? data.toString('utf8') : new Uint8Array(data);
    } else if (data.length > CEL_DATA_LIMITS.maxDataBytes) {
      dataProblem = `event data is ${data.length} bytes; CEL filters get JSON data up to ${CEL_DATA_LIMITS.maxDataBytes} bytes`;
    } else {
      try {
        bound.data = JSON.parse(data.toString('utf8'), toCelNumbers);
      } catch (err) {
        dataProblem = err instanceof CollectionTooLarge ? err.message : `event data is not valid JSON: ${(err as Error).message}`;
      }
    }
  }
  return { activation: { event: bound }, dataProblem };
}

class CollectionTooLarge extends Error {}

function toCelNumbers(_key: string, value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (value !== null && typeof value === 'object') {
    const size = Array.isArray(value) ? value.length : Object.keys(value).length;
    if (size > CEL_DATA_LIMITS.maxCollectionSize) {
      throw new CollectionTooLarge(`event data has a collection of ${size} entries; CEL filters get at most ${CEL_DATA_LIMITS.maxCollectionSize}`);
    }
  }
  return value;
}
