import type { CloudEvent } from '../events/event.js';
import { decodeHttpEvent, looksLikeEvent, type HttpMessage } from '../events/http-binding.js';
import { HttpSender, TransportError, type HttpTarget } from './http-sender.js';
import { isRetryable, parseRetryAfter } from './retry-policy.js';

/** The outcome of one HTTP attempt to deliver an event, as the broker judges it. */
export type AttemptResult =
  | { readonly ok: true; readonly status: number; readonly reply?: CloudEvent }
  | {
      readonly ok: false;
      /** HTTP status, or undefined when no response came (connection refused, timeout). */
      readonly status: number | undefined;
      readonly retryable: boolean;
      readonly reason: string;
      readonly body: Buffer;
      readonly retryAfterMs?: number;
    };

const EMPTY = Buffer.alloc(0);

/** Whether a 2xx body must be a reply event (a Broker's subscriber) or is ignored (a source's sink). */
export type ReplyHandling = 'expected' | 'ignored';

/**
 * POSTs an encoded event and classifies the response per Knative (knative-spec §3.16-17, §4.2-4): 2xx with
 * a CloudEvent is a reply, an empty 2xx is done, a 2xx with any other body is a failure that is
 * retried (the MT broker-filter answers 502 for it).
 */
export async function attemptDelivery(
  sender: HttpSender,
  target: HttpTarget,
  request: HttpMessage,
  timeoutMs: number,
  replies: ReplyHandling = 'expected',
): Promise<AttemptResult> {
  let response;
  try {
    response = await sender.post(target, request.headers, request.body, timeoutMs);
  } catch (err) {
    const reason = err instanceof TransportError ? err.message : String(err);
    return { ok: false, status: undefined, retryable: true, reason, body: EMPTY };
  }
  const { status, headers, body } = response;
  if (status < 200 || status > 299) {
    return {
      ok: false,
      status,
      retryable: isRetryable(status),
      reason: `subscriber answered ${status}`,
      body,
      retryAfterMs: parseRetryAfter(headers['retry-after']),
    };
  }
  // A source's sink may answer anything: its reply is not forwarded (knative-spec §4.12).
  if (replies === 'ignored') return { ok: true, status };
  if (looksLikeEvent(headers)) {
    try {
      return { ok: true, status, reply: decodeHttpEvent(headers, body) };
    } catch (err) {
      return { ok: false, status: 502, retryable: true, reason: `reply is not a valid CloudEvent: ${(err as Error).message}`, body };
    }
  }
  if (body.length === 0) return { ok: true, status };
  return {
    ok: false,
    status: 502,
    retryable: true,
    reason: `subscriber answered ${status} with a body that is not a CloudEvent (a function under a Broker must return a CloudEvent or nothing)`,
    body,
  };
}
