import type { Response } from 'express';
import type { EventRecord, History } from './history.js';
import type { View } from './views.js';

/** Pages get new events in batches at most this often: a burst costs them a few messages a second. */
export const FLUSH_MS = 100;
/** A comment line this often keeps proxies (and the dev activator's body timeout) from closing the stream. */
const HEARTBEAT_MS = 15_000;
/** A page that reads slower than events come is dropped beyond this; it reconnects to a fresh snapshot. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

/**
 * The pages watching now, each an open Server-Sent Events response. A new page gets the snapshot,
 * then every event after it in batches; nothing is ever re-fetched. An open stream is a request in
 * flight to the Service, which keeps it scaled up while somebody watches.
 */
export class LiveHub {
  private readonly pages = new Set<Response>();
  private records: EventRecord[] = [];
  private views: View[] = [];
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
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    });
    // What is buffered for others was recorded before this snapshot was taken: flush it first.
    this.flush();
    res.write(`retry: 2000\nevent: snapshot\ndata: ${JSON.stringify(this.history.snapshot())}\n\n`);
    this.pages.add(res);
    res.once('close', () => this.pages.delete(res));
  }

  /** Queues one recorded event for the pages watching. */
  publish(record: EventRecord, view: View | undefined): void {
    if (this.pages.size === 0) return;
    this.records.push(record);
    if (view) this.views.push(view);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  close(): void {
    clearInterval(this.heartbeat);
    clearTimeout(this.timer);
    for (const res of this.pages) res.end();
    this.pages.clear();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.records.length === 0) return;
    const message = `event: batch\ndata: ${JSON.stringify({ total: this.history.total, records: this.records, views: this.views })}\n\n`;
    this.records = [];
    this.views = [];
    this.broadcast(message);
  }

  private broadcast(message: string): void {
    for (const res of this.pages) {
      if (res.writableLength > MAX_BUFFERED_BYTES) {
        this.pages.delete(res);
        res.destroy();
        continue;
      }
      res.write(message);
    }
  }
}
