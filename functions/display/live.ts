import type { Response } from 'express';
import type { EventRecord, History } from './history.js';
import { viewInlineChars, type View } from './views.js';

/** Pages get new events in batches at most this often: a burst costs them a few messages a second. */
export const FLUSH_MS = 100;
/** A comment line this often keeps proxies (and the dev activator's body timeout) from closing the stream. */
const HEARTBEAT_MS = 15_000;
/** A page that reads slower than events come is dropped beyond this; it reconnects to a fresh snapshot. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** Inline image data queued for one batch at most: past it the batch goes at once, so no message is huge. */
export const MAX_BATCH_IMAGE_CHARS = 4 * 1024 * 1024;

/**
 * JSON of a value, or the reason it has none: a snapshot or batch that cannot be serialised answers
 * a clear error instead of throwing where the response is half written.
 */
export function serialise(value: unknown): { ok: true; json: string } | { ok: false; error: string } {
  try {
    const json = JSON.stringify(value);
    return typeof json === 'string' ? { ok: true, json } : { ok: false, error: 'nothing to serialise' };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/**
 * The pages watching now, each an open Server-Sent Events response. A new page gets the snapshot,
 * then every event after it in batches; nothing is ever re-fetched. An open stream is a request in
 * flight to the Service, which keeps it scaled up while somebody watches.
 */
export class LiveHub {
  /** The pages watching, each with the size of the snapshot it was sent (it may lag by that much more). */
  private readonly pages = new Map<Response, number>();
  private records: EventRecord[] = [];
  private views: View[] = [];
  private viewChars = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly history: History) {
    this.heartbeat = setInterval(() => this.broadcast(': ping\n\n'), HEARTBEAT_MS).unref();
  }

  get watching(): number {
    return this.pages.size;
  }

  /** Serves one page's stream: the snapshot at once, batches after. */
  watch(res: Response): void {
    // What is buffered for others was recorded before this snapshot was taken: flush it first.
    this.flush();
    // Serialised before the head goes out: if it cannot be, the page gets a clear error, not a broken stream.
    const snapshot = serialise(this.history.snapshot());
    if (!snapshot.ok) {
      process.stderr.write(`display: could not serialise the snapshot for /live: ${snapshot.error}\n`);
      res.status(500).type('text/plain').send(`display: could not serialise its state (${snapshot.error}); try again\n`);
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    res.write(`retry: 2000\nevent: snapshot\ndata: ${snapshot.json}\n\n`);
    this.pages.set(res, snapshot.json.length);
    res.once('close', () => this.pages.delete(res));
  }

  /** Queues one recorded event for the pages watching. */
  publish(record: EventRecord, view: View | undefined): void {
    if (this.pages.size === 0) return;
    this.records.push(record);
    if (view) {
      this.views.push(view);
      this.viewChars += viewInlineChars(view);
    }
    // A batch of large inline images goes at once rather than growing for FLUSH_MS.
    if (this.viewChars >= MAX_BATCH_IMAGE_CHARS) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  close(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.timer);
    for (const res of this.pages.keys()) res.end();
    this.pages.clear();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.records.length === 0) return;
    const batch = serialise({ total: this.history.total, records: this.records, views: this.views });
    this.records = [];
    this.views = [];
    this.viewChars = 0;
    if (!batch.ok) {
      // The pages would miss these events: they reconnect (EventSource does) to a fresh snapshot.
      process.stderr.write(`display: could not serialise a batch: ${batch.error}; the pages reconnect\n`);
      for (const res of this.pages.keys()) res.end();
      this.pages.clear();
      return;
    }
    this.broadcast(`event: batch\ndata: ${batch.json}\n\n`);
  }

  private broadcast(message: string): void {
    for (const [res, snapshotBytes] of this.pages) {
      if (res.writableLength > MAX_BUFFERED_BYTES + snapshotBytes) {
        this.pages.delete(res);
        res.destroy();
        continue;
      }
      res.write(message);
    }
  }
}
