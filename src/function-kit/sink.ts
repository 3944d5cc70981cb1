import { CloudEvent, HTTP } from 'cloudevents';

/** Where a function sends events of its own, beyond its one reply. */
export interface EventSink {
  readonly url: string;
  /** POSTs the event (binary mode); retries 5xx, 429 and network errors; throws when it cannot deliver. */
  send(event: CloudEvent<unknown>): Promise<void>;
}

export class SinkError extends Error {
  override readonly name = 'SinkError';
}

export interface SinkOptions {
  /** Attempts in all, the first included (default 4). */
  readonly attempts?: number;
  /** Wait before the first retry, doubled for each next one (default 100 ms). */
  readonly backoffMs?: number;
  /** Limit per attempt (default 10 s). */
  readonly timeoutMs?: number;
}

/**
 * The sink the Knative SinkBinding convention gives this process: K_SINK (the resolved URL) and
 * K_CE_OVERRIDES (`{"extensions": {...}}`, set on every event sent). Throws a SinkError naming what
 * to do when K_SINK is unset or either variable is malformed.
 */
export function sinkFromEnv(env: NodeJS.ProcessEnv = process.env, options: SinkOptions = {}): EventSink {
  const url = env.K_SINK;
  if (!url) {
    throw new SinkError(
      'K_SINK is not set: this function sends events to its sink, which a SinkBinding gives it (eventing/render-sinkbinding.yaml ' +
        'binds the render Services to the Broker; `eventyard dev` honours it). Outside Knative, set K_SINK to a URL, e.g. http://127.0.0.1:8080/default/default',
    );
  }
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new SinkError(`K_SINK is not an http(s) URL: ${JSON.stringify(url)}`);
  return new HttpSink(url, overridesOf(env.K_CE_OVERRIDES), options);
}

function overridesOf(text: string | undefined): Record<string, string> {
  if (!text) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new SinkError(`K_CE_OVERRIDES is not JSON: ${JSON.stringify(text.slice(0, 200))}; expected {"extensions":{"name":"value"}}`);
  }
  const extensions = (parsed as { extensions?: unknown } | null)?.extensions ?? {};
  if (typeof extensions !== 'object' || extensions === null || Array.isArray(extensions)) {
    throw new SinkError(`K_CE_OVERRIDES "extensions" must be an object of strings, got ${JSON.stringify(text.slice(0, 200))}`);
  }
  return Object.fromEntries(Object.entries(extensions).map(([k, v]) => [k, String(v)]));
}

class HttpSink implements EventSink {
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(
    readonly url: string,
    private readonly overrides: Record<string, string>,
    options: SinkOptions,
  ) {
    this.attempts = Math.max(1, options.attempts ?? 4);
    this.backoffMs = options.backoffMs ?? 100;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async send(event: CloudEvent<unknown>): Promise<void> {
    const outgoing = Object.keys(this.overrides).length > 0 ? event.cloneWith(this.overrides, false) : event;
    const message = HTTP.binary(outgoing);
    // A string for JSON data, bytes for binary data.
    const body = message.body as BodyInit | undefined;
    let last = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, this.backoffMs * 2 ** (attempt - 2)));
      try {
        const response = await fetch(this.url, {
          method: 'POST',
          headers: message.headers as Record<string, string>,
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        const text = await response.text();
        if (response.ok) return;
        last = `answered ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
        if (response.status < 500 && response.status !== 429) break; // the sink refused the event: retrying cannot help
      } catch (err) {
        last = `failed: ${(err as Error).message}`;
      }
    }
    throw new SinkError(`sending ${outgoing.type} ${outgoing.id} to the sink ${this.url} ${last}`);
  }
}
