// Kafka → HTTP: records/s from a topic to an HTTP subscriber through a KafkaSource in the local
// runtime (ordered and unordered), side by side in the same run with raw kafkajs consumption of
// the same records (eachMessage that only counts), and a minimal hand-written relay (raw kafkajs
// eachMessage that POSTs each record to the same subscriber with undici).
//
// The peer is the Kafka test peer (librdkafka's mock cluster, tests/helpers/kafka-peer.ts). Each
// system runs in its own process, each trial in a fresh consumer group reading from the earliest
// offset; systems alternate within a trial and the order rotates between trials. The subscriber
// (202, counts, first/last arrival) is a process of its own. Time runs from the consumer's start
// (just before startDev / consumer.connect, modules already loaded) to the last record seen by the
// subscriber (or counted).
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Kafka } from 'kafkajs';
import { Pool } from 'undici';
import { KAFKA_PEER_INSTALL, kafkaPeerStatus, startKafkaPeer, testKafkaConfig } from '../tests/helpers/kafka-peer.js';

const HERE = import.meta.dirname;
const RECORDS = Number(process.env.BENCH_KAFKA_RECORDS ?? 20_000);
const PARTITIONS = Number(process.env.BENCH_KAFKA_PARTITIONS ?? 8);
const TRIALS = Number(process.env.BENCH_TRIALS ?? 3);
const TOPIC = 'bench-records';
const RECORD_BYTES = 200;

const now = () => performance.timeOrigin + performance.now();

type Kind = 'count' | 'relay' | 'unordered' | 'ordered';

interface SystemDef {
  kind: Kind;
  name: string;
  /** Whether records end at the subscriber (else the consumer counts them itself). */
  delivers: boolean;
}

const SYSTEMS: SystemDef[] = [
  { kind: 'count', name: 'raw kafkajs, eachMessage counts (baseline)', delivers: false },
  { kind: 'relay', name: 'raw kafkajs eachMessage → undici POST (hand-written relay, in order per partition)', delivers: true },
  { kind: 'unordered', name: 'eventyard KafkaSource, ordering: unordered', delivers: true },
  { kind: 'ordered', name: 'eventyard KafkaSource, ordering: ordered', delivers: true },
];

interface SutArgs {
  kind: Kind;
  bootstrap: string[];
  group: string;
  sink: string;
  records: number;
}

interface Trial {
  /** records/s from consumer start to the last record. */
  rate: number;
  /** records/s from the first record to the last (no group join, no startup). */
  steadyRate: number;
  /** ms from consumer start to the first record. */
  firstMs: number;
  /** CPU of the consumer process (kafkajs + relay/runtime) per record, µs. */
  cpuUs: number;
  duplicates: number;
}

// ---------------------------------------------------------------------------------------------
// Child processes: the subscriber, and each system under test

/** The subscriber: 202 to everything; counts requests and distinct ce-ids; first and last arrival. */
function subscriberMain(): void {
  let count = 0;
  let firstAt = 0;
  let lastAt = 0;
  let ids = new Set<string>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      lastAt = now();
      if (count++ === 0) firstAt = lastAt;
      ids.add(String(req.headers['ce-id']));
      res.writeHead(202, { 'content-length': '0' }).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send!({ ready: (server.address() as AddressInfo).port }));
  process.on('message', (msg: { cmd: string }) => {
    if (msg.cmd === 'count') process.send!({ count, unique: ids.size, firstAt, lastAt });
    if (msg.cmd === 'reset') {
      count = firstAt = lastAt = 0;
      ids = new Set();
      process.send!({ reset: true });
    }
  });
}

/** One system under test. Loads its modules, says ready, and on 'start' consumes from the earliest offset. */
async function sutMain(args: SutArgs): Promise<void> {
  const cpu = () => process.cpuUsage();
  const onStart = new Promise<void>((resolve) =>
    process.on('message', (msg: { cmd: string }) => {
      if (msg.cmd === 'start') resolve();
      if (msg.cmd === 'cpu') process.send!({ cpu: cpu() });
    }),
  );
  if (args.kind === 'ordered' || args.kind === 'unordered') {
    // Everything the runtime loads, loaded before the clock starts (the runtime imports its Kafka
    // adapter lazily, when a KafkaSource needs it).
    const { startDev } = await import('../src/runtime/dev-server.js');
    await import('../src/sources/kafka/kafka-source.js');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'eventyard-bench-kafka-'));
    await mkdir(path.join(dir, 'sources'));
    await writeFile(
      path.join(dir, 'sources/kafka.yaml'),
      `apiVersion: sources.knative.dev/v1beta1
kind: KafkaSource
metadata:
  name: bench
  namespace: default
spec:
  bootstrapServers: [my-cluster-kafka-bootstrap.kafka:9092]
  topics: [${TOPIC}]
  consumerGroup: ${args.group}
  initialOffset: earliest
  ordering: ${args.kind}
  sink:
    uri: ${args.sink}
`,
    );
    process.send!({ ready: true, dir });
    await onStart;
    process.send!({ started: now() });
    // The default logger, as `eventyard dev` runs: one JSON line per delivery (stdout is /dev/null here).
    await startDev({ dir, port: 0, peers: { kafka: { bootstrapServers: args.bootstrap, consumer: testKafkaConfig.consumer } } });
    return;
  }

  const kafka = new Kafka({ ...testKafkaConfig.client, brokers: args.bootstrap });
  const consumer = kafka.consumer({ ...testKafkaConfig.consumer, groupId: args.group });
  const sink = new URL(args.sink);
  const pool = new Pool(sink.origin, { connections: 64, pipelining: 1 });
  process.send!({ ready: true });
  await onStart;
  process.send!({ started: now() });
  await consumer.connect();
  await consumer.subscribe({ topics: [TOPIC], fromBeginning: true });
  if (args.kind === 'count') {
    let count = 0;
    let firstAt = 0;
    await consumer.run({
      partitionsConsumedConcurrently: PARTITIONS,
      eachMessage: async () => {
        if (count++ === 0) firstAt = now();
        if (count === args.records) process.send!({ done: { count, firstAt, lastAt: now() } });
      },
    });
    return;
  }
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS,
    eachMessage: async ({ topic, partition, message }) => {
      const r = await pool.request({
        method: 'POST',
        path: sink.pathname,
        headers: {
          'ce-specversion': '1.0',
          'ce-id': `${partition}-${message.offset}`,
          'ce-source': `/apis/v1/namespaces/default/kafkasources/bench#${topic}`,
          'ce-type': 'dev.knative.kafka.event',
          'content-type': 'application/json',
        },
        body: message.value ?? undefined,
      });
      await r.body.dump();
      if (r.statusCode >= 300) throw new Error(`sink answered ${r.statusCode}`);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// The parent: peer, records, trials

/** BENCH_PROFILE=kafka:<kind> (count, relay, unordered, ordered) writes a CPU profile of that system to /tmp/prof. */
const profiled = (args: string[]) => args[0] === '--sut' && process.env.BENCH_PROFILE === `kafka:${(JSON.parse(args[1]!) as SutArgs).kind}`;

function forkChild(args: string[]): Promise<{ child: ChildProcess; msg: Record<string, unknown> }> {
  const c = fork(path.join(HERE, 'kafka.ts'), args, {
    cwd: path.resolve(HERE, '..'),
    execArgv: ['--import', 'tsx', ...(profiled(args) ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [])],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    c.once('message', (msg) => resolve({ child: c, msg: msg as Record<string, unknown> }));
    c.once('exit', (code) => reject(new Error(`kafka bench child ${args[0]} exited with ${code}`)));
  });
}

function ask<T>(c: ChildProcess, cmd: string, match: (m: Record<string, unknown>) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (!match(m)) return;
      c.off('message', on);
      resolve(m as T);
    };
    c.on('message', on);
    c.send({ cmd });
  });
}

function nextMessage<T>(c: ChildProcess, match: (m: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      c.off('message', on);
      reject(new Error(`kafka bench: no ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: Record<string, unknown>) => {
      if (!match(m)) return;
      clearTimeout(timer);
      c.off('message', on);
      resolve(m as T);
    };
    c.on('message', on);
  });
}

type Cpu = NodeJS.CpuUsage;
type Counts = { count: number; unique: number; firstAt: number; lastAt: number };

async function runTrial(system: SystemDef, bootstrap: string[], sub: ChildProcess, sink: string, group: string): Promise<Trial> {
  await ask(sub, 'reset', (m) => 'reset' in m);
  const args: SutArgs = { kind: system.kind, bootstrap, group, sink, records: RECORDS };
  const childArgs = ['--sut', JSON.stringify(args)];
  const { child, msg } = await forkChild(childArgs);
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${system.name} exited with ${code}`))));
  exited.catch(() => undefined); // seen through Promise.race where it matters
  try {
    const done = system.delivers ? undefined : nextMessage<{ done: Counts }>(child, (m) => 'done' in m, 120_000, `count of ${RECORDS} records`);
    const cpuBefore = await ask<{ cpu: Cpu }>(child, 'cpu', (m) => 'cpu' in m);
    const { started: t0 } = await Promise.race([ask<{ started: number }>(child, 'start', (m) => 'started' in m), exited]);
    let counts: Counts;
    if (done) {
      counts = { ...(await Promise.race([done, exited])).done, unique: RECORDS };
    } else {
      const deadline = Date.now() + 120_000;
      for (;;) {
        counts = await ask<Counts>(sub, 'count', (m) => 'count' in m);
        if (counts.unique >= RECORDS) break;
        if (Date.now() > deadline) throw new Error(`${system.name}: only ${counts.unique} of ${RECORDS} records reached the subscriber`);
        await Promise.race([new Promise((r) => setTimeout(r, 10)), exited]);
      }
    }
    const cpuAfter = await ask<{ cpu: Cpu }>(child, 'cpu', (m) => 'cpu' in m);
    const cpuUs = cpuAfter.cpu.user + cpuAfter.cpu.system - cpuBefore.cpu.user - cpuBefore.cpu.system;
    return {
      rate: RECORDS / ((counts.lastAt - t0) / 1000),
      steadyRate: (RECORDS - 1) / ((counts.lastAt - counts.firstAt) / 1000),
      firstMs: counts.firstAt - t0,
      cpuUs: cpuUs / RECORDS,
      duplicates: counts.count - counts.unique,
    };
  } finally {
    child.removeAllListeners('exit');
    const gone = once(child, 'exit');
    child.kill(profiled(childArgs) ? 'SIGINT' : 'SIGKILL'); // SIGINT: exits normally, so the profile is written
    await gone;
    if (typeof msg.dir === 'string') await rm(msg.dir, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function runKafkaBench(): Promise<{ table: string; rows: unknown }> {
  const status = kafkaPeerStatus();
  if (!status.available) {
    const reason = `Kafka test peer unavailable: ${status.reason}. Build it with: ${KAFKA_PEER_INSTALL}`;
    console.error(`kafka bench: skipped — ${reason}`);
    return { table: `Kafka → HTTP: skipped — ${reason}\n`, rows: { skipped: true, reason } };
  }
  console.error(`kafka bench: ${TRIALS} trials × ${RECORDS} records of ~${RECORD_BYTES} bytes over ${PARTITIONS} partitions (${status.version})`);
  const peer = await startKafkaPeer({ topics: { [TOPIC]: PARTITIONS } });
  const { child: sub, msg } = await forkChild(['--subscriber']);
  try {
    const sink = `http://127.0.0.1:${msg.ready as number}/sink`;
    const kafka = new Kafka({ ...testKafkaConfig.client, brokers: peer.bootstrap });
    const producer = kafka.producer(testKafkaConfig.producer);
    await producer.connect();
    const produceStart = performance.now();
    const pad = 'x'.repeat(RECORD_BYTES);
    for (let i = 0; i < RECORDS; i += 1000) {
      const messages = [];
      for (let j = i; j < Math.min(RECORDS, i + 1000); j++) {
        const value = JSON.stringify({ room: `room-${j % 16}`, user: `user-${j % 100}`, seq: j, text: pad }).slice(0, RECORD_BYTES - 2) + '"}';
        messages.push({ partition: j % PARTITIONS, key: `user-${j % 100}`, value });
      }
      await producer.send({ topic: TOPIC, messages });
    }
    const produceMs = performance.now() - produceStart;
    await producer.disconnect();
    console.error(`  produced ${RECORDS} records in ${produceMs.toFixed(0)} ms`);

    const runs = new Map<Kind, Trial[]>(SYSTEMS.map((s) => [s.kind, []]));
    for (let trial = 0; trial < TRIALS; trial++) {
      const order = SYSTEMS.map((_, i) => SYSTEMS[(i + trial) % SYSTEMS.length]!);
      for (const system of order) {
        const t = await runTrial(system, peer.bootstrap, sub, sink, `bench-${system.kind}-${trial}-${process.pid}`);
        runs.get(system.kind)!.push(t);
        console.error(
          `  trial ${trial + 1}  ${system.name.padEnd(84)} ${t.rate.toFixed(0).padStart(6)} records/s (first→last ${t.steadyRate.toFixed(0).padStart(6)}/s, first after ${t.firstMs.toFixed(0)} ms)  ${t.cpuUs.toFixed(0).padStart(4)} µs CPU/record${t.duplicates ? `  ${t.duplicates} duplicates` : ''}`,
        );
      }
    }

    const base = runs.get('count')!;
    const relay = runs.get('relay')!;
    const rows = SYSTEMS.map((s) => {
      const r = runs.get(s.kind)!;
      return {
        system: s.name,
        kind: s.kind,
        recordsPerSecond: Math.round(median(r.map((t) => t.rate))),
        steadyRecordsPerSecond: Math.round(median(r.map((t) => t.steadyRate))),
        firstRecordMs: Math.round(median(r.map((t) => t.firstMs))),
        cpuUsPerRecord: Math.round(median(r.map((t) => t.cpuUs))),
        // Ratio per trial (same trial, same machine state), then the median of those ratios.
        ratioToRawKafkajs: Number(median(r.map((t, i) => t.rate / base[i]!.rate)).toFixed(2)),
        ratioToRelay: Number(median(r.map((t, i) => t.rate / relay[i]!.rate)).toFixed(2)),
        duplicates: r.reduce((n, t) => n + t.duplicates, 0),
        trials: r.map((t) => ({ rate: Math.round(t.rate), steadyRate: Math.round(t.steadyRate), firstMs: Math.round(t.firstMs), cpuUs: Math.round(t.cpuUs) })),
      };
    });
    const unordered = rows.find((r) => r.kind === 'unordered')!;
    const machine = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
    const table = [
      `Kafka → HTTP subscriber — ${new Date().toISOString()} — ${machine}`,
      `${TRIALS} trials × ${RECORDS} records of ~${RECORD_BYTES} bytes over ${PARTITIONS} partitions on the Kafka test peer (${status.version}); fresh consumer group per trial, from the earliest offset; medians. ` +
        `Time from consumer start (group join included) to the last record at the subscriber (or counted). Goal: unordered ≥ 0.6 × raw kafkajs — ${unordered.ratioToRawKafkajs >= 0.6 ? 'met' : 'NOT met'} (${unordered.ratioToRawKafkajs.toFixed(2)}).`,
      '',
      '| system | records/s | ÷ raw kafkajs | ÷ hand-written relay | records/s first→last record | first record after (ms) | consumer CPU µs per record |',
      '|---|---:|---:|---:|---:|---:|---:|',
      ...rows.map((r) => `| ${r.system} | ${r.recordsPerSecond} | ${r.ratioToRawKafkajs.toFixed(2)} | ${r.ratioToRelay.toFixed(2)} | ${r.steadyRecordsPerSecond} | ${r.firstRecordMs} | ${r.cpuUsPerRecord} |`),
      '',
    ].join('\n');
    return { table, rows: { records: RECORDS, partitions: PARTITIONS, recordBytes: RECORD_BYTES, trials: TRIALS, produceMs: Math.round(produceMs), peer: status.version, systems: rows } };
  } finally {
    sub.removeAllListeners('exit');
    sub.kill();
    await peer.stop();
  }
}

if (process.argv[2] === '--subscriber') subscriberMain();
else if (process.argv[2] === '--sut') {
  process.on('SIGINT', () => process.exit(0));
  await sutMain(JSON.parse(process.argv[3]!) as SutArgs);
}
else if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const { table } = await runKafkaBench();
  console.log(table);
  process.exit(0);
}
