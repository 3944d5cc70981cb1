import type { CloudEvent } from 'cloudevents';
import { createDisplay, type BlobReader } from './server.js';

/**
 * display: the live dashboard. Triggers POST every `dev.eventyard.*` event to `handle` (the
 * faas-js-runtime contract); `app` (express, served in front of faas-js-runtime by
 * src/serving/function-main.ts) serves the page and streams what `handle` records to it.
 */
const display = createDisplay(loadBlobs);

export const app = display.app;

export async function handle(_context: unknown, event?: CloudEvent<unknown>): Promise<undefined> {
  // Anything that is a CloudEvent is shown, whatever its data: no schema at this door.
  if (!event) return undefined;
  const { record, view } = display.history.add(event as unknown as Readonly<Record<string, unknown>>);
  display.hub.publish(record, view);
  return undefined;
}

export function shutdown(): void {
  display.hub.close();
}

let blobs: Promise<BlobReader | undefined> | undefined;

/** The blob store of render images, opened on first use. */
function loadBlobs(): Promise<BlobReader | undefined> {
  blobs ??= import('../../src/function-kit/blob-store.js').then((m) => m.blobStoreFromEnv());
  return blobs;
}
