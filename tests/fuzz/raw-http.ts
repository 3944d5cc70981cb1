// A raw HTTP/1.1 client over node:net for the ingress fuzz: it sends exactly the bytes it is given
// (undici and fetch refuse malformed header names, control characters, bad framing), and parses the
// answer itself, so that a dropped connection, a hang or a missing body is seen as it is.
import net from 'node:net';

/** One request, as bytes. */
export interface RawRequest {
  /** Request line and header section, CRLF CRLF included. */
  readonly head: Buffer;
  /** Body pieces, already framed (chunked pieces carry their chunk headers). Written one by one. */
  readonly body: readonly Buffer[];
  /** Pause between body pieces, in ms (a slow sender); 0 writes them at once. */
  readonly pauseMs: number;
  /** The request is not valid HTTP/1.1: send it on a fresh connection, and expect that one to close. */
  readonly malformed: boolean;
  /**
   * Send the head only and wait for the answer, as a client that sent `Expect: 100-continue` would:
   * for a body the server must refuse from its declared length alone. Streaming megabytes into a
   * server that has answered and closed loses the answer to EPIPE/ECONNRESET on the client side.
   */
  readonly headOnly?: boolean;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The server said it closes the connection (or closed it). */
  readonly closes: boolean;
}

export type Outcome =
  | { readonly kind: 'response'; readonly response: RawResponse }
  | { readonly kind: 'dropped'; readonly reason: string }
  | { readonly kind: 'timeout' };

const CRLFCRLF = Buffer.from('\r\n\r\n');

/** An incremental HTTP/1.1 response parser: Content-Length, chunked, or close-delimited bodies; skips 1xx. */
class ResponseReader {
  private buf: Buffer = Buffer.alloc(0);

  feed(chunk: Buffer): RawResponse | undefined {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    return this.parse(false);
  }

  /** The connection ended: a close-delimited body is complete now. */
  end(): RawResponse | undefined {
    return this.parse(true);
  }

  private parse(ended: boolean): RawResponse | undefined {
    for (;;) {
      const headEnd = this.buf.indexOf(CRLFCRLF);
      if (headEnd === -1) return undefined;
      const lines = this.buf.subarray(0, headEnd).toString('latin1').split('\r\n');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!match) throw new Error(`not an HTTP response: ${JSON.stringify(lines[0])}`);
      const status = Number(match[1]);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const rest = this.buf.subarray(headEnd + 4);
      if (status >= 100 && status < 200) {
        this.buf = rest; // interim response
        continue;
      }
      const closes = (headers.connection ?? '').toLowerCase().includes('close');
      if (status === 204 || status === 304) return { status, headers, body: Buffer.alloc(0), closes };
      if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) {
        const body = dechunk(rest);
        return body ? { status, headers, body, closes } : undefined;
      }
      if (headers['content-length'] !== undefined) {
        const length = Number(headers['content-length']);
        return rest.length >= length ? { status, headers, body: rest.subarray(0, length), closes } : undefined;
      }
      return ended ? { status, headers, body: rest, closes: true } : undefined;
    }
  }
}

/** The body of a complete chunked message, or undefined while it is incomplete. */
function dechunk(data: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let i = 0;
  for (;;) {
    const lineEnd = data.indexOf('\r\n', i);
    if (lineEnd === -1) return undefined;
    const size = parseInt(data.subarray(i, lineEnd).toString('latin1'), 16);
    if (Number.isNaN(size)) throw new Error('bad chunk size in response');
    if (size === 0) return data.length >= lineEnd + 4 ? Buffer.concat(parts) : undefined; // no trailers
    if (data.length < lineEnd + 2 + size + 2) return undefined;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    i = lineEnd + 2 + size + 2;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One client connection, reused (keep-alive) for well-formed requests while the server keeps it
 * open; a malformed request always gets a connection of its own.
 */
export class RawClient {
  private socket: net.Socket | undefined;
  /** Connections opened so far. */
  connections = 0;
  /** Whether the last send() went over a connection kept from the request before. */
  reused = false;

  constructor(
    private readonly port: number,
    private readonly host = '127.0.0.1',
  ) {}

  private connect(): Promise<net.Socket | Error> {
    this.connections++;
    return new Promise((resolve) => {
      const socket = net.connect(this.port, this.host);
      socket.setNoDelay(true);
      socket.on('error', noop); // errors are reported per request, by send()
      const onError = (err: Error) => resolve(err);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
    });
  }

  /** Sends one request and waits for its answer, for at most `timeoutMs`. */
  async send(request: RawRequest, timeoutMs: number): Promise<Outcome> {
    if (this.socket && (request.malformed || this.socket.destroyed || !this.socket.writable)) this.drop();
    let socket = this.socket;
    this.reused = socket !== undefined;
    if (!socket) {
      const connected = await this.connect();
      if (connected instanceof Error) return { kind: 'dropped', reason: `connect failed: ${connected.message}` };
      socket = connected;
    }
    this.socket = undefined;
    const s = socket;

    const reader = new ResponseReader();
    let settle!: (outcome: Outcome) => void;
    const answered = new Promise<Outcome>((resolve) => (settle = resolve));
    let outcome: Outcome | undefined;
    const finish = (o: Outcome) => {
      if (outcome) return;
      outcome = o;
      settle(o);
    };
    const onData = (chunk: Buffer) => {
      try {
        const response = reader.feed(chunk);
        if (response) finish({ kind: 'response', response });
      } catch (err) {
        finish({ kind: 'dropped', reason: (err as Error).message });
      }
    };
    const onEnd = () => {
      try {
        const response = reader.end();
        finish(response ? { kind: 'response', response: { ...response, closes: true } } : { kind: 'dropped', reason: 'connection closed before a complete response' });
      } catch (err) {
        finish({ kind: 'dropped', reason: (err as Error).message });
      }
    };
    const onError = (err: NodeJS.ErrnoException) => finish({ kind: 'dropped', reason: `socket error ${err.code ?? err.message} before a complete response` });
    s.on('data', onData);
    s.once('end', onEnd);
    s.on('error', onError);
    s.once('close', onEnd);
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);

    // Write the request; a slow sender pauses between body pieces. Stops once the connection is
    // broken or answered for good; an early answer on a connection that stays open (OPTIONS does
    // not read the body) still gets the whole body, or the next request would be read as its tail.
    const stopWriting = () => s.destroyed || (outcome !== undefined && !(outcome.kind === 'response' && !outcome.response.closes));
    const writing = (async () => {
      const write = (data: Buffer) => {
        if (stopWriting()) return Promise.resolve(false);
        return new Promise<boolean>((resolve) => s.write(data, (err) => resolve(!err)));
      };
      if (!(await write(request.head))) return;
      if (request.headOnly) return;
      for (let i = 0; i < request.body.length; i++) {
        if (request.pauseMs > 0 && i > 0) await sleep(request.pauseMs);
        if (!(await write(request.body[i]!))) return;
      }
    })();

    const result = await answered;
    clearTimeout(timer);
    const keep = result.kind === 'response' && !result.response.closes && !request.malformed && !request.headOnly && !s.destroyed && s.writable;
    if (!keep) s.destroy(); // also fails any pending write, so that `writing` ends
    await writing; // never interleave the next request with the tail of this one
    s.off('data', onData);
    s.off('end', onEnd);
    s.off('close', onEnd);
    s.off('error', onError);
    if (keep && !s.destroyed) this.socket = s;
    else s.destroy();
    return result;
  }

  private drop(): void {
    this.socket?.destroy();
    this.socket = undefined;
  }

  close(): void {
    this.drop();
  }
}

function noop(): void {}
