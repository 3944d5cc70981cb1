import type { IncomingHttpHeaders } from 'node:http';
import { Agent } from 'undici';

/** An http(s) URL split once, at load, into what each request needs. */
export interface HttpTarget {
  readonly url: string;
  readonly origin: string;
  readonly path: string;
}

export function httpTarget(url: string): HttpTarget {
  const u = new URL(url);
  return { url: u.href, origin: u.origin, path: u.pathname + u.search };
}

/** What came back from one HTTP attempt. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class TransportError extends Error {
  override readonly name = 'TransportError';
}

/** Replies larger than this are refused, like requests larger than the ingress limit. */
const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

/**
 * POSTs messages with its own connection pool. Each Trigger owns one, so a subscriber that hangs
 * or floods its pool never takes sockets from another Trigger's deliveries.
 */
export class HttpSender {
  private readonly agent: Agent;

  constructor(connectionsPerOrigin: number) {
    this.agent = new Agent({ connections: connectionsPerOrigin, keepAliveTimeout: 30_000, pipelining: 1 });
  }

  async post(target: HttpTarget, headers: Record<string, string>, body: Buffer | undefined, timeoutMs: number): Promise<HttpResponse> {
    try {
      const response = await this.agent.request({
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers,
        body,
        // undici's own timers: an AbortSignal per request costs more than the request's parsing.
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      if (response.headers['content-length'] === '0') {
        await response.body.dump(); // the common answer: 202 and nothing else
        return { status: response.statusCode, headers: response.headers as IncomingHttpHeaders, body: EMPTY };
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += chunk.length;
        if (size > MAX_RESPONSE_BYTES) {
          response.body.destroy();
          throw new TransportError(`response body larger than ${MAX_RESPONSE_BYTES} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      return { status: response.statusCode, headers: response.headers as IncomingHttpHeaders, body: Buffer.concat(chunks) };
    } catch (err) {
      if (err instanceof TransportError) throw err;
      const code = (err as { code?: string }).code;
      if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
        throw new TransportError(`no response within ${timeoutMs} ms (delivery timeout)`);
      }
      throw new TransportError((err as Error).message || String(err));
    }
  }

  /** Closes every connection now; requests in flight fail. */
  destroy(): Promise<void> {
    return this.agent.destroy();
  }
}
