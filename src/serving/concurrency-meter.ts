/** One closed sampling interval: how busy the Service was in it. */
interface Bucket {
  readonly end: number;
  readonly durationMs: number;
  /** Integral of requests in flight over the interval, in request·ms. */
  readonly busyMs: number;
  readonly arrivals: number;
}

export interface Observed {
  /** Average requests in flight (held by the activator or at an instance). */
  readonly concurrency: number;
  /** Requests per second that arrived. */
  readonly rps: number;
}

/**
 * Time-weighted concurrency of a Service, as queue-proxy and the activator report it to the
 * autoscaler: requests still waiting for an instance count too, so a burst at zero is seen at once.
 */
export class ConcurrencyMeter {
  private inFlight = 0;
  private since: number;
  private busyMs = 0;
  private arrivals = 0;
  private buckets: Bucket[] = [];
  private bucketStart: number;

  constructor(
    now: number,
    private readonly keepMs: number,
  ) {
    this.since = now;
    this.bucketStart = now;
  }

  get current(): number {
    return this.inFlight;
  }

  start(now: number): void {
    this.advance(now);
    this.inFlight++;
    this.arrivals++;
  }

  end(now: number): void {
    this.advance(now);
    this.inFlight--;
  }

  /** Closes the current interval; called on every autoscaler tick. */
  sample(now: number): void {
    this.advance(now);
    this.buckets.push({ end: now, durationMs: Math.max(1, now - this.bucketStart), busyMs: this.busyMs, arrivals: this.arrivals });
    this.bucketStart = now;
    this.busyMs = 0;
    this.arrivals = 0;
    const horizon = now - this.keepMs;
    while (this.buckets.length > 0 && this.buckets[0]!.end <= horizon) this.buckets.shift();
  }

  /** Averages over the closed intervals that ended within the window; undefined before the first. */
  average(now: number, windowMs: number): Observed | undefined {
    let duration = 0;
    let busy = 0;
    let arrivals = 0;
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      const b = this.buckets[i]!;
      if (b.end <= now - windowMs) break;
      duration += b.durationMs;
      busy += b.busyMs;
      arrivals += b.arrivals;
    }
    if (duration === 0) return undefined;
    return { concurrency: busy / duration, rps: (arrivals * 1000) / duration };
  }

  private advance(now: number): void {
    this.busyMs += this.inFlight * (now - this.since);
    this.since = now;
  }
}
