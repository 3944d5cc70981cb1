import type { CloudEvent } from '../events/event.js';
import { encodeHttpEvent, type ContentMode, type HttpMessage } from '../events/http-binding.js';

/** An event inside a broker, between ingress and the Triggers. */
export class BrokerMessage {
  private readonly encoded: Partial<Record<ContentMode, HttpMessage>> = {};

  constructor(
    /** The event as subscribers see it: with knativearrivaltime, without knativebrokerttl. */
    readonly event: CloudEvent,
    /** Hops left before the loop guard drops it (knativebrokerttl, knative-spec §4.7). */
    readonly ttl: number,
    /** Request headers Knative forwards to subscribers (x-request-id, knative-*, x-b3-*, retry-after). */
    readonly passthroughHeaders: Readonly<Record<string, string>>,
    /** The broker's namespace, sent as Kn-Namespace. */
    readonly namespace: string,
  ) {}

  /**
   * The request every Trigger of the broker sends to its subscriber. It is the same for all of them,
   * so it is encoded once per event, not once per matching Trigger.
   */
  subscriberRequest(mode: ContentMode): HttpMessage {
    let message = this.encoded[mode];
    if (!message) {
      const { headers, body } = encodeHttpEvent(this.event, mode);
      message = { headers: { ...this.passthroughHeaders, prefer: 'reply', 'kn-namespace': this.namespace, ...headers }, body };
      this.encoded[mode] = message;
    }
    return message;
  }
}

const PASSTHROUGH_EXACT = new Set(['x-request-id', 'retry-after']);
const PASSTHROUGH_PREFIXES = ['knative-', 'x-b3-'];

export function passthroughHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name in headers) {
    if (PASSTHROUGH_EXACT.has(name) || PASSTHROUGH_PREFIXES.some((p) => name.startsWith(p))) {
      const value = headers[name];
      if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return out;
}
