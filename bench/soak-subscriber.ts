// Soak subscribers (their own process): one HTTP server, one path per Trigger.
//   /fast/<trigger>  202 at once; records the end-to-end latency of the first arrival of each event
//   /slow/<trigger>  202 after SOAK_SLOW_MS (200 ms)
//   /fail/<trigger>  500 about 30 % of the time (1 % of the events always: they exhaust the retries)
//   /dls/<trigger>   the dead-letter sink of every Trigger: 202
// For every (Trigger, event) it keeps which ids were delivered (answered 2xx) and dead-lettered, in
// one byte per event, and hands the tables to the load generator through a file at the end.
import { writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ALWAYS_FAIL, DEAD_LETTERED, DELIVERED, DLS_DUPLICATE, DUPLICATE, RANDOM_FAIL_RATE, seqOf, SLOW_MS, TRIGGER_INDEX, TRIGGERS } from './soak-model.js';

const capacity = Number(process.argv[2]);
const run = process.argv[3]!;
const idPrefix = `soak-${run}-`;
const now = () => performance.timeOrigin + performance.now();

const state = TRIGGERS.map(() => new Uint8Array(capacity));
export interface TriggerTally {
  requests: number;
  answered2xx: number;
  answered500: number;
  dlsRequests: number;
  /** Dead-lettered events whose knativeerrordest is not this Trigger's subscriber. */
  dlsWrongDest: number;
  /** 2xx answers for an event already answered 2xx (a retry after success would be a bug). */
  duplicateDeliveries: number;
  duplicateDeadLetters: number;
}
const tally: TriggerTally[] = TRIGGERS.map(() => ({ requests: 0, answered2xx: 0, answered500: 0, dlsRequests: 0, dlsWrongDest: 0, duplicateDeliveries: 0, duplicateDeadLetters: 0 }));
/** Requests that name no known Trigger or carry an id not of this run. */
let strays = 0;
const strayExamples: string[] = [];

// Latencies of first arrivals at the fast subscribers, in ms, with the arrival time (for windows).
const CHUNK = 1 << 16;
const latChunks: Float64Array[] = [];
const atChunks: Float64Array[] = [];
let latCount = 0;
function recordLatency(ms: number, at: number): void {
  const i = latCount % CHUNK;
  if (i === 0) {
    latChunks.push(new Float64Array(CHUNK));
    atChunks.push(new Float64Array(CHUNK));
  }
  latChunks[latChunks.length - 1]![i] = ms;
  atChunks[atChunks.length - 1]![i] = at;
  latCount++;
}

function stray(why: string): void {
  strays++;
  if (strayExamples.length < 10) strayExamples.push(why);
}

function idOf(req: IncomingMessage, body: Buffer): string | undefined {
  const h = req.headers['ce-id'];
  if (typeof h === 'string') return h;
  try {
    return (JSON.parse(body.toString('utf8')) as { id?: string }).id; // structured mode
  } catch {
    return undefined;
  }
}

function answer(res: ServerResponse, status: number): void {
  res.writeHead(status, { 'content-length': '0' }).end();
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const arrived = now();
    const [, kind, name] = (req.url ?? '').split('?')[0]!.split('/');
    const t = TRIGGER_INDEX.get(name ?? '');
    const id = idOf(req, Buffer.concat(chunks));
    const seq = id?.startsWith(idPrefix) ? seqOf(id) : -1;
    if (t === undefined || !(seq >= 0 && seq < capacity) || !Number.isInteger(seq)) {
      stray(`${req.url} id=${id}`);
      return answer(res, 202);
    }
    const tl = tally[t]!;
    const st = state[t]!;
    if (kind === 'dls') {
      tl.dlsRequests++;
      if (st[seq]! & DEAD_LETTERED) {
        st[seq]! |= DLS_DUPLICATE;
        tl.duplicateDeadLetters++;
      }
      st[seq]! |= DEAD_LETTERED;
      const dest = req.headers['ce-knativeerrordest'];
      if (typeof dest !== 'string' || !dest.includes(`/${TRIGGERS[t]!.kind}/${name}`)) tl.dlsWrongDest++;
      return answer(res, 202);
    }
    tl.requests++;
    const delivered = () => {
      tl.answered2xx++;
      if (st[seq]! & DELIVERED) {
        st[seq]! |= DUPLICATE;
        tl.duplicateDeliveries++;
      }
      st[seq]! |= DELIVERED;
    };
    if (kind === 'fast') {
      if (!(st[seq]! & DELIVERED)) {
        const sent = Number(req.headers['ce-soaksent']);
        if (sent) recordLatency(arrived - sent, arrived);
      }
      delivered();
      return answer(res, 202);
    }
    if (kind === 'slow') {
      setTimeout(() => {
        delivered();
        answer(res, 202);
      }, SLOW_MS);
      return;
    }
    if (kind === 'fail') {
      if (ALWAYS_FAIL(seq) || Math.random() < RANDOM_FAIL_RATE) {
        tl.answered500++;
        return answer(res, 500);
      }
      delivered();
      return answer(res, 202);
    }
    stray(`unknown path ${req.url}`);
    answer(res, 404);
  });
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 130_000;

function percentiles(fromAt: number): { count: number; p50: number; p90: number; p99: number; p999: number; max: number } {
  const xs: number[] = [];
  for (let i = 0; i < latCount; i++) {
    const c = Math.floor(i / CHUNK);
    const j = i % CHUNK;
    if (atChunks[c]![j]! >= fromAt) xs.push(latChunks[c]![j]!);
  }
  const sorted = Float64Array.from(xs).sort();
  const pct = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
  return { count: sorted.length, p50: pct(50), p90: pct(90), p99: pct(99), p999: pct(99.9), max: sorted.length ? sorted[sorted.length - 1]! : NaN };
}

/** p50 and p99 of first arrivals per window of arrival time, to see latency drift over the run. */
function series(t0: number, windowMs: number): { fromS: number; count: number; p50: number; p99: number }[] {
  const buckets: number[][] = [];
  for (let i = 0; i < latCount; i++) {
    const c = Math.floor(i / CHUNK);
    const j = i % CHUNK;
    const b = Math.max(0, Math.floor((atChunks[c]![j]! - t0) / windowMs));
    (buckets[b] ??= []).push(latChunks[c]![j]!);
  }
  return [...buckets.entries()].map(([b, xs = []]) => {
    const sorted = Float64Array.from(xs).sort();
    const pct = (p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
    return { fromS: (b * windowMs) / 1000, count: sorted.length, p50: pct(50), p99: pct(99) };
  });
}

type Msg = { cmd: 'stats' } | { cmd: 'dump'; file: string; warmupAt: number; t0: number; windowMs: number };
process.on('message', (msg: Msg) => {
  if (msg.cmd === 'stats') {
    process.send!({ stats: { tally, strays, latCount, cpu: process.cpuUsage(), rssBytes: process.memoryUsage().rss } });
  } else if (msg.cmd === 'dump') {
    void writeFile(msg.file, Buffer.concat(state.map((s) => Buffer.from(s.buffer, s.byteOffset, s.byteLength)))).then(() => {
      process.send!({
        dump: { tally, strays, strayExamples, latency: percentiles(0), latencyAfterWarmup: percentiles(msg.warmupAt), latencySeries: series(msg.t0, msg.windowMs), cpu: process.cpuUsage() },
      });
    });
  }
});

server.listen(0, '127.0.0.1', () => process.send!({ ready: (server.address() as AddressInfo).port }));
