import { EventEmitter } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a subscriber received. */
export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** performance.now() when the request arrived. */
  readonly at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Answer after this many ms (a slow subscriber). */
  delayMs?: number;
  /** Never answer (a hung subscriber); the connection stays open until the test ends. */
  hang?: boolean;
}

/** Decides the answer to a request; `n` is the 1-based count of requests on that path so far. */
export type Responder = (request: Received, n: number) => Reply;

/**
 * A real HTTP subscriber on loopback: records every request and answers per path, so tests see
 * exactly what the runtime sent, over a real socket.
 */
export class Subscriber {
  readonly received: Received[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly counts = new Map<string, number>();
  private readonly events = new EventEmitter();
  private readonly hung = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {
    this.events.setMaxListeners(1000);
  }

  static async start(): Promise<Subscriber> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const subscriber = new Subscriber(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const received: Received = { path, headers: req.headers, body: Buffer.concat(chunks), at: performance.now() };
        const n = (subscriber.counts.get(path) ?? 0) + 1;
        subscriber.counts.set(path, n);
        subscriber.received.push(received);
        subscriber.events.emit('request');
        const reply: Reply = (subscriber.responders.get(path) ?? (() => ({ status: 202 })))(received, n);
        if (reply.hang) {
          subscriber.hung.add(() => res.destroy());
          return;
        }
        const send = () => res.writeHead(reply.status, reply.headers).end(reply.body);
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      });
    });
    return subscriber;
  }

  url(path: string): string {
    return `${this.baseUrl}${path}`;
  }

  /** Sets how requests on `path` are answered (default: 202, empty). */
  respond(path: string, responder: Responder | Reply): void {
    this.responders.set(path, typeof responder === 'function' ? responder : () => responder);
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves with the requests on `path` once there are at least `count` of them. */
  async waitFor(path: string, count = 1, timeoutMs = 10_000): Promise<Received[]> {
    await this.until(() => this.on(path).length >= count, timeoutMs, () => `${count} request(s) on ${path}; got ${this.on(path).length}`);
    return this.on(path);
  }

  /** Resolves with the request on `path` that carried the event `id` (its ce-id header). */
  async waitForId(path: string, id: string, timeoutMs = 10_000): Promise<Received> {
    const find = () => this.on(path).find((r) => r.headers['ce-id'] === id);
    await this.until(() => find() !== undefined, timeoutMs, () => `event ${id} on ${path}; ${this.on(path).length} other request(s) came`);
    return find()!;
  }

  /** Waits, request by request, until `done()` holds. */
  private async until(done: () => boolean, timeoutMs: number, waitingFor: () => string): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!done()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${waitingFor()}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.events.once('request', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    for (const destroy of this.hung) destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Gives in-flight deliveries time to happen, to show that something did NOT arrive. */
export function settle(ms = 300): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
