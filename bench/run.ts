// npm run bench: throughput and latency of ingress → filter → delivery to an HTTP subscriber on
// loopback, for eventyard with 1, 10 and 100 Triggers, side by side with a raw Node HTTP relay in
// the same run. Every system runs in its own process; systems alternate within each trial.
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { runFilterBench } from './filters.js';
import { runFrameInferBench } from './frame-infer.js';
import { runKafkaBench } from './kafka.js';
import { runRenderBench } from './render.js';
import { runServingBench } from './serving.js';

const HERE = import.meta.dirname;
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const RATE = Number(process.env.BENCH_RATE ?? 1000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 5);
const TRIGGER_COUNTS = (process.env.BENCH_TRIGGERS ?? '1,10,100').split(',').map(Number);
/** Which benches run: broker (with the filter bench), serving, kafka, render, frame-infer; default all. */
const ONLY = new Set((process.env.BENCH_ONLY ?? 'broker,serving,kafka,render,frame-infer').split(',').map((s) => s.trim()));

const now = () => performance.timeOrigin + performance.now();

interface System {
  name: string;
  triggers: number | null;
  start(subscriberUrl: string): Promise<{ child: ChildProcess; url: string; deliveriesPerEvent: number }>;
}

function child(script: string, args: string[]): Promise<{ child: ChildProcess; msg: Record<string, unknown> }> {
  const prof = process.env.BENCH_PROFILE && script === process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [];
  const c = fork(path.join(HERE, script), args, { execArgv: ['--import', 'tsx', ...prof], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    c.once('message', (msg) => resolve({ child: c, msg: msg as Record<string, unknown> }));
    c.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

const systems: System[] = [
  {
    name: 'raw Node HTTP relay (baseline)',
    triggers: null,
    async start(sub) {
      const { child: c, msg } = await child('raw-relay.ts', [sub]);
      return { child: c, url: msg.ready as string, deliveriesPerEvent: 1 };
    },
  },
  ...TRIGGER_COUNTS.map(
    (n): System => ({
      name: `eventyard, ${n} trigger${n > 1 ? 's' : ''}`,
      triggers: n,
      async start(sub) {
        const { child: c, msg } = await child('eventyard-sut.ts', [String(n), sub]);
        return { child: c, url: msg.ready as string, deliveriesPerEvent: msg.matching as number };
      },
    }),
  ),
];

/** Asks the subscriber process something and waits for the answer. */
function ask<T>(sub: ChildProcess, cmd: string): Promise<T> {
  return new Promise((resolve) => {
    sub.once('message', (m) => resolve(m as T));
    sub.send({ cmd });
  });
}

function headersFor(i: number): Record<string, string> {
  return {
    'ce-specversion': '1.0',
    'ce-id': `bench-${i}`,
    'ce-type': 'bench.event',
    'ce-source': '/bench',
    'ce-benchsent': String(now()),
    'content-type': 'application/json',
  };
}
const BODY = Buffer.from(JSON.stringify({ order: 42, items: ['a', 'b', 'c'], note: 'x'.repeat(200) }));

async function post(pool: Pool, urlPath: string, i: number): Promise<void> {
  const r = await pool.request({ method: 'POST', path: urlPath, headers: headersFor(i), body: BODY });
  await r.body.dump();
  if (r.statusCode !== 202) throw new Error(`ingress answered ${r.statusCode}`);
}

async function waitForDeliveries(sub: ChildProcess, expected: number, timeoutMs = 120_000): Promise<{ count: number; lastAt: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await ask<{ count: number; lastAt: number }>(sub, 'count');
    if (s.count >= expected) return s;
    if (Date.now() > deadline) throw new Error(`only ${s.count} of ${expected} deliveries arrived`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

type Cpu = { user: number; system: number };
const cpuOf = async (c: ChildProcess) => (await ask<{ cpu: Cpu }>(c, 'cpu')).cpu;

/**
 * Closed loop: CONCURRENCY senders until `events` are accepted. Returns events/s counting full
 * delivery, and the CPU time the system under test spent per event (steadier than throughput on a
 * machine whose cores the load generator and subscriber share).
 */
async function throughput(sub: ChildProcess, sut: ChildProcess, url: string, events: number, perEvent: number): Promise<{ rate: number; cpuUs: number }> {
  await ask(sub, 'reset');
  const cpuBefore = await cpuOf(sut);
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: CONCURRENCY, pipelining: 1 });
  let next = 0;
  const started = now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < events) await post(pool, u.pathname, next++);
    }),
  );
  const { lastAt } = await waitForDeliveries(sub, events * perEvent);
  const cpuAfter = await cpuOf(sut);
  await pool.close();
  const cpuUs = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
  return { rate: events / ((lastAt - started) / 1000), cpuUs: cpuUs / events };
}

/** Open loop at a fixed rate: end-to-end latency from send to the subscriber, every delivery. */
async function latency(sub: ChildProcess, url: string, perEvent: number): Promise<{ p50: number; p99: number }> {
  await ask(sub, 'reset');
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections: CONCURRENCY, pipelining: 1 });
  const total = RATE * RATE_SECONDS;
  const started = now();
  const sends: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    const wait = due - now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    sends.push(post(pool, u.pathname, i));
  }
  await Promise.all(sends);
  await waitForDeliveries(sub, total * perEvent);
  const { latencies } = await ask<{ latencies: number[] }>(sub, 'latencies');
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
  return { p50: pct(50), p99: pct(99) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** The broker bench (every system in its own process, alternating per trial) and the filter bench. */
async function runBrokerBench() {
  const { child: sub, msg } = await child('subscriber.ts', []);
  const subscriberUrl = `http://127.0.0.1:${msg.ready as number}/sink`;
  const runs = new Map<string, { throughput: number[]; cpuUs: number[]; p50: number[]; p99: number[] }>(
    systems.map((s) => [s.name, { throughput: [], cpuUs: [], p50: [], p99: [] }]),
  );

  const perEvent = new Map<string, number>();
  console.error(`bench: ${TRIALS} trials × ${EVENTS} events at concurrency ${CONCURRENCY}; latency at ${RATE} events/s for ${RATE_SECONDS} s`);
  for (let trial = 1; trial <= TRIALS; trial++) {
    for (const system of systems) {
      const sut = await system.start(subscriberUrl);
      await throughput(sub, sut.child, sut.url, Math.min(2000, EVENTS), sut.deliveriesPerEvent); // warm-up
      const { rate: t, cpuUs } = await throughput(sub, sut.child, sut.url, EVENTS, sut.deliveriesPerEvent);
      const l = await latency(sub, sut.url, sut.deliveriesPerEvent);
      const r = runs.get(system.name)!;
      perEvent.set(system.name, sut.deliveriesPerEvent);
      r.throughput.push(t);
      r.cpuUs.push(cpuUs);
      r.p50.push(l.p50);
      r.p99.push(l.p99);
      console.error(`  trial ${trial}  ${system.name.padEnd(32)} ${t.toFixed(0).padStart(6)} events/s   ${cpuUs.toFixed(0).padStart(4)} µs CPU/event   p50 ${l.p50.toFixed(2)} ms   p99 ${l.p99.toFixed(2)} ms`);
      sut.child.kill(process.env.BENCH_PROFILE ? 'SIGINT' : 'SIGKILL');
      await once(sut.child, 'exit');
    }
  }
  sub.kill();

  const baseline = systems[0]!.name;
  const baselineRuns = runs.get(baseline)!;
  const rows = systems.map((s) => {
    const r = runs.get(s.name)!;
    // Ratio per trial (same trial, same machine state), then the median of those ratios.
    const ratios = r.throughput.map((t, i) => t / baselineRuns.throughput[i]!);
    return {
      system: s.name,
      triggers: s.triggers,
      eventsPerSecond: Math.round(median(r.throughput)),
      deliveriesPerEvent: perEvent.get(s.name)!,
      cpuUsPerEvent: Math.round(median(r.cpuUs)),
      p50Ms: Number(median(r.p50).toFixed(2)),
      p99Ms: Number(median(r.p99).toFixed(2)),
      ratioToBaseline: Number(median(ratios).toFixed(2)),
      trials: r.throughput.map((t) => Math.round(t)),
    };
  });

  const filters = runFilterBench();
  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  const table = [
    `Broker throughput and latency — ${new Date().toISOString()} — ${machine}`,
    `${TRIALS} trials × ${EVENTS} events, ${CONCURRENCY} concurrent senders; latency at a fixed ${RATE} events/s; medians.`,
    '',
    '| system | deliveries per event | events/s | deliveries/s | throughput ÷ baseline | CPU µs per event | p50 latency (ms) | p99 latency (ms) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.system} | ${r.deliveriesPerEvent} | ${r.eventsPerSecond} | ${r.eventsPerSecond * r.deliveriesPerEvent} | ${r.ratioToBaseline.toFixed(2)} | ${r.cpuUsPerEvent} | ${r.p50Ms} | ${r.p99Ms} |`,
    ),
    '',
  ].join('\n');
  return { table, rows, filters };
}

const broker = ONLY.has('broker') ? await runBrokerBench() : undefined;
if (broker) {
  console.log(broker.table);
  console.log(broker.filters.table);
}
const serving = ONLY.has('serving') ? await runServingBench() : undefined;
if (serving) console.log(serving.table);
const kafka = ONLY.has('kafka') ? await runKafkaBench() : undefined;
if (kafka) console.log(kafka.table);
const render = ONLY.has('render') ? await runRenderBench() : undefined;
if (render) console.log(render.table);
const frameInfer = ONLY.has('frame-infer') ? await runFrameInferBench() : undefined;
if (frameInfer) console.log(frameInfer.table);

const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
const out = path.join(HERE, 'results');
await mkdir(out, { recursive: true });
await writeFile(
  path.join(out, 'latest.json'),
  JSON.stringify(
    {
      at: new Date().toISOString(),
      machine,
      only: [...ONLY],
      ...(broker ? { trials: TRIALS, events: EVENTS, concurrency: CONCURRENCY, rate: RATE, rows: broker.rows, filters: broker.filters.rows } : {}),
      ...(serving ? { serving: serving.rows } : {}),
      ...(kafka ? { kafka: kafka.rows } : {}),
      ...(render ? { render: { rows: render.rows, speedUp: render.speedUp, overhead: render.overhead } } : {}),
      ...(frameInfer ? { frameInfer: frameInfer.rows } : {}),
    },
    null,
    2,
  ),
);
await writeFile(path.join(out, 'latest.md'), [broker?.table, broker?.filters.table, serving?.table, kafka?.table, render?.table, frameInfer?.table].filter((t) => t !== undefined).join('\n'));
console.error(`bench: wrote ${path.relative(process.cwd(), out)}/latest.json and latest.md`);
process.exit(0);
