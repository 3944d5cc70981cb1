/** What happened to the events a Trigger matched. Every matched event ends in exactly one of
 *  delivered, deadLettered or dropped, or is still inFlight. */
export interface TriggerCounts {
  matched: number;
  delivered: number;
  /** Retries made (attempts after the first), across all events. */
  retried: number;
  deadLettered: number;
  /** Failed with no dead-letter sink, or the dead-letter sink failed too. */
  dropped: number;
  inFlight: number;
  /** Replies published back into the broker. */
  replies: number;
}

export function emptyCounts(): TriggerCounts {
  return { matched: 0, delivered: 0, retried: 0, deadLettered: 0, dropped: 0, inFlight: 0, replies: 0 };
}

export type DeliveryFate = 'delivered' | 'dead-lettered' | 'dropped';

/** One finished delivery, kept in a bounded list for `GET /_/deliveries`. */
export interface DeliveryRecord {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly trigger: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly fate: DeliveryFate;
  readonly attempts: number;
  readonly status: number | undefined;
  readonly reason?: string;
  readonly destination: string;
  readonly reply?: { readonly id: string; readonly type: string; readonly accepted: boolean };
}

/** A fixed-size ring: old entries fall off, memory stays bounded. */
export class RecentList<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(readonly capacity: number) {}

  push(item: T): void {
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Newest first. */
  list(): T[] {
    const ordered = [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
    return ordered.reverse();
  }
}
