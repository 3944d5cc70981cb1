// The meter stands in for what queue-proxy and the activator report to Knative's autoscaler
// (Serving pkg/autoscaler/aggregation/bucketing.go WindowAverage): time-weighted concurrency and
// arrivals per second, averaged over the stable and panic windows. Times are fed directly.
import { describe, expect, it } from 'vitest';
import { ConcurrencyMeter } from './concurrency-meter.js';

const TICK = 2000;

/** Samples every tick from `from` (exclusive) up to and including `to`. */
function tick(meter: ConcurrencyMeter, from: number, to: number): void {
  for (let t = from + TICK; t <= to; t += TICK) meter.sample(t);
}

describe('ConcurrencyMeter', () => {
  it('has no average before the first sample, like Knative with no data (ErrNoData)', () => {
    const meter = new ConcurrencyMeter(0, 60_000);
    meter.start(100);
    expect(meter.average(1000, 60_000)).toBeUndefined();
    expect(meter.current).toBe(1);
  });

  it('averages a constant concurrency over the window', () => {
    const meter = new ConcurrencyMeter(0, 60_000);
    for (let i = 0; i < 3; i++) meter.start(0);
    tick(meter, 0, 60_000);
    expect(meter.average(60_000, 60_000)).toEqual({ concurrency: 3, rps: 3 / 60 });
    expect(meter.average(60_000, 6_000)).toEqual({ concurrency: 3, rps: 0 });
  });

  it('weights requests by the time they were in flight, across sampling intervals', () => {
    const meter = new ConcurrencyMeter(0, 60_000);
    meter.start(1000); // in flight 1000..5000: half of the first interval, all of the second, half of the third
    meter.sample(2000);
    meter.sample(4000);
    meter.end(5000);
    meter.sample(6000);
    expect(meter.average(6000, 2000)!.concurrency).toBe(0.5);
    expect(meter.average(6000, 4000)!.concurrency).toBe(0.75);
    expect(meter.average(6000, 6000)!.concurrency).toBeCloseTo(4000 / 6000, 12);
    expect(meter.current).toBe(0);
  });

  it('averages a partial window over the time observed so far, not the whole window', () => {
    // bucketing.go: "if firstWrite was 6 seconds ago, the average will be over these 6 seconds
    // worth of buckets, even if the window is 60s".
    const meter = new ConcurrencyMeter(0, 60_000);
    for (let i = 0; i < 4; i++) meter.start(0);
    tick(meter, 0, 6000);
    expect(meter.average(6000, 60_000)).toEqual({ concurrency: 4, rps: 4 / 6 });
  });

  it('counts idle time inside the window as zero concurrency (gaps shorter than the window are zeros)', () => {
    const meter = new ConcurrencyMeter(0, 60_000);
    meter.start(0);
    meter.end(2000);
    tick(meter, 0, 10_000);
    expect(meter.average(10_000, 60_000)!.concurrency).toBeCloseTo(0.2, 12);
    // The panic window (last 6 s) saw nothing.
    expect(meter.average(10_000, 6000)!.concurrency).toBe(0);
  });

  it('gives a long interval without a sample the same time-weighted average', () => {
    const meter = new ConcurrencyMeter(0, 60_000);
    meter.start(0);
    meter.end(2000);
    meter.sample(10_000); // one 10 s interval instead of five ticks
    expect(meter.average(10_000, 60_000)!.concurrency).toBeCloseTo(0.2, 12);
  });

  it('falls to zero, not undefined, once a whole window has passed without traffic', () => {
    // bucketing.go: "Nothing for more than a window time, just 0."
    const meter = new ConcurrencyMeter(0, 60_000);
    for (let i = 0; i < 10; i++) meter.start(0);
    tick(meter, 0, 10_000);
    for (let i = 0; i < 10; i++) meter.end(10_000);
    tick(meter, 10_000, 70_000);
    expect(meter.average(70_000, 60_000)).toEqual({ concurrency: 0, rps: 0 });
    expect(meter.average(70_000, 6000)).toEqual({ concurrency: 0, rps: 0 });
  });

  it('leaves an interval ending exactly at the window edge out', () => {
    const meter = new ConcurrencyMeter(0, 60_000);
    for (let i = 0; i < 10; i++) meter.start(0);
    meter.sample(2000); // 10 in flight over (0, 2000]
    for (let i = 0; i < 10; i++) meter.end(2000);
    tick(meter, 2000, 8000);
    // A 6 s window at 8000 covers (2000, 8000]: the busy interval ends at its edge.
    expect(meter.average(8000, 6000)!.concurrency).toBe(0);
    expect(meter.average(8000, 6001)!.concurrency).toBeCloseTo(20_000 / 8000, 12);
  });

  it('measures requests per second from arrivals, however short the requests', () => {
    const meter = new ConcurrencyMeter(0, 60_000);
    for (let t = 0; t < 6000; t += 100) {
      if (t > 0 && t % TICK === 0) meter.sample(t);
      if (t >= 5000) continue;
      meter.start(t);
      meter.end(t);
    }
    meter.sample(6000);
    // 50 arrivals in 6 s; none of them held any concurrency.
    expect(meter.average(6000, 6000)).toEqual({ concurrency: 0, rps: 50 / 6 });
    // The last 2 s interval (4000, 6000] saw 10 of them.
    expect(meter.average(6000, 2000)!.rps).toBe(5);
  });

  it('counts a request held before any instance exists, so a burst at zero is seen at once', () => {
    const meter = new ConcurrencyMeter(0, 60_000);
    tick(meter, 0, 58_000);
    for (let i = 0; i < 30; i++) meter.start(58_000); // held by the activator
    meter.sample(60_000);
    expect(meter.average(60_000, 6000)!.concurrency).toBe(10);
    expect(meter.average(60_000, 60_000)!.concurrency).toBe(1);
  });

  it('forgets intervals older than it keeps', () => {
    const meter = new ConcurrencyMeter(0, 6000);
    for (let i = 0; i < 5; i++) meter.start(0);
    tick(meter, 0, 4000);
    for (let i = 0; i < 5; i++) meter.end(4000);
    tick(meter, 4000, 20_000);
    // Asked for 60 s but keeps only 6 s: only the idle intervals are left.
    expect(meter.average(20_000, 60_000)).toEqual({ concurrency: 0, rps: 0 });
  });
});
