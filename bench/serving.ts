// Serving: a function's cold start from zero and the warm overhead of the local Service path
// (activator/proxy), each beside its baseline in the same run.
//
// - Cold start: `eventyard dev` (startDev, in this process) on a project whose echo function goes
//   back to zero between runs. Each run sends one event to the broker with the function at zero
//   and times it until the function's reply reaches a subscriber; the same event path with the
//   function warm, right after, is its baseline. A breakdown forks the same bundle by hand with a
//   preload hook, next to the floor of any process per instance (bare Node, Node + node:http).
// - Warm overhead: one instance kept up (min-scale 1); a load generator in its own process POSTs
//   the same binary CloudEvent to the instance's own server and to the Service address, requests
//   interleaved, same undici Pool settings, same concurrency.
//
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { Pool } from 'undici';
import { startDev, type DevServer } from '../src/runtime/dev-server.js';
import { BROKER_YAML, trigger, writeProject } from '../tests/helpers/project.js';
import { freePort } from '../tests/helpers/ports.js';
import { Subscriber } from '../tests/helpers/subscriber.js';

const HERE = import.meta.dirname;
const COLD_RUNS = Number(process.env.BENCH_COLD_RUNS ?? 20);
const BREAKDOWN_RUNS = Number(process.env.BENCH_COLD_BREAKDOWN_RUNS ?? 10);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const WARM_LATENCY_REQUESTS = Number(process.env.BENCH_WARM_LATENCY_REQUESTS ?? 1000);
const WARM_REQUESTS = Number(process.env.BENCH_WARM_REQUESTS ?? 5000);
const WARM_CONCURRENCY = Number(process.env.BENCH_WARM_CONCURRENCY ?? 16);
/** Short autoscaler windows, so that the function is back at zero a moment after each run. */
const COLD_AUTOSCALER = { stableWindowMs: 300, scaleToZeroGraceMs: 0, tickMs: 60 };

const now = () => performance.timeOrigin + performance.now();

const ECHO = `import { CloudEvent } from 'cloudevents';
export const handle = async (_context: unknown, event?: CloudEvent<unknown>) =>
  new CloudEvent({ source: '/echo', type: 'echo.reply', data: { for: event?.id } });
`;

const serviceYaml = (annotations: Record<string, string>) => `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: echo
  namespace: default
spec:
  template:
    metadata:
      annotations:
${Object.entries(annotations).map(([k, v]) => `        autoscaling.knative.dev/${k}: "${v}"`).join('\n') || '        {}'}
    spec:
      containers:
        - image: eventyard
`;

const triggers = (repliesUrl: string) =>
  trigger('to-echo', `  broker: default\n  filter:\n    attributes:\n      type: echo.request\n  subscriber:\n    ref:\n      apiVersion: serving.knative.dev/v1\n      kind: Service\n      name: echo`) +
  trigger('replies', `  broker: default\n  filter:\n    attributes:\n      type: echo.reply\n  subscriber:\n    uri: ${repliesUrl}`);

const BODY = Buffer.from(JSON.stringify({ order: 42, items: ['a', 'b', 'c'], note: 'x'.repeat(200) }));
const eventHeaders = (id: string, type = 'echo.request'): Record<string, string> => ({
  'ce-specversion': '1.0',
  'ce-id': id,
  'ce-type': type,
  'ce-source': '/bench',
  'content-type': 'application/json',
});

/** Nearest-rank percentile (p50 of 20 samples is the 10th, p95 the 19th). */
function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)]!;
}
const median = (xs: readonly number[]) => pct(xs, 50);
const r1 = (x: number) => Number(x.toFixed(1));
const r2 = (x: number) => Number(x.toFixed(2));

async function until(what: string, done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) throw new Error(`serving bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

// ---------------------------------------------------------------------------------------------
// Cold start through the broker

interface ColdRun {
  /** Event sent to the broker → the function's reply at the subscriber, function at zero. */
  coldMs: number;
  /** The same, right after, with the instance up. */
  warmMs: number;
  /** Instance spawn → ready (stats().lastColdStartMs). */
  instanceMs: number;
  /** Event sent → instance spawned (ingress, Trigger, activator). */
  toSpawnMs: number;
  /** Instance ready → reply at the subscriber (first request, reply through the broker). */
  readyToReplyMs: number;
}

async function coldStarts(): Promise<{ runs: ColdRun[]; bundle: string; dir: string }> {
  const replies = await Subscriber.start();
  const dir = await writeProject({
    'package.json': '{"type": "module"}\n',
    'functions/echo/index.ts': ECHO,
    'eventing/broker.yaml': BROKER_YAML,
    'eventing/echo.yaml': serviceYaml({}),
    'triggers/t.yaml': triggers(replies.url('/replies')),
  });
  const dev = await startDev({ dir, port: 0, logger: pino({ level: 'silent' }), autoscaler: COLD_AUTOSCALER });
  const service = dev.serving.find('default', 'echo')!;
  const pool = new Pool(dev.url, { connections: 1 });
  const alive = () => {
    const { starting, ready, draining } = service.stats().instances;
    return starting + ready + draining;
  };
  let replyCount = 0;
  /** Sends one event and resolves with when it was sent and when its reply reached the subscriber (performance.now()). */
  const roundTrip = async (id: string): Promise<{ sent: number; replied: number }> => {
    const sent = performance.now();
    const r = await pool.request({ method: 'POST', path: '/default/default', headers: eventHeaders(id), body: BODY });
    await r.body.dump();
    if (r.statusCode !== 202) throw new Error(`broker answered ${r.statusCode}`);
    const [reply] = (await replies.waitFor('/replies', ++replyCount, 30_000)).slice(-1);
    const data = JSON.parse(reply!.body.toString()) as { for?: string };
    if (data.for !== id) throw new Error(`reply for ${data.for}, expected ${id}`);
    return { sent, replied: reply!.at };
  };
  const runs: ColdRun[] = [];
  let ok = false;
  try {
    for (let i = 0; i < COLD_RUNS; i++) {
      await until('echo at zero', () => alive() === 0);
      const before = service.stats().coldStarts;
      const cold = await roundTrip(`cold-${i}`);
      const instance = service.readyInstances[0];
      const stats = service.stats();
      if (stats.coldStarts !== before + 1 || !instance || instance.coldStartMs === undefined) throw new Error(`run ${i} was not one cold start (${stats.coldStarts - before} started)`);
      const readyAt = instance.startedAt + instance.coldStartMs;
      const warm = await roundTrip(`warm-${i}`);
      runs.push({
        coldMs: cold.replied - cold.sent,
        warmMs: warm.replied - warm.sent,
        instanceMs: stats.lastColdStartMs!,
        toSpawnMs: instance.startedAt - cold.sent,
        readyToReplyMs: cold.replied - readyAt,
      });
      const last = runs.at(-1)!;
      console.error(
        `  cold ${String(i + 1).padStart(2)}  event→reply ${last.coldMs.toFixed(0).padStart(4)} ms (warm ${last.warmMs.toFixed(1)} ms)   send→spawn ${last.toSpawnMs.toFixed(1)}  spawn→ready ${last.instanceMs.toFixed(0)}  ready→reply ${last.readyToReplyMs.toFixed(1)}`,
      );
    }
    ok = true;
  } finally {
    await pool.close();
    await dev.close();
    await replies.close();
    // On success the bundle is forked again by the breakdown, which removes the folder.
    if (!ok) await rm(dir, { recursive: true, force: true });
  }
  return { runs, bundle: service.spec.bundle, dir };
}

// ---------------------------------------------------------------------------------------------
// Where an instance's cold start goes: the bundle forked by hand, with a preload hook

/** Preload (CommonJS, --require): marks boot, the bundle's evaluation, listen() and the ready message. */
const PRELOAD = `'use strict';
// Loaders given with --import run in a worker that runs preloads too: only the main thread counts.
if (require('node:worker_threads').isMainThread && process.send) {
const now = () => performance.timeOrigin + performance.now();
const marks = { preload: now() };
const Module = require('node:module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename) {
  if (filename !== process.env.BENCH_BUNDLE) return compile.call(this, content, filename);
  marks.compileStart = now();
  try { return compile.call(this, content, filename); } finally { marks.evaluated = now(); }
};
const net = require('node:net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (!marks.listenCalled) {
    marks.listenCalled = now();
    this.once('listening', () => { marks.listening = now(); });
  }
  return listen.apply(this, args);
};
const send = process.send.bind(process);
process.send = function (message, ...rest) {
  if (message && message.type === 'eventyard:ready') { marks.readySent = now(); send({ type: 'bench:marks', marks }); }
  return send(message, ...rest);
};
}
`;
/** The floor of a process per instance: Node boots and says so over IPC. */
const BARE = `process.send({ type: 'eventyard:ready' }); process.on('disconnect', () => process.exit(0));\n`;
/** Node boots, listens with node:http, and says so. */
const BARE_HTTP = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => s.writeHead(200, { 'content-type': 'application/json' }).end('{}')); })
  .listen(Number(process.env.PORT), '127.0.0.1', () => process.send({ type: 'eventyard:ready' }));
process.on('disconnect', () => process.exit(0));\n`;

interface Fork {
  readyMs: number;
  marks?: Record<string, number>;
  spawnAt: number;
  firstRequestMs?: number;
  secondRequestMs?: number;
}

/** Forks `script` as FunctionInstance does, times spawn → ready message, then two requests. */
async function forkOnce(script: string, cwd: string, execArgv: string[], preload: string | undefined, requests: boolean, dropEnv?: string): Promise<Fork> {
  const env: NodeJS.ProcessEnv = { ...process.env, FUNC_LOG_LEVEL: 'warn', K_SERVICE: 'echo', BENCH_BUNDLE: script };
  if (dropEnv) delete env[dropEnv];
  const port = await freePort();
  const spawnAt = now();
  const t0 = performance.now();
  const child: ChildProcess = fork(script, [], {
    cwd,
    execArgv: preload ? [...execArgv, '--require', preload] : execArgv,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'json',
  });
  let marks: Record<string, number> | undefined;
  const readyMs = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: { type?: string; marks?: Record<string, number> }) => {
      if (m.type === 'bench:marks') marks = m.marks;
      if (m.type === 'eventyard:ready') resolve(performance.now() - t0);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  const fork1: Fork = { readyMs, marks, spawnAt };
  if (requests) {
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 1 });
    const post = async () => {
      const t = performance.now();
      const r = await pool.request({ method: 'POST', path: '/', headers: eventHeaders('breakdown'), body: BODY });
      await r.body.dump();
      if (r.statusCode !== 200) throw new Error(`instance answered ${r.statusCode}`);
      return performance.now() - t;
    };
    fork1.firstRequestMs = await post();
    fork1.secondRequestMs = await post();
    await pool.close();
  }
  child.removeAllListeners('exit');
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
  return fork1;
}

interface Breakdown {
  bundleBytes: number;
  bundle: Fork[];
  bundleWithTsx: Fork[];
  bare: Fork[];
  /** Bare Node without NODE_EXTRA_CA_CERTS, when the environment sets it (Node then parses that bundle at boot). */
  bareNoExtraCa: Fork[];
  bareHttp: Fork[];
}

async function breakdown(bundle: string, dir: string): Promise<Breakdown> {
  const preload = path.join(dir, 'bench-preload.cjs');
  const bare = path.join(dir, 'bench-bare.cjs');
  const bareHttp = path.join(dir, 'bench-bare-http.cjs');
  await writeFile(preload, PRELOAD);
  await writeFile(bare, BARE);
  await writeFile(bareHttp, BARE_HTTP);
  const out: Breakdown = { bundleBytes: (await stat(bundle)).size, bundle: [], bundleWithTsx: [], bare: [], bareNoExtraCa: [], bareHttp: [] };
  const root = path.resolve(HERE, '..');
  // Alternate the kinds, so that load on the machine hits them alike.
  for (let i = 0; i < BREAKDOWN_RUNS; i++) {
    out.bare.push(await forkOnce(bare, dir, [], undefined, false));
    if (process.env.NODE_EXTRA_CA_CERTS) out.bareNoExtraCa.push(await forkOnce(bare, dir, [], undefined, false, 'NODE_EXTRA_CA_CERTS'));
    out.bareHttp.push(await forkOnce(bareHttp, dir, [], undefined, true));
    out.bundle.push(await forkOnce(bundle, dir, [], preload, true));
    // What an instance costs when it inherits `--import tsx` (fork's default under `node --import
    // tsx`): cwd is the repository, where tsx resolves; from the project folder it would not start.
    if (i < Math.ceil(BREAKDOWN_RUNS / 2)) out.bundleWithTsx.push(await forkOnce(bundle, root, ['--import', 'tsx'], preload, true));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Warm overhead: direct to the instance vs through the local Service address

interface WarmTrial {
  order: string;
  direct: { p50: number; p99: number; rps: number };
  service: { p50: number; p99: number; rps: number };
  /** CPU the dev process (activator/proxy) spent per request on the Service path, µs. */
  proxyCpuUs: number;
}

/** The load generator (its own process, so that it does not share an event loop with the proxy). */
async function warmClient(directOrigin: string, serviceUrl: string, trial: number): Promise<void> {
  const svc = new URL(serviceUrl);
  const paths = { direct: { pool: new Pool(directOrigin, { connections: WARM_CONCURRENCY, pipelining: 1 }), path: '/' }, service: { pool: new Pool(svc.origin, { connections: WARM_CONCURRENCY, pipelining: 1 }), path: svc.pathname } };
  let n = 0;
  const post = async (which: keyof typeof paths): Promise<number> => {
    const { pool, path: p } = paths[which];
    const t = performance.now();
    const r = await pool.request({ method: 'POST', path: p, headers: eventHeaders(`w-${n++}`), body: BODY });
    await r.body.dump();
    if (r.statusCode !== 200) throw new Error(`${which} answered ${r.statusCode}`);
    return performance.now() - t;
  };
  const cpu = () =>
    new Promise<NodeJS.CpuUsage>((resolve) => {
      process.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve(m.cpu));
      process.send!({ cmd: 'cpu' });
    });
  const closedLoop = async (which: keyof typeof paths, total: number): Promise<number> => {
    let sent = 0;
    const t = performance.now();
    await Promise.all(Array.from({ length: WARM_CONCURRENCY }, async () => {
      while (sent < total) {
        sent++;
        await post(which);
      }
    }));
    return total / ((performance.now() - t) / 1000);
  };
  // Warm-up of both paths (JIT, connections).
  await closedLoop('direct', 1000);
  await closedLoop('service', 1000);
  // Latency at concurrency 1, one request to each path in turn.
  const lat = { direct: [] as number[], service: [] as number[] };
  const first: (keyof typeof paths)[] = trial % 2 === 0 ? ['direct', 'service'] : ['service', 'direct'];
  for (let i = 0; i < WARM_LATENCY_REQUESTS; i++) for (const w of first) lat[w].push(await post(w));
  // Throughput at WARM_CONCURRENCY, one block each, order alternating between trials.
  const rps = { direct: 0, service: 0 };
  let proxyCpuUs = 0;
  for (const w of first) {
    const before = await cpu();
    rps[w] = await closedLoop(w, WARM_REQUESTS);
    const after = await cpu();
    if (w === 'service') proxyCpuUs = (after.user + after.system - before.user - before.system) / WARM_REQUESTS;
  }
  const result: WarmTrial = {
    order: first.join(' then '),
    direct: { p50: pct(lat.direct, 50), p99: pct(lat.direct, 99), rps: rps.direct },
    service: { p50: pct(lat.service, 50), p99: pct(lat.service, 99), rps: rps.service },
    proxyCpuUs,
  };
  await Promise.all([paths.direct.pool.close(), paths.service.pool.close()]);
  process.send!({ result });
}

async function warmOverhead(): Promise<WarmTrial[]> {
  const replies = await Subscriber.start();
  const dir = await writeProject({
    'package.json': '{"type": "module"}\n',
    'functions/echo/index.ts': ECHO,
    'eventing/broker.yaml': BROKER_YAML,
    'eventing/echo.yaml': serviceYaml({ 'min-scale': '1', 'max-scale': '1' }),
    'triggers/t.yaml': triggers(replies.url('/replies')),
  });
  // Knative's autoscaler defaults; min-scale 1 keeps the one instance up throughout.
  const dev: DevServer = await startDev({ dir, port: 0, logger: pino({ level: 'silent' }) });
  const service = dev.serving.find('default', 'echo')!;
  const trials: WarmTrial[] = [];
  try {
    await until('one echo instance ready', () => service.readyInstances.length === 1);
    const direct = service.readyInstances[0]!.origin;
    const serviceUrl = `${dev.url}/_/services/default/echo`;
    for (let trial = 0; trial < TRIALS; trial++) {
      const client = fork(path.join(HERE, 'serving.ts'), ['--warm-client', direct, serviceUrl, String(trial)], {
        cwd: path.resolve(HERE, '..'),
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const result = await new Promise<WarmTrial>((resolve, reject) => {
        client.on('message', (m: { cmd?: string; result?: WarmTrial }) => {
          if (m.cmd === 'cpu') client.send({ cpu: process.cpuUsage() });
          if (m.result) resolve(m.result);
        });
        client.once('exit', (code) => reject(new Error(`warm client exited with ${code}`)));
      });
      client.removeAllListeners('exit');
      await once(client, 'exit');
      if (service.readyInstances[0]?.origin !== direct) throw new Error('the warm instance changed during the trial');
      trials.push(result);
      const t = result;
      console.error(
        `  warm trial ${trial + 1} (${t.order})  direct p50 ${t.direct.p50.toFixed(2)} p99 ${t.direct.p99.toFixed(2)} ms ${t.direct.rps.toFixed(0)} req/s   service p50 ${t.service.p50.toFixed(2)} p99 ${t.service.p99.toFixed(2)} ms ${t.service.rps.toFixed(0)} req/s   proxy CPU ${t.proxyCpuUs.toFixed(0)} µs/req`,
      );
    }
  } finally {
    await dev.close();
    await replies.close();
    await rm(dir, { recursive: true, force: true });
  }
  return trials;
}

// ---------------------------------------------------------------------------------------------

export async function runServingBench(): Promise<{ table: string; rows: unknown }> {
  console.error(`serving bench: ${COLD_RUNS} cold starts, ${BREAKDOWN_RUNS} hand-forked instances, ${TRIALS} warm trials`);
  const cold = await coldStarts();
  let parts: Breakdown;
  try {
    parts = await breakdown(cold.bundle, cold.dir);
  } finally {
    await rm(cold.dir, { recursive: true, force: true });
  }
  const warm = await warmOverhead();
  return report(cold.runs, parts, warm);
}

function report(runs: ColdRun[], parts: Breakdown, trials: WarmTrial[]): { table: string; rows: unknown } {
  const stat1 = (xs: number[]) => ({ p50: r1(pct(xs, 50)), p95: r1(pct(xs, 95)), min: r1(Math.min(...xs)), max: r1(Math.max(...xs)), n: xs.length });
  const coldRows = [
    { measure: 'event → reply, function at zero (eventyard)', ...stat1(runs.map((r) => r.coldMs)), all: runs.map((r) => r1(r.coldMs)) },
    { measure: 'event → reply, function warm (same path, baseline)', ...stat1(runs.map((r) => r.warmMs)), all: runs.map((r) => r1(r.warmMs)) },
    { measure: '  of a cold one: event sent → instance spawned', ...stat1(runs.map((r) => r.toSpawnMs)), all: runs.map((r) => r1(r.toSpawnMs)) },
    { measure: '  of a cold one: instance spawn → ready (stats().lastColdStartMs)', ...stat1(runs.map((r) => r.instanceMs)), all: runs.map((r) => r1(r.instanceMs)) },
    { measure: '  of a cold one: instance ready → reply at the subscriber', ...stat1(runs.map((r) => r.readyToReplyMs)), all: runs.map((r) => r1(r.readyToReplyMs)) },
    { measure: 'floor: bare Node fork → IPC message', ...stat1(parts.bare.map((f) => f.readyMs)), all: parts.bare.map((f) => r1(f.readyMs)) },
    ...(parts.bareNoExtraCa.length > 0
      ? [{ measure: `floor: bare Node fork → IPC message, without NODE_EXTRA_CA_CERTS=${process.env.NODE_EXTRA_CA_CERTS} (every other row has it)`, ...stat1(parts.bareNoExtraCa.map((f) => f.readyMs)), all: parts.bareNoExtraCa.map((f) => r1(f.readyMs)) }]
      : []),
    { measure: 'floor: Node + node:http listen → IPC message', ...stat1(parts.bareHttp.map((f) => f.readyMs)), all: parts.bareHttp.map((f) => r1(f.readyMs)) },
    { measure: 'bundle forked by hand (execArgv [], as eventyard dev)', ...stat1(parts.bundle.map((f) => f.readyMs)), all: parts.bundle.map((f) => r1(f.readyMs)) },
    { measure: 'bundle forked with --import tsx (inherited under node --import tsx)', ...stat1(parts.bundleWithTsx.map((f) => f.readyMs)), all: parts.bundleWithTsx.map((f) => r1(f.readyMs)) },
  ];
  const phase = (forks: Fork[], from: string, to: string) => median(forks.map((f) => (f.marks![to] ?? NaN) - (from === 'spawn' ? f.spawnAt : f.marks![from]!)));
  const phases = (forks: Fork[]) => ({
    nodeBoot: r1(phase(forks, 'spawn', 'preload')),
    loaderBeforeBundle: r1(phase(forks, 'preload', 'compileStart')),
    bundleEvaluate: r1(phase(forks, 'compileStart', 'evaluated')),
    faasStartToListen: r1(phase(forks, 'evaluated', 'listenCalled')),
    listen: r1(phase(forks, 'listenCalled', 'listening')),
    listeningToReadySent: r1(phase(forks, 'listening', 'readySent')),
    readySentToParent: r1(median(forks.map((f) => f.spawnAt + f.readyMs - f.marks!.readySent!))),
    spawnToReady: r1(median(forks.map((f) => f.readyMs))),
    firstRequest: r2(median(forks.map((f) => f.firstRequestMs!))),
    secondRequest: r2(median(forks.map((f) => f.secondRequestMs!))),
  });
  const plain = phases(parts.bundle);
  const tsx = phases(parts.bundleWithTsx);
  const bareHttpFirst = r2(median(parts.bareHttp.map((f) => f.firstRequestMs!)));
  const bareHttpSecond = r2(median(parts.bareHttp.map((f) => f.secondRequestMs!)));

  const med = (f: (t: WarmTrial) => number) => median(trials.map(f));
  const warmRow = {
    directP50Ms: r2(med((t) => t.direct.p50)),
    directP99Ms: r2(med((t) => t.direct.p99)),
    serviceP50Ms: r2(med((t) => t.service.p50)),
    serviceP99Ms: r2(med((t) => t.service.p99)),
    addedP50Ms: r2(med((t) => t.service.p50 - t.direct.p50)),
    directRps: Math.round(med((t) => t.direct.rps)),
    serviceRps: Math.round(med((t) => t.service.rps)),
    throughputRatio: r2(med((t) => t.service.rps / t.direct.rps)),
    proxyCpuUsPerRequest: Math.round(med((t) => t.proxyCpuUs)),
    trials: trials.map((t) => ({ ...t, direct: { p50: r2(t.direct.p50), p99: r2(t.direct.p99), rps: Math.round(t.direct.rps) }, service: { p50: r2(t.service.p50), p99: r2(t.service.p99), rps: Math.round(t.service.rps) }, proxyCpuUs: Math.round(t.proxyCpuUs) })),
  };

  const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
  const p50 = coldRows[0]!.p50;
  const table = [
    `Serving: cold start from zero — ${new Date().toISOString()} — ${machine}`,
    `${runs.length} runs, each with the function at zero (autoscaler ${JSON.stringify(COLD_AUTOSCALER)}); one event to the broker → Trigger → echo Service → reply → Trigger → subscriber. Goal: p50 under 500 ms — ${p50 < 500 ? 'met' : 'NOT met'} (${p50} ms).`,
    '',
    '| measure | p50 (ms) | p95 (ms) | min | max | runs |',
    '|---|---:|---:|---:|---:|---:|',
    ...coldRows.map((r) => `| ${r.measure} | ${r.p50} | ${r.p95} | ${r.min} | ${r.max} | ${r.n} |`),
    '',
    `Where an instance's spawn → ready goes (medians of ${parts.bundle.length} hand-forked bundles, ${(parts.bundleBytes / 1024).toFixed(0)} KiB; with --import tsx: ${parts.bundleWithTsx.length}):`,
    '',
    '| phase | execArgv [] (ms) | --import tsx (ms) |',
    '|---|---:|---:|',
    `| Node boot (fork → --require preload runs) | ${plain.nodeBoot} | ${tsx.nodeBoot} |`,
    `| loaders before the bundle (tsx when inherited) | ${plain.loaderBeforeBundle} | ${tsx.loaderBeforeBundle} |`,
    `| bundle parse + top-level evaluation | ${plain.bundleEvaluate} | ${tsx.bundleEvaluate} |`,
    `| faas-js-runtime start (fastify) → listen() | ${plain.faasStartToListen} | ${tsx.faasStartToListen} |`,
    `| listen() → listening | ${plain.listen} | ${tsx.listen} |`,
    `| listening → ready message sent | ${plain.listeningToReadySent} | ${tsx.listeningToReadySent} |`,
    `| ready message sent → received | ${plain.readySentToParent} | ${tsx.readySentToParent} |`,
    `| **spawn → ready** | **${plain.spawnToReady}** | **${tsx.spawnToReady}** |`,
    `| first request after ready (node:http floor: ${bareHttpFirst}) | ${plain.firstRequest} | ${tsx.firstRequest} |`,
    `| second request (node:http floor: ${bareHttpSecond}) | ${plain.secondRequest} | ${tsx.secondRequest} |`,
    '',
    `Serving: warm overhead of the Service path (activator/proxy) — one instance (min-scale 1), ${TRIALS} trials; latency: ${WARM_LATENCY_REQUESTS} requests per path at concurrency 1, interleaved; throughput: ${WARM_REQUESTS} requests per path at concurrency ${WARM_CONCURRENCY}; load generator in its own process; medians.`,
    '',
    '| path | p50 (ms) | p99 (ms) | requests/s | ÷ direct |',
    '|---|---:|---:|---:|---:|',
    `| direct to the instance (baseline) | ${warmRow.directP50Ms} | ${warmRow.directP99Ms} | ${warmRow.directRps} | 1.00 |`,
    `| ${'`'}/_/services/default/echo${'`'} (activator/proxy) | ${warmRow.serviceP50Ms} | ${warmRow.serviceP99Ms} | ${warmRow.serviceRps} | ${warmRow.throughputRatio.toFixed(2)} |`,
    '',
    `Added latency (p50, per-trial difference, median): ${warmRow.addedP50Ms} ms; proxy CPU in the dev process: ${warmRow.proxyCpuUsPerRequest} µs per request.`,
    '',
  ].join('\n');
  return { table, rows: { coldStart: { goalP50Ms: 500, rows: coldRows, phases: { plain, withTsx: tsx, bundleBytes: parts.bundleBytes, bareHttpFirstRequestMs: bareHttpFirst, bareHttpSecondRequestMs: bareHttpSecond } }, warm: warmRow } };
}

if (process.argv[2] === '--warm-client') {
  await warmClient(process.argv[3]!, process.argv[4]!, Number(process.argv[5]));
  process.exit(0);
} else if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { table, rows } = await runServingBench();
  console.log(table);
  if (process.env.BENCH_JSON) console.log(JSON.stringify(rows, null, 2));
  process.exit(0);
}
