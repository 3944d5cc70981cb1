/**
 * At most `limit` deliveries of one Trigger hold a connection at a time; the others wait here in
 * arrival order as a single closure each, instead of as a queued HTTP request with its buffers.
 * Under a burst that keeps memory (and garbage collection) proportional to the limit.
 */
export class ConcurrencyGate {
  private active = 0;
  private waiting: (() => void)[] = [];
  private head = 0;

  constructor(private readonly limit: number) {}

  /** Calls `start` once a slot is free; whoever runs must call release() when done with it. */
  enter(start: () => void): void {
    if (this.active < this.limit) {
      this.active++;
      start();
    } else {
      this.waiting.push(start);
    }
  }

  /** Waits for a slot (used to come back after a retry backoff). */
  acquire(): Promise<void> {
    return new Promise((resolve) => this.enter(resolve));
  }

  /** Frees a slot, handing it straight to the longest waiter if there is one. */
  release(): void {
    if (this.head < this.waiting.length) {
      const next = this.waiting[this.head]!;
      this.waiting[this.head++] = noop; // drop the reference; the slot passes on
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.head);
        this.head = 0;
      }
      next();
    } else {
      this.active--;
    }
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }
}

function noop(): void {}
