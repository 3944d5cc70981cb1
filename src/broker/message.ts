import type { CloudEvent } from '../events/event.js';

/** An event inside a broker, between ingress and the Triggers. */
export interface BrokerMessage {
  /** The event as subscribers see it: with knativearrivaltime, without knativebrokerttl. */
  readonly event: CloudEvent;
  /** Hops left before the loop guard drops it (knativebrokerttl, knative-spec §4.7). */
  readonly ttl: number;
  /** Request headers Knative forwards to subscribers (x-request-id, knative-*, x-b3-*, retry-after). */
  readonly passthroughHeaders: Readonly<Record<string, string>>;
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
