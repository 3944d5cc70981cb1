/** Waits after the 1st, 2nd, … failure in a row to reach a peer or start a process: quick, then every 30 s. */
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;

export function backoffAfterFailures(failures: number): number {
  return BACKOFF_MS[Math.min(Math.max(failures, 1), BACKOFF_MS.length) - 1]!;
}
