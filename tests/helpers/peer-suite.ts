// vitest only when running under it: the peer helpers also serve plain scripts (benches, the soak).
const vitest = process.env.VITEST ? await import('vitest') : undefined;

/** Whether an external test peer (a Kafka, a browser, Blender) can be used here, and if not why. */
export interface PeerStatus {
  readonly available: boolean;
  readonly reason?: string;
}

const noticed = new Set<string>();

/**
 * `describe` for suites that need an external test peer. Without it the suite is skipped, the
 * reason printed once to stderr; with REQUIRE_PEERS=1 (CI) it fails instead, saying how to install
 * the peer — a failing test rather than a collection error, so the summary counts it.
 */
export function describeWithPeer(peer: string, status: PeerStatus, install: string, name: string, fn: () => void): void {
  if (!vitest) throw new Error('describeWithPeer runs only under vitest');
  const { describe, it } = vitest;
  if (status.available) {
    describe(name, fn);
    return;
  }
  const message = `${peer} test peer unavailable: ${status.reason}. Install it with: ${install} (Debian 12, as root)`;
  if (process.env.REQUIRE_PEERS === '1') {
    describe(name, () => {
      it(`has its ${peer} test peer (REQUIRE_PEERS=1)`, () => {
        throw new Error(message);
      });
    });
    return;
  }
  if (!noticed.has(peer)) {
    noticed.add(peer);
    process.stderr.write(`${message}. Skipping its suites (REQUIRE_PEERS=1 makes this a failure).\n`);
  }
  // Skipped only for a missing peer, with the reason printed above; CI (REQUIRE_PEERS=1) never gets here.
  describe.skip(name, fn);
}
