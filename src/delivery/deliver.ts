import { setTimeout as sleep } from 'node:timers/promises';
import type { HttpMessage } from '../events/http-binding.js';
import { attemptDelivery, type AttemptResult, type ReplyHandling } from './attempt.js';
import type { ConcurrencyGate } from './concurrency-gate.js';
import type { HttpSender, HttpTarget } from './http-sender.js';
import { retryDelayMs, type RetryPolicy } from './retry-policy.js';

export interface DeliveryRequest {
  readonly sender: HttpSender;
  readonly target: HttpTarget;
  /** The event, encoded with every header it is sent with. */
  readonly request: HttpMessage;
  readonly policy: RetryPolicy;
  /** Default 'expected': a Trigger's subscriber answers with a reply event or nothing. */
  readonly replies?: ReplyHandling;
  /** The caller holds a slot of this gate; it is given up while waiting for a retry. */
  readonly gate?: ConcurrencyGate;
  /** Aborted when the runtime stops: no further retries are started. */
  readonly signal?: AbortSignal;
  /** Called after every attempt, with its 1-based number and duration, e.g. to log it. */
  readonly onAttempt?: (attempt: number, result: AttemptResult, ms: number, willRetry: boolean) => void;
}

export interface DeliveryOutcome {
  readonly result: AttemptResult;
  readonly attempts: number;
}

/** Delivers with the Trigger's retries and backoff; returns the last attempt's result. */
export async function deliverWithRetries(request: DeliveryRequest): Promise<DeliveryOutcome> {
  const { sender, target, policy, gate, signal, onAttempt } = request;
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    const result = await attemptDelivery(sender, target, request.request, policy.timeoutMs, request.replies);
    const willRetry = !result.ok && result.retryable && attempt <= policy.retries && !signal?.aborted;
    onAttempt?.(attempt, result, performance.now() - started, willRetry);
    if (!willRetry) return { result, attempts: attempt };
    const wait = retryDelayMs(policy, attempt, result.status, result.retryAfterMs);
    if (wait > 0) {
      // A backoff must not hold a connection slot: other events of the Trigger go on meanwhile.
      gate?.release();
      try {
        await sleep(wait, undefined, { signal });
      } catch {
        await gate?.acquire();
        return { result, attempts: attempt }; // stopped while waiting
      }
      await gate?.acquire();
    }
  }
}
