// npm run soak: `eventyard dev` as a child process, a Broker and 20 Triggers (attribute filters,
// CESQL, CEL) delivering to subscribers in another process (fast ones, one slow, one failing 30 % of
// the time, and a dead-letter sink for every Trigger), fed open-loop at SOAK_RATE events/s for
// SOAK_SECONDS. It samples the dev process's RSS, then, once every delivery has finished, checks
// that every Trigger's counts balance and that every event id is accounted for.
//
//   SOAK_RATE (1000)  SOAK_SECONDS (600)  SOAK_WARMUP_SECONDS (10 % of the run, at most 60)
//   SOAK_SAMPLE_MS (2000)  SOAK_DRAIN_SECONDS (120)  SOAK_SLOW_MS (200)  SOAK_MAX_RSS_GROWTH (10, %)
//   SOAK_PROGRESS_SECONDS (10)  SOAK_TRIGGERS (a comma-separated subset of the Triggers, to look at one alone)
//
// Exits 1 if an account does not balance or RSS grew by SOAK_MAX_RSS_GROWTH % or more.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import type { TriggerCounts } from '../src/observability/trigger-stats.js';
import { freePort } from '../tests/helpers/ports.js';
import { DEAD_LETTERED, DELIVERED, eventFor, FAIL_RATE, idFor, SLOW_MS, TRIGGERS, type SoakTrigger } from './soak-model.js';
import type { TriggerTally } from './soak-subscriber.js';

const HERE = import.meta.dirname;
const ROOT = path.resolve(HERE, '..');
const RATE = Number(process.env.SOAK_RATE ?? 1000);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const WARMUP_S = Number(process.env.SOAK_WARMUP_SECONDS ?? Math.min(60, SECONDS * 0.1));
const SAMPLE_MS = Number(process.env.SOAK_SAMPLE_MS ?? 2000);
const DRAIN_S = Number(process.env.SOAK_DRAIN_SECONDS ?? 120);
const MAX_GROWTH = Number(process.env.SOAK_MAX_RSS_GROWTH ?? 10);
const PROGRESS_S = Number(process.env.SOAK_PROGRESS_SECONDS ?? 10);
const TOTAL = Math.round(RATE * SECONDS);
/** Latency and RSS over the run, per window of this many seconds (20 windows). */
const SERIES_WINDOW_S = Math.max(1, Math.round(SECONDS / 20));
const RUN = randomBytes(4).toString('hex');
const RETRY = 3;
const BACKOFF = 'PT0.05S';

const now = () => performance.timeOrigin + performance.now();
const log = (s: string) => process.stderr.write(`soak: ${s}\n`);

interface TriggerView {
  name: string;
  counts: TriggerCounts;
}

// ---------------------------------------------------------------------------------------------
// Processes

function startSubscriber(): Promise<{ child: ChildProcess; port: number }> {
  const c = fork(path.join(HERE, 'soak-subscriber.ts'), [String(TOTAL), RUN], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    c.once('message', (m) => resolve({ child: c, port: (m as { ready: number }).ready }));
    c.once('exit', (code) => reject(new Error(`soak-subscriber exited with ${code}`)));
  });
}

function ask<T>(c: ChildProcess, msg: object, key: string): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        c.off('message', on);
        resolve(m[key] as T);
      }
    };
    c.on('message', on);
    c.send(msg);
  });
}

function triggerYaml(t: SoakTrigger, sub: string): string {
  const annotations = t.cel ? `  annotations:\n    eventyard.dev/cel: ${JSON.stringify(t.cel)}\n` : '';
  return [
    '---',
    'apiVersion: eventing.knative.dev/v1',
    'kind: Trigger',
    'metadata:',
    `  name: ${t.name}`,
    '  namespace: default',
    `${annotations}spec:`,
    '  broker: default',
    ...(t.filterYaml ? [t.filterYaml] : []),
    '  subscriber:',
    `    uri: ${sub}/${t.kind}/${t.name}`,
    '  delivery:',
    `    retry: ${RETRY}`,
    '    backoffPolicy: linear',
    `    backoffDelay: ${BACKOFF}`,
    '    deadLetterSink:',
    `      uri: ${sub}/dls/${t.name}`,
    '',
  ].join('\n');
}

async function writeProject(sub: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'eventyard-soak-'));
  await mkdir(path.join(dir, 'eventing'));
  await mkdir(path.join(dir, 'triggers'));
  await writeFile(path.join(dir, 'eventing/broker.yaml'), 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n  namespace: default\n');
  await writeFile(path.join(dir, 'triggers/soak.yaml'), TRIGGERS.map((t) => triggerYaml(t, sub)).join(''));
  return dir;
}

/** What the dev process logs (warn and above): lines per level and message, and the first errors. */
const devLog = { lines: 0, byMsg: new Map<string, number>(), errors: [] as string[], stderr: [] as string[] };

function watchDevOutput(dev: ChildProcess): void {
  let rest = '';
  dev.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      if (!line) continue;
      devLog.lines++;
      const level = /"level":(\d+)/.exec(line)?.[1] ?? '?';
      const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 80);
      const outcome = /"outcome":"([^"]*)"/.exec(line)?.[1];
      const key = `${level === '40' ? 'warn' : level === '50' ? 'error' : level === '60' ? 'fatal' : level}: ${msg}${outcome ? ` (${outcome})` : ''}`;
      devLog.byMsg.set(key, (devLog.byMsg.get(key) ?? 0) + 1);
      if (Number(level) >= 50 && devLog.errors.length < 10) devLog.errors.push(line);
    }
  });
  dev.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    if (devLog.stderr.length < 50) devLog.stderr.push(chunk);
  });
}

async function startDev(dir: string, port: number): Promise<ChildProcess> {
  const dev = spawn(process.execPath, [path.join(ROOT, 'bin/eventyard.js'), 'dev', '--dir', dir, '--port', String(port)], {
    cwd: ROOT,
    env: { ...process.env, EVENTYARD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  watchDevOutput(dev);
  let exited: number | null | undefined;
  dev.once('exit', (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`eventyard dev exited with ${exited}:\n${devLog.stderr.join('')}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/_/triggers`);
      if (res.ok) {
        const ts = (await res.json()) as TriggerView[];
        if (ts.length !== TRIGGERS.length) throw new Error(`eventyard dev runs ${ts.length} Triggers, expected ${TRIGGERS.length}`);
        return dev;
      }
    } catch (err) {
      if ((err as Error).message.startsWith('eventyard dev runs')) throw err;
    }
    if (Date.now() > deadline) throw new Error(`eventyard dev did not answer in 60 s:\n${devLog.stderr.join('')}`);
    await sleep(100);
  }
}

async function triggers(port: number): Promise<Map<string, TriggerCounts>> {
  const res = await fetch(`http://127.0.0.1:${port}/_/triggers`);
  const ts = (await res.json()) as TriggerView[];
  return new Map(ts.map((t) => [t.name, t.counts]));
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

/** CPU seconds the whole machine has been busy (all cores), from /proc/stat. */
async function machineBusySeconds(): Promise<number> {
  const stat = await readFile('/proc/stat', 'utf8');
  const f = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return (total - f[3]! - f[4]!) / CLOCK_TICKS;
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
}

// ---------------------------------------------------------------------------------------------
// Load

function encode(seq: number): { headers: Record<string, string>; body: Buffer } {
  const e = eventFor(seq);
  const headers: Record<string, string> = {
    'ce-specversion': '1.0',
    'ce-id': idFor(RUN, seq),
    'ce-type': e.type,
    'ce-source': e.source,
    'ce-priority': e.priority,
    'ce-soaksent': String(now()),
    'content-type': 'application/json',
  };
  if (e.subject !== undefined) headers['ce-subject'] = e.subject;
  if (e.tenant !== undefined) headers['ce-tenant'] = e.tenant;
  return { headers, body: Buffer.from(JSON.stringify(e.data)) };
}

interface SendResult {
  sent: number;
  accepted: Uint8Array;
  acceptedCount: number;
  refused: number;
  refusedExamples: string[];
  startedAt: number;
  lastSendAt: number;
  maxLagMs: number;
  maxInFlightSends: number;
}

async function sendLoad(ingress: URL, onTick: () => void): Promise<SendResult> {
  const pool = new Pool(ingress.origin, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
  const accepted = new Uint8Array(TOTAL);
  const r: SendResult = { sent: 0, accepted, acceptedCount: 0, refused: 0, refusedExamples: [], startedAt: now(), lastSendAt: 0, maxLagMs: 0, maxInFlightSends: 0 };
  let inFlight = 0;
  let lastTick = r.startedAt;
  const refuse = (why: string) => {
    r.refused++;
    if (r.refusedExamples.length < 10) r.refusedExamples.push(why);
  };
  const post = (seq: number) => {
    const { headers, body } = encode(seq);
    inFlight++;
    r.maxInFlightSends = Math.max(r.maxInFlightSends, inFlight);
    pool
      .request({ method: 'POST', path: ingress.pathname, headers, body })
      .then(async (res) => {
        await res.body.dump();
        if (res.statusCode === 202) {
          accepted[seq] = 1;
          r.acceptedCount++;
        } else refuse(`${idFor(RUN, seq)}: ${res.statusCode}`);
      })
      .catch((err: unknown) => refuse(`${idFor(RUN, seq)}: ${(err as Error).message}`))
      .finally(() => inFlight--);
  };
  for (let seq = 0; seq < TOTAL; ) {
    const t = now();
    const due = r.startedAt + (seq * 1000) / RATE;
    if (due > t + 1) {
      await sleep(Math.min(due - t, 50));
      continue;
    }
    r.maxLagMs = Math.max(r.maxLagMs, t - due);
    // Everything due by now (open loop: a slow broker does not slow the sender down).
    while (seq < TOTAL && r.startedAt + (seq * 1000) / RATE <= t) {
      post(seq++);
      r.sent++;
    }
    r.lastSendAt = now();
    if (t - lastTick >= 1000) {
      lastTick = t;
      onTick();
    }
    await sleep(0); // let the responses in
  }
  while (inFlight > 0) await sleep(10);
  await pool.close();
  return r;
}

// ---------------------------------------------------------------------------------------------
// Main

const sub = await startSubscriber();
const subUrl = `http://127.0.0.1:${sub.port}`;
const dir = await writeProject(subUrl);
const port = await freePort();
log(`${TRIGGERS.length} Triggers in ${dir}; subscribers at ${subUrl}; ${RATE} events/s for ${SECONDS} s (${TOTAL} events), warm-up ${WARMUP_S} s`);
const dev = await startDev(dir, port);
const pid = dev.pid!;
log(`eventyard dev pid ${pid} on port ${port}`);

/** Every SOAK_SAMPLE_MS: the dev process's RSS, and the CPU seconds used so far by each process. */
interface Sample {
  t: number;
  rssKiB: number;
  cpu: { dev: number; subscriber: number; soak: number; machine: number };
  /** How long the dev process took to answer GET /_/brokers: a proxy for its event-loop lag. */
  apiMs: number;
}
const samples: Sample[] = [];
const t0 = now();
const sampleRss = async () => {
  try {
    const [rss, devCpu, subCpu, machine, apiMs] = await Promise.all([rssKiB(pid), cpuSeconds(pid), cpuSeconds(sub.child.pid!), machineBusySeconds(), apiProbe()]);
    const self = process.cpuUsage();
    samples.push({ t: (now() - t0) / 1000, rssKiB: rss, cpu: { dev: devCpu, subscriber: subCpu, soak: (self.user + self.system) / 1e6, machine }, apiMs });
  } catch {
    /* exited: reported below */
  }
};
async function apiProbe(): Promise<number> {
  const started = now();
  const res = await fetch(`http://127.0.0.1:${port}/_/brokers`);
  await res.arrayBuffer();
  return now() - started;
}
/** CPU % of each process between two samples (100 % = one core); `others` = the rest of the machine. */
const cpuBetween = (a: Sample | undefined, b: Sample | undefined) => {
  if (!a || !b || b.t <= a.t) return undefined;
  const pct = (k: keyof Sample['cpu']) => ((b.cpu[k] - a.cpu[k]) / (b.t - a.t)) * 100;
  const dev = pct('dev');
  const subscriber = pct('subscriber');
  const soak = pct('soak');
  return { dev, subscriber, soak, others: Math.max(0, pct('machine') - dev - subscriber - soak) };
};
await sampleRss();
const sampler = setInterval(() => void sampleRss(), SAMPLE_MS);

let devExit: number | null | undefined;
const onDevExit = (code: number | null, signal: string | null) => {
  devExit = code ?? -1;
  log(`eventyard dev exited during the run (code ${code}, signal ${signal})`);
};
dev.once('exit', onDevExit);

let lastProgress = 0;
const progress = async (sent: number) => {
  const t = (now() - t0) / 1000;
  if (t - lastProgress < PROGRESS_S) return;
  lastProgress = t;
  try {
    const counts = await triggers(port);
    let inFlight = 0;
    let dl = 0;
    for (const c of counts.values()) {
      inFlight += c.inFlight;
      dl += c.deadLettered;
    }
    const rss = samples.at(-1)?.rssKiB ?? NaN;
    const busiest = [...counts]
      .filter(([, c]) => c.inFlight > 0)
      .sort(([, a], [, b]) => b.inFlight - a.inFlight)
      .slice(0, 3)
      .map(([n, c]) => `${n} ${c.inFlight}`)
      .join(', ');
    const cpu = cpuBetween(samples.at(-2), samples.at(-1));
    const cpuText = cpu ? `  CPU % dev ${cpu.dev.toFixed(0)} sub ${cpu.subscriber.toFixed(0)} soak ${cpu.soak.toFixed(0)} others ${cpu.others.toFixed(0)}` : '';
    log(`t=${t.toFixed(0)}s sent ${sent}  dev RSS ${(rss / 1024).toFixed(1)} MiB${cpuText}  in flight ${inFlight}${busiest ? ` (${busiest})` : ''}  dead-lettered ${dl}`);
  } catch (err) {
    log(`t=${t.toFixed(0)}s /_/triggers: ${(err as Error).message}`);
  }
};

let sentSoFar = 0;
const load = await sendLoad(new URL(`http://127.0.0.1:${port}/default/default`), () => {
  sentSoFar = Math.round(((now() - t0) / 1000) * RATE);
  void progress(Math.min(sentSoFar, TOTAL));
});
const sendSeconds = (load.lastSendAt - load.startedAt) / 1000;
const achievedRate = load.sent / Math.max(sendSeconds, 1e-9);
await sampleRss();
const sendEndT = (now() - t0) / 1000;
const loadAtEnd = os.loadavg();
log(`sent ${load.sent} events in ${sendSeconds.toFixed(1)} s (${achievedRate.toFixed(0)}/s), ${load.acceptedCount} accepted, ${load.refused} refused; waiting for deliveries in flight`);

// Drain: every Trigger's inFlight at 0.
const drainStarted = now();
let final = await triggers(port);
for (;;) {
  const busy = [...final.values()].reduce((n, c) => n + c.inFlight, 0);
  if (busy === 0) break;
  if (now() - drainStarted > DRAIN_S * 1000) {
    log(`still ${busy} deliveries in flight after ${DRAIN_S} s`);
    break;
  }
  await sleep(250);
  final = await triggers(port);
}
const drainSeconds = (now() - drainStarted) / 1000;
await sampleRss();
clearInterval(sampler);
const drained = [...final.values()].every((c) => c.inFlight === 0);

const stateFile = path.join(dir, 'subscriber-state.bin');
const dump = await ask<{
  tally: TriggerTally[];
  strays: number;
  strayExamples: string[];
  latency: Latency;
  latencyAfterWarmup: Latency;
  latencySeries: { fromS: number; count: number; p50: number; p99: number }[];
}>(sub.child, { cmd: 'dump', file: stateFile, warmupAt: t0 + WARMUP_S * 1000, t0, windowMs: SERIES_WINDOW_S * 1000 }, 'dump');
interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}
const state = await readFile(stateFile);

// Stop the processes.
dev.removeListener('exit', onDevExit);
dev.kill('SIGTERM');
const devStopped = await Promise.race([once(dev, 'exit').then(() => true), sleep(10_000).then(() => false)]);
if (!devStopped) dev.kill('SIGKILL');
sub.child.kill();
await rm(dir, { recursive: true, force: true });

// ---------------------------------------------------------------------------------------------
// Accounts

interface Row extends Omit<TriggerCounts, 'replies'> {
  trigger: string;
  kind: string;
  filter: string;
  expected: number;
  /** Distinct ids the subscriber answered 2xx / the dead-letter sink got. */
  idsDelivered: number;
  idsDeadLettered: number;
  /** Expected ids neither delivered nor dead-lettered. */
  missing: number;
  /** Ids that arrived but the filter should not have matched. */
  unexpected: number;
  /** Ids both delivered and dead-lettered. */
  both: number;
  attemptsSeen: number;
  duplicateDeliveries: number;
  duplicateDeadLetters: number;
  dlsWrongDest: number;
  problems: string[];
  missingExamples: string[];
  unexpectedExamples: string[];
}

const rows: Row[] = TRIGGERS.map((t, ti) => {
  const c = final.get(t.name) ?? { matched: NaN, delivered: NaN, retried: NaN, deadLettered: NaN, dropped: NaN, inFlight: NaN, replies: NaN };
  const tl = dump.tally[ti]!;
  const base = ti * TOTAL;
  let expected = 0;
  let idsDelivered = 0;
  let idsDeadLettered = 0;
  let missing = 0;
  let unexpected = 0;
  let both = 0;
  const missingExamples: string[] = [];
  const unexpectedExamples: string[] = [];
  for (let seq = 0; seq < TOTAL; seq++) {
    const bits = state[base + seq]!;
    const d = (bits & DELIVERED) !== 0;
    const x = (bits & DEAD_LETTERED) !== 0;
    if (d) idsDelivered++;
    if (x) idsDeadLettered++;
    if (d && x) both++;
    const should = load.accepted[seq] === 1 && t.matches(eventFor(seq));
    if (should) expected++;
    if (should && !d && !x) {
      missing++;
      if (missingExamples.length < 5) missingExamples.push(idFor(RUN, seq));
    }
    if (!should && (d || x)) {
      unexpected++;
      if (unexpectedExamples.length < 5) unexpectedExamples.push(idFor(RUN, seq));
    }
  }
  const problems: string[] = [];
  if (c.matched !== expected) problems.push(`matched ${c.matched} ≠ expected ${expected}`);
  if (c.matched !== c.delivered + c.deadLettered + c.dropped) problems.push(`matched ${c.matched} ≠ delivered ${c.delivered} + dead-lettered ${c.deadLettered} + dropped ${c.dropped}`);
  if (c.dropped !== 0) problems.push(`dropped ${c.dropped} (the Trigger has a dead-letter sink)`);
  if (c.inFlight !== 0) problems.push(`${c.inFlight} still in flight`);
  if (missing) problems.push(`${missing} expected ids neither delivered nor dead-lettered`);
  if (unexpected) problems.push(`${unexpected} ids arrived that the filter should not match`);
  if (both) problems.push(`${both} ids both delivered and dead-lettered`);
  if (idsDelivered !== c.delivered) problems.push(`subscriber saw ${idsDelivered} distinct ids delivered, broker counts ${c.delivered}`);
  if (idsDeadLettered !== c.deadLettered) problems.push(`dead-letter sink saw ${idsDeadLettered} distinct ids, broker counts ${c.deadLettered}`);
  if (tl.requests !== c.matched + c.retried) problems.push(`subscriber got ${tl.requests} requests, broker counts ${c.matched} matched + ${c.retried} retried`);
  if (tl.duplicateDeliveries) problems.push(`${tl.duplicateDeliveries} events answered 2xx more than once`);
  if (tl.duplicateDeadLetters) problems.push(`${tl.duplicateDeadLetters} events dead-lettered more than once`);
  if (tl.dlsWrongDest) problems.push(`${tl.dlsWrongDest} dead-lettered events with a wrong knativeerrordest`);
  if (t.kind !== 'fail' && c.retried !== 0) problems.push(`${c.retried} retries to a subscriber that never fails`);
  if (t.kind === 'fail' && c.deadLettered === 0 && expected > 0) problems.push('no event exhausted its retries (nothing dead-lettered)');
  return {
    trigger: t.name,
    kind: t.kind,
    filter: t.cel ? `${t.describe}: CEL ${t.cel}` : t.describe,
    expected,
    matched: c.matched,
    delivered: c.delivered,
    retried: c.retried,
    deadLettered: c.deadLettered,
    dropped: c.dropped,
    inFlight: c.inFlight,
    idsDelivered,
    idsDeadLettered,
    missing,
    unexpected,
    both,
    attemptsSeen: tl.requests,
    duplicateDeliveries: tl.duplicateDeliveries,
    duplicateDeadLetters: tl.duplicateDeadLetters,
    dlsWrongDest: tl.dlsWrongDest,
    problems,
    missingExamples,
    unexpectedExamples,
  };
});

const sum = (k: keyof Row) => rows.reduce((n, r) => n + (r[k] as number), 0);
const totals = {
  expected: sum('expected'),
  matched: sum('matched'),
  delivered: sum('delivered'),
  retried: sum('retried'),
  deadLettered: sum('deadLettered'),
  dropped: sum('dropped'),
  missing: sum('missing'),
  unexpected: sum('unexpected'),
};

// RSS: the sample at the end of warm-up, and the last one while sending.
const during = samples.filter((s) => s.t <= sendEndT + 0.001);
const warm = during.find((s) => s.t >= WARMUP_S) ?? during.at(-1)!;
const end = during.at(-1)!;
const afterDrain = samples.at(-1)!;
const peak = samples.reduce((m, s) => Math.max(m, s.rssKiB), 0);
const growthPct = ((end.rssKiB - warm.rssKiB) / warm.rssKiB) * 100;
// Least-squares slope of RSS after warm-up, MiB per minute: a leak shows as a steady slope.
const post = during.filter((s) => s.t >= warm.t);
const slope = (() => {
  if (post.length < 3) return NaN;
  const n = post.length;
  const mx = post.reduce((a, s) => a + s.t, 0) / n;
  const my = post.reduce((a, s) => a + s.rssKiB, 0) / n;
  const num = post.reduce((a, s) => a + (s.t - mx) * (s.rssKiB - my), 0);
  const den = post.reduce((a, s) => a + (s.t - mx) ** 2, 0);
  return ((num / den) * 60) / 1024;
})();

const cpuSend = cpuBetween(samples[0], end);
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}
const globalProblems: string[] = [];
if (devExit !== undefined) globalProblems.push(`eventyard dev exited during the run with ${devExit}`);
if (!drained) globalProblems.push(`deliveries still in flight after ${DRAIN_S} s`);
if (load.refused) globalProblems.push(`${load.refused} sends not accepted with 202: ${load.refusedExamples.join('; ')}`);
if (dump.strays) globalProblems.push(`${dump.strays} requests at the subscribers for no known Trigger/event: ${dump.strayExamples.join('; ')}`);
if (!(growthPct < MAX_GROWTH)) globalProblems.push(`dev RSS grew ${growthPct.toFixed(1)} % from warm-up to the end (limit ${MAX_GROWTH} %)`);
const errorLines = [...devLog.byMsg].filter(([k]) => k.startsWith('error') || k.startsWith('fatal'));
if (errorLines.length) globalProblems.push(`eventyard dev logged errors: ${errorLines.map(([k, n]) => `${k} ×${n}`).join('; ')}`);
const problems = [...rows.flatMap((r) => r.problems.map((p) => `${r.trigger}: ${p}`)), ...globalProblems];
const ok = problems.length === 0;

// ---------------------------------------------------------------------------------------------
// Report

const mib = (kib: number) => (kib / 1024).toFixed(1);
const ms = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const md = [
  `## Soak — ${new Date().toISOString()} — ${machine}`,
  '',
  `\`eventyard dev\` (child process, EVENTYARD_LOG_LEVEL=warn), 1 Broker, ${TRIGGERS.length} Triggers, each with retry ${RETRY}, linear backoff ${BACKOFF} and a dead-letter sink.`,
  `Open loop at ${RATE} events/s for ${SECONDS} s (${TOTAL} events, unique ids). Subscribers in their own process: fast ones answer 202 at once, one answers after ${SLOW_MS} ms, one answers 500 ${FAIL_RATE * 100} % of the time (1 % of its events always, so they exhaust the retries).`,
  '',
  `**Result: ${ok ? 'every account balances' : `${problems.length} problem${problems.length > 1 ? 's' : ''}`}.**`,
  '',
  '| Trigger | subscriber | filter | expected | matched | delivered | retried | dead-lettered | dropped | missing ids | balanced |',
  '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.trigger} | ${r.kind} | ${r.filter.replaceAll('|', '\\|')} | ${r.expected} | ${r.matched} | ${r.delivered} | ${r.retried} | ${r.deadLettered} | ${r.dropped} | ${r.missing} | ${r.problems.length === 0 ? 'yes' : `**no**: ${r.problems.join('; ')}`} |`,
  ),
  `| **total** | | | ${totals.expected} | ${totals.matched} | ${totals.delivered} | ${totals.retried} | ${totals.deadLettered} | ${totals.dropped} | ${totals.missing} | ${rows.every((r) => r.problems.length === 0) ? 'yes' : '**no**'} |`,
  '',
  '| measure | value |',
  '|---|---:|',
  `| events sent / accepted (202) | ${load.sent} / ${load.acceptedCount} |`,
  `| achieved send rate | ${achievedRate.toFixed(1)} events/s (target ${RATE}; sender at most ${load.maxLagMs.toFixed(1)} ms behind schedule) |`,
  `| deliveries per second (matched ÷ send time) | ${(totals.matched / sendSeconds).toFixed(0)} |`,
  `| dev RSS after warm-up (t = ${warm.t.toFixed(0)} s) | ${mib(warm.rssKiB)} MiB |`,
  `| dev RSS at the end of sending (t = ${end.t.toFixed(0)} s) | ${mib(end.rssKiB)} MiB |`,
  `| dev RSS growth, warm-up → end | ${growthPct.toFixed(1)} % (limit ${MAX_GROWTH} %) |`,
  `| dev RSS slope after warm-up | ${Number.isFinite(slope) ? slope.toFixed(2) : '–'} MiB/min |`,
  `| dev RSS peak / after the drain | ${mib(peak)} / ${mib(afterDrain.rssKiB)} MiB |`,
  `| end-to-end latency to fast subscribers, p50 / p99 (all ${dump.latency.count} first arrivals) | ${ms(dump.latency.p50)} / ${ms(dump.latency.p99)} ms |`,
  `| same after warm-up: p50 / p90 / p99 / p99.9 / max | ${ms(dump.latencyAfterWarmup.p50)} / ${ms(dump.latencyAfterWarmup.p90)} / ${ms(dump.latencyAfterWarmup.p99)} / ${ms(dump.latencyAfterWarmup.p999)} / ${ms(dump.latencyAfterWarmup.max)} ms |`,
  `| CPU while sending, % of one core: dev / subscribers / load generator / other processes on the machine (${os.cpus().length} cores, load average ${loadAtEnd.map((l) => l.toFixed(2)).join(' ')}) | ${cpuSend ? `${cpuSend.dev.toFixed(0)} / ${cpuSend.subscriber.toFixed(0)} / ${cpuSend.soak.toFixed(0)} / ${cpuSend.others.toFixed(0)}` : '–'} |`,
  `| dev /_/ API answer while sending (event-loop lag proxy): median / max | ${ms(median(during.map((s) => s.apiMs)))} / ${ms(Math.max(...during.map((s) => s.apiMs)))} ms |`,
  `| drain (last send → nothing in flight) | ${drainSeconds.toFixed(1)} s |`,
  `| dev log lines (warn and above) | ${devLog.lines}: ${[...devLog.byMsg].map(([k, n]) => `${k} ×${n}`).join('; ') || 'none'} |`,
  '',
  `Over the run, per ${SERIES_WINDOW_S} s of arrival time (latency of first arrivals at the fast subscribers; dev RSS at the window's last sample):`,
  '',
  '| from (s) | arrivals | p50 (ms) | p99 (ms) | dev RSS (MiB) | CPU % dev / subscribers / load generator / other processes | dev /_/ API answer (ms, max) |',
  '|---:|---:|---:|---:|---:|---|---:|',
  ...dump.latencySeries.map((w) => {
    const last = samples.filter((s) => s.t < w.fromS + SERIES_WINDOW_S).at(-1);
    const first = samples.filter((s) => s.t <= w.fromS).at(-1);
    const cpu = cpuBetween(first, last);
    const cpuText = cpu ? `${cpu.dev.toFixed(0)} / ${cpu.subscriber.toFixed(0)} / ${cpu.soak.toFixed(0)} / ${cpu.others.toFixed(0)}` : '–';
    const api = samples.filter((s) => s.t >= w.fromS && s.t < w.fromS + SERIES_WINDOW_S).reduce((m, s) => Math.max(m, s.apiMs), -1);
    return `| ${w.fromS} | ${w.count} | ${ms(w.p50)} | ${ms(w.p99)} | ${last ? mib(last.rssKiB) : '–'} | ${cpuText} | ${api < 0 ? '–' : api.toFixed(1)} |`;
  }),
  '',
  ...(ok ? [] : ['Problems:', '', ...problems.map((p) => `- ${p}`), '']),
].join('\n');

console.log(md);
const out = path.join(HERE, 'results');
await mkdir(out, { recursive: true });
await writeFile(
  path.join(out, 'soak.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      machine,
      ok,
      problems,
      settings: { rate: RATE, seconds: SECONDS, warmupSeconds: WARMUP_S, sampleMs: SAMPLE_MS, retry: RETRY, backoff: BACKOFF, slowMs: SLOW_MS, failRate: FAIL_RATE, maxRssGrowthPct: MAX_GROWTH },
      send: { sent: load.sent, accepted: load.acceptedCount, refused: load.refused, seconds: sendSeconds, achievedRate, maxLagMs: load.maxLagMs, maxInFlightSends: load.maxInFlightSends },
      triggers: rows,
      totals,
      rss: { warmup: warm, end, afterDrain, peakKiB: peak, growthPct, slopeMiBPerMin: slope, samples },
      cpuWhileSendingPct: cpuSend,
      loadAverageAtEnd: loadAtEnd,
      latencyMs: { all: dump.latency, afterWarmup: dump.latencyAfterWarmup, series: dump.latencySeries },
      drainSeconds,
      devLog: { lines: devLog.lines, byMessage: Object.fromEntries(devLog.byMsg), errors: devLog.errors },
    },
    null,
    2,
  ),
);
await writeFile(path.join(out, 'soak.md'), `${md}\n`);
log(`wrote ${path.relative(process.cwd(), out)}/soak.json and soak.md — ${ok ? 'OK' : 'FAILED'}`);
process.exit(ok ? 0 : 1);
