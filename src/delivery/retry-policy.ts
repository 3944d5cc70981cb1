import type { BackoffPolicy, DeliverySpec } from '../manifests/delivery.js';

/** config-br-defaults of a stock Knative install: what a Broker without spec.delivery gets. */
export const BROKER_DEFAULT_DELIVERY: DeliverySpec = { retry: 10, backoffPolicy: 'exponential', backoffDelayMs: 200 };

/**
 * Per-attempt timeout when the manifest sets none. The MT broker has no limit at all; this follows
 * the Kafka broker's 600 s so that a hung subscriber cannot hold a delivery forever.
 */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 600_000;

export interface RetryPolicy {
  /** Retries after the first attempt: attempts = retries + 1. */
  readonly retries: number;
  readonly backoffPolicy?: BackoffPolicy;
  readonly backoffDelayMs?: number;
  readonly timeoutMs: number;
  /** Set only when the manifest sets retryAfterMax (Knative's delivery-retryafter feature). */
  readonly retryAfterMaxMs?: number;
}

export function retryPolicyOf(spec: DeliverySpec): RetryPolicy {
  return {
    retries: spec.retry ?? 0,
    backoffPolicy: spec.backoffPolicy,
    backoffDelayMs: spec.backoffDelayMs,
    timeoutMs: spec.timeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
    retryAfterMaxMs: spec.retryAfterMaxMs,
  };
}

/**
 * Wait before retry k (k = 1, 2, …), following the MT broker: go-retryablehttp hands the backoff the
 * 0-based attempt index, so linear waits 0, d, 2d, … and exponential waits d, 2d, 4d, …
 * Without both a policy and a delay, MT retries at once.
 */
export function backoffMs(policy: RetryPolicy, retry: number): number {
  const { backoffPolicy, backoffDelayMs } = policy;
  if (backoffPolicy === undefined || backoffDelayMs === undefined) return 0;
  const n = retry - 1;
  return backoffPolicy === 'linear' ? backoffDelayMs * n : backoffDelayMs * 2 ** n;
}

/** The wait before a retry, honouring Retry-After on 429/503 only when retryAfterMax is set (MT). */
export function retryDelayMs(policy: RetryPolicy, retry: number, status: number | undefined, retryAfterMs: number | undefined): number {
  const backoff = backoffMs(policy, retry);
  if (policy.retryAfterMaxMs === undefined || retryAfterMs === undefined || (status !== 429 && status !== 503)) return backoff;
  return Math.max(backoff, Math.min(retryAfterMs, policy.retryAfterMaxMs));
}

/** Knative's retryable set: no response, any 5xx, 404, 408, 409, 429. Everything else is final. */
export function isRetryable(status: number | undefined): boolean {
  if (status === undefined) return true;
  return status >= 500 || status === 404 || status === 408 || status === 409 || status === 429;
}

/** Retry-After as delta-seconds or an HTTP date, in milliseconds from now. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return undefined;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
