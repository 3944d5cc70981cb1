import { refOf, type BlobStore } from '../../src/function-kit/blob-store.js';

/**
 * Makes `owner` (an event) the one that does a job, once across racing instances: the first to
 * create `key` owns it. A redelivery of the owner's own event owns it again, so a job whose
 * instance died half-way is done by the broker's retry rather than never.
 */
export async function claimOnce(store: BlobStore, key: string, owner: string): Promise<boolean> {
  const bytes = new TextEncoder().encode(JSON.stringify({ owner, at: new Date().toISOString() }));
  if (await store.putIfAbsent(key, bytes, 'application/json')) return true;
  const existing = await store.get(refOf(key));
  return existing !== undefined && (JSON.parse(new TextDecoder().decode(existing)) as { owner: string }).owner === owner;
}
