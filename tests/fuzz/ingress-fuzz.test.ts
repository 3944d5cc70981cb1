// Fuzz of the broker ingress (knative-spec §1) against the real runtime over real sockets: at least
// 100,000 seeded requests — mutated binary and structured events, batches, garbage, other methods
// and paths, slow senders, bodies over the limit, and bytes that are not HTTP at all. Every request
// must be answered, 2xx or 4xx (never 5xx, never a drop, never a hang), every 4xx with a reason;
// afterwards the runtime still delivers, and the heap is back to its baseline.
//
// FUZZ_SEED=<n> picks the seed (printed in every summary and failure), FUZZ_REQUESTS=<n> the count,
// FUZZ_ONLY=<i>[,<j>…] replays single requests of that seed, FUZZ_INLINE=1 runs the client in this
// thread instead of a worker thread (by default the client has its own thread, the runtime this one).
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BROKER_YAML, startProject, trigger, type RunningProject } from '../helpers/project.js';
import { Subscriber } from '../helpers/subscriber.js';
import { Worker } from 'node:worker_threads';
import { RawClient } from './raw-http.js';
import { describeOutcome, runFuzz, type FuzzOptions, type FuzzResult } from './run-fuzz.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : 0x5eed_1e55;
const REQUESTS = process.env.FUZZ_REQUESTS ? Number(process.env.FUZZ_REQUESTS) : 100_000;
const ONLY = process.env.FUZZ_ONLY?.split(',').map(Number);
const CONCURRENCY = 32;
/** Not a timing assertion: a request unanswered this long is a hang (the server's own requestTimeout is 60 s). */
const HANG_MS = 20_000;
const MAX_BODY_BYTES = 4 * 1024 * 1024; // the runtime's default limit, which is what users get
/** Valid events sent before the baseline and again before the final measure: fills the runtime's ring buffers (100 events, 500 deliveries). */
const WARM_EVENTS = 600;
/**
 * Allowed heap growth over the baseline after the run. Everything the fuzz sent is gone by then
 * (ring buffers refilled with the same warm-up events, subscriber log emptied, client sockets
 * closed), so what remains is V8 noise (compiled code, inline caches, allocation-site feedback):
 * a few MiB. 16 MiB over 100,000 requests is 168 bytes a request: a leak of anything per request
 * (a listener, a buffer, a map entry, a socket) goes over it.
 */
const HEAP_MARGIN_BYTES = 16 * 1024 * 1024;

let sub: Subscriber;
let project: RunningProject;
let port: number;
let host: string;
/** Deliveries that ended other than delivered, by fate, status and reason. */
const unsuccessful = new Map<string, number>();
/** Deliveries the subscriber got, counted as its log is emptied (the log would otherwise hold every accepted event). */
let delivered = 0;

beforeAll(async () => {
  sub = await Subscriber.start();
  project = await startProject({
    'eventing/broker.yaml': BROKER_YAML,
    'triggers/all.yaml': trigger('all', `  broker: default\n  subscriber:\n    uri: ${sub.url('/all')}`),
  });
  // Observe (not alter) the deliveries that did not succeed, to say why in the summary.
  const recent = project.dev.runtime.recent;
  const push = recent.push.bind(recent);
  recent.push = (record) => {
    if (record.fate !== 'delivered') {
      const key = `${record.fate} ${record.status ?? '-'} ${record.reason ?? ''}`.slice(0, 160);
      unsuccessful.set(key, (unsuccessful.get(key) ?? 0) + 1);
    }
    push(record);
  };
  const url = new URL(project.dev.url);
  port = Number(url.port);
  host = url.host;
});
afterAll(async () => {
  await project?.close();
  await sub?.close();
});

function forceGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 50)); // let closed sockets and timers finish their callbacks
  }
  gc();
  return process.memoryUsage().heapUsed;
}

function drainSubscriberLog(): void {
  delivered += sub.received.splice(0).length;
}

/**
 * Waits until the Trigger has matched every accepted event and none is in flight. Each ends
 * delivered, or dropped where the subscriber refused it (an event whose attributes, percent-encoded
 * again for the subscriber, pass Node's 16 KiB header limit gets a 431 there): that is the
 * subscriber's limit, not the ingress's, so it is counted, not failed.
 */
async function settleDeliveries(accepted: number): Promise<{ delivered: number; dropped: number; deadLettered: number }> {
  const counts = project.dev.runtime.dispatchers[0]!.counts;
  const deadline = Date.now() + 120_000;
  while (counts.matched < accepted || counts.inFlight > 0) {
    drainSubscriberLog();
    if (Date.now() > deadline) throw new Error(`deliveries did not settle: ${JSON.stringify(counts)}, ${accepted} accepted`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  drainSubscriberLog();
  expect(counts.matched).toBe(accepted);
  expect(counts.delivered + counts.dropped + counts.deadLettered).toBe(accepted);
  return { delivered: counts.delivered, dropped: counts.dropped, deadLettered: counts.deadLettered };
}

/** Runs the fuzz loop in a worker thread (the client gets its own core); in this thread if FUZZ_INLINE=1. */
function fuzzInWorker(options: FuzzOptions): Promise<FuzzResult> {
  if (process.env.FUZZ_INLINE === '1') return runFuzz(options);
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./fuzz-worker.mjs', import.meta.url), { workerData: options });
    worker.once('message', (result: FuzzResult) => resolve(result));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`fuzz worker exited with ${code} before it reported`)));
  });
}

/** Sends the same WARM_EVENTS valid events (through the fuzz client); all must be 202. */
async function warm(client: RawClient, round: string): Promise<void> {
  for (let i = 0; i < WARM_EVENTS; i++) {
    const body = Buffer.from(JSON.stringify({ trainId: 'train-1', seq: i, predictions: [{ label: 'stop', score: 0.93 }] }));
    const head = Buffer.from(
      `POST /default/default HTTP/1.1\r\nhost: ${host}\r\nce-specversion: 1.0\r\nce-id: warm-${round}-${i}\r\nce-source: /warm\r\nce-type: dev.eventyard.warm\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`,
    );
    const outcome = await client.send({ head, body: [body], pauseMs: 0, malformed: false }, HANG_MS);
    if (outcome.kind !== 'response' || outcome.response.status !== 202) throw new Error(`warm-up event ${i} was not accepted: ${describeOutcome(outcome, HANG_MS)}`);
  }
}

it(
  `answers ${REQUESTS} fuzzed requests with 2xx or a 4xx and a reason, stays up, and does not leak (seed ${SEED})`,
  async () => {
    const gc = forceGc();
    const warmClient = new RawClient(port);
    await warm(warmClient, 'before');
    let accepted = WARM_EVENTS;
    await settleDeliveries(accepted);
    sub.received.splice(0);
    const baseline = await settledHeap(gc);

    const indexes = ONLY ?? Array.from({ length: REQUESTS }, (_, i) => i);
    // The subscriber logs every request it gets; empty the log as the run goes, or it holds them all.
    const drain = setInterval(drainSubscriberLog, 200);
    let result: FuzzResult;
    try {
      result = await fuzzInWorker({ port, host, seed: SEED, indexes, concurrency: CONCURRENCY, hangMs: HANG_MS, maxBodyBytes: MAX_BODY_BYTES });
    } finally {
      clearInterval(drain);
    }
    accepted += result.accepted;

    const statuses = Object.entries(result.byStatus).sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}=${n}`).join(' ');
    const labels = Object.entries(result.byLabel).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k}=${n}`).join(' ');
    console.log(`ingress fuzz: seed=${SEED} requests=${indexes.length} in ${result.seconds.toFixed(1)} s over ${result.connections} connections; statuses: ${statuses}`);
    console.log(`ingress fuzz: cases: ${labels}`);
    const reproduce = `reproduce: FUZZ_SEED=${SEED} FUZZ_ONLY=<#> npx vitest run tests/fuzz/ingress-fuzz.test.ts`;
    expect(result.failures, `${result.failureCount} bad answer(s), seed ${SEED}; ${reproduce}\n${result.failures.join('\n')}`).toEqual([]);

    // Still up: valid events are accepted and delivered.
    const check = new RawClient(port);
    await warm(check, 'after'); // the same events as before the baseline: the ring buffers hold the same again
    accepted += WARM_EVENTS;
    const body = Buffer.from('{"after":"fuzz"}');
    const final = await check.send(
      {
        head: Buffer.from(`POST /default/default HTTP/1.1\r\nhost: ${host}\r\nce-specversion: 1.0\r\nce-id: after-fuzz\r\nce-source: /fuzz\r\nce-type: t\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n`),
        body: [body],
        pauseMs: 0,
        malformed: false,
      },
      HANG_MS,
    );
    expect(describeOutcome(final, HANG_MS)).toBe('202 ""');
    accepted += 1;
    const got = await sub.waitForId('/all', 'after-fuzz');
    expect(got.body.toString()).toBe('{"after":"fuzz"}');
    const fates = await settleDeliveries(accepted);
    console.log(`ingress fuzz: ${accepted} accepted events (warm-up included): ${fates.delivered} delivered, ${fates.dropped} dropped by the subscriber's limits, ${fates.deadLettered} dead-lettered; ${delivered} reached the subscriber`);
    if (unsuccessful.size > 0) console.log(`ingress fuzz: not delivered: ${JSON.stringify([...unsuccessful])}`);
    check.close();
    warmClient.close();

    sub.received.splice(0);
    const after = await settledHeap(gc);
    const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
    console.log(`ingress fuzz: heapUsed baseline ${mib(baseline)}, after ${mib(after)} (growth ${mib(after - baseline)}, margin ${mib(HEAP_MARGIN_BYTES)})`);
    expect(after - baseline, `heap grew from ${mib(baseline)} to ${mib(after)} (seed ${SEED})`).toBeLessThan(HEAP_MARGIN_BYTES);
  },
  300_000,
);
