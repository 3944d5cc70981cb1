// The fuzz loop: generates requests, sends them with bounded concurrency, judges every answer.
// Runs in a worker thread (fuzz-worker.ts), so that the client has a core and the runtime another.
import { generateCase, type FuzzCase } from './generate.js';
import { RawClient, type Outcome } from './raw-http.js';

export interface FuzzOptions {
  readonly port: number;
  readonly host: string;
  readonly seed: number;
  readonly indexes: readonly number[];
  readonly concurrency: number;
  readonly hangMs: number;
  readonly maxBodyBytes: number;
}

export interface FuzzResult {
  readonly byStatus: Record<string, number>;
  readonly byLabel: Record<string, number>;
  /** The first 20 bad answers, described with their request. */
  readonly failures: string[];
  readonly failureCount: number;
  /** 202 answers: events the broker accepted. */
  readonly accepted: number;
  readonly connections: number;
  readonly seconds: number;
}

export function describeOutcome(outcome: Outcome, hangMs: number): string {
  if (outcome.kind === 'timeout') return `no answer within ${hangMs} ms`;
  if (outcome.kind === 'dropped') return `dropped: ${outcome.reason}`;
  const { status, body } = outcome.response;
  return `${status} ${JSON.stringify(body.subarray(0, 200).toString('utf8'))}`;
}

/** What is wrong with the answer to `c`, or undefined when it is right. */
export function judge(c: FuzzCase, outcome: Outcome, hangMs: number): string | undefined {
  if (outcome.kind === 'timeout') return describeOutcome(outcome, hangMs);
  // Only a request that is not HTTP may lose its connection (Node's parser may close without a word).
  if (outcome.kind === 'dropped') return c.malformed ? undefined : describeOutcome(outcome, hangMs);
  const { status, body } = outcome.response;
  if (c.expectStatus !== undefined && status !== c.expectStatus) return `expected ${c.expectStatus}, got ${describeOutcome(outcome, hangMs)}`;
  if (status >= 500) return `server error ${describeOutcome(outcome, hangMs)}`;
  if (status < 200 || (status >= 300 && status < 400)) return `unexpected status ${describeOutcome(outcome, hangMs)}`;
  // Node's parser answers a request that is not HTTP with a bare 400/431; the ingress always says why.
  if (status >= 400 && !c.malformed && body.toString('utf8').trim() === '') return `${status} without a reason`;
  return undefined;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const byStatus: Record<string, number> = {};
  const byLabel: Record<string, number> = {};
  const failures: string[] = [];
  let failureCount = 0;
  let accepted = 0;
  let connections = 0;
  let next = 0;
  const started = performance.now();

  const worker = async () => {
    const client = new RawClient(o.port);
    let previous: string | undefined;
    while (next < o.indexes.length) {
      const index = o.indexes[next++]!;
      const c = generateCase(o.seed, index, { maxBodyBytes: o.maxBodyBytes, host: o.host });
      const outcome = await client.send(c, o.hangMs);
      const key = outcome.kind === 'response' ? String(outcome.response.status) : outcome.kind;
      byStatus[key] = (byStatus[key] ?? 0) + 1;
      byLabel[c.label] = (byLabel[c.label] ?? 0) + 1;
      if (outcome.kind === 'response' && outcome.response.status === 202) accepted++;
      const wrong = judge(c, outcome, o.hangMs);
      if (wrong) {
        failureCount++;
        if (failures.length < 20) {
          const connection = client.reused ? `, on the connection of ${previous}` : '';
          const body = Buffer.concat(c.body);
          failures.push(
            `#${index} [${c.label}${connection}] ${wrong}\n    request head: ${JSON.stringify(c.head.subarray(0, 600).toString('latin1'))}\n    body: ${body.length} bytes, starts ${JSON.stringify(body.subarray(0, 120).toString('latin1'))}`,
          );
        }
      }
      previous = `#${index} [${c.label}]`;
    }
    client.close();
    connections += client.connections;
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return { byStatus, byLabel, failures, failureCount, accepted, connections, seconds: (performance.now() - started) / 1000 };
}
