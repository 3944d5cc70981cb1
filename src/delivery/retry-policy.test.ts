import { describe, expect, it } from 'vitest';
import { backoffMs, isRetryable, parseRetryAfter, retryDelayMs, retryPolicyOf } from './retry-policy.js';

describe('backoff schedule (MT index: retry k waits Backoff(k-1))', () => {
  it('exponential: d, 2d, 4d, 8d', () => {
    const p = retryPolicyOf({ retry: 4, backoffPolicy: 'exponential', backoffDelayMs: 200 });
    expect([1, 2, 3, 4].map((k) => backoffMs(p, k))).toEqual([200, 400, 800, 1600]);
  });

  it('linear: 0, d, 2d, 3d', () => {
    const p = retryPolicyOf({ retry: 4, backoffPolicy: 'linear', backoffDelayMs: 200 });
    expect([1, 2, 3, 4].map((k) => backoffMs(p, k))).toEqual([0, 200, 400, 600]);
  });

  it('no wait unless both policy and delay are set', () => {
    expect(backoffMs(retryPolicyOf({ retry: 2, backoffDelayMs: 200 }), 2)).toBe(0);
    expect(backoffMs(retryPolicyOf({ retry: 2, backoffPolicy: 'linear' }), 2)).toBe(0);
  });

  it('Retry-After only with retryAfterMax, only on 429/503, capped, never below the backoff', () => {
    const p = retryPolicyOf({ retry: 2, backoffPolicy: 'exponential', backoffDelayMs: 100, retryAfterMaxMs: 5000 });
    expect(retryDelayMs(p, 1, 429, 3000)).toBe(3000);
    expect(retryDelayMs(p, 1, 503, 60_000)).toBe(5000);
    expect(retryDelayMs(p, 1, 500, 3000)).toBe(100);
    expect(retryDelayMs(p, 1, 429, 10)).toBe(100);
    expect(retryDelayMs(retryPolicyOf({ retry: 2 }), 1, 429, 3000)).toBe(0);
  });
});

describe('retryable statuses', () => {
  it.each([undefined, 404, 408, 409, 429, 500, 501, 502, 503, 504, 599])('%s is retried', (s) => expect(isRetryable(s)).toBe(true));
  it.each([400, 401, 403, 405, 410, 413, 422, 300, 302])('%s is final', (s) => expect(isRetryable(s)).toBe(false));
});

it('parses Retry-After as seconds or an HTTP date', () => {
  expect(parseRetryAfter('3')).toBe(3000);
  expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
  expect(parseRetryAfter('soon')).toBeUndefined();
});
