import { refOf, type BlobStore } from '../../src/function-kit/blob-store.js';
import { renderKeys } from '../../src/render/events.js';

/** How a rendering ends: its frame stitched, or a tile failed for good. */
export type Outcome = 'completed' | 'failed';

/** What renders/<id>/outcome.json holds. */
export interface OutcomeClaim {
  readonly outcome: Outcome;
  /** The event (source#id) that decided it. */
  readonly by: string;
  readonly at: string;
}

/**
 * Decides how a rendering ends, once: of every event that tries to complete or to fail it, across
 * racing instances, the first to create renders/<id>/outcome.json owns the outcome and the others
 * get false, so a rendering never both completes and fails. A redelivery of the owner's own event
 * owns it again, so a job whose instance died half-way is done by the broker's retry rather than
 * never.
 */
export async function claimOutcome(store: BlobStore, renderingId: string, outcome: Outcome, by: string): Promise<boolean> {
  const key = renderKeys.outcome(renderingId);
  const claim: OutcomeClaim = { outcome, by, at: new Date().toISOString() };
  if (await store.putIfAbsent(key, new TextEncoder().encode(JSON.stringify(claim)), 'application/json')) return true;
  const existing = await readOutcome(store, renderingId);
  return existing !== undefined && existing.outcome === outcome && existing.by === by;
}

/** The outcome of a rendering, if one was claimed. */
export async function readOutcome(store: BlobStore, renderingId: string): Promise<OutcomeClaim | undefined> {
  const bytes = await store.get(refOf(renderKeys.outcome(renderingId)));
  return bytes && (JSON.parse(new TextDecoder().decode(bytes)) as OutcomeClaim);
}
