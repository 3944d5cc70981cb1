// The README's quick start, step by step: examples/hello with its display subscriber and the curl.
import { spawn } from 'node:child_process';
import { cp, readFile, writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startDev, type DevServer } from '../src/runtime/dev-server.js';
import { freePort } from './helpers/ports.js';

const EXAMPLE = path.resolve(import.meta.dirname, '../examples/hello');
let dev: DevServer;
let display: ReturnType<typeof spawn>;
let printed = '';

beforeAll(async () => {
  const port = await freePort();
  // The example's Trigger points at port 9000; a copy points at a free port instead.
  const dir = await mkdtemp(path.join(tmpdir(), 'eventyard-hello-'));
  await cp(EXAMPLE, dir, { recursive: true });
  const triggerFile = path.join(dir, 'triggers/hello.yaml');
  await writeFile(triggerFile, (await readFile(triggerFile, 'utf8')).replace('127.0.0.1:9000', `127.0.0.1:${port}`));
  display = spawn(process.execPath, [path.join(dir, 'display.mjs')], { env: { ...process.env, PORT: String(port) } });
  display.stdout!.on('data', (d) => (printed += d));
  await new Promise<void>((resolve) => display.stderr!.once('data', () => resolve()));
  dev = await startDev({ dir, port: 0, logger: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await dev.close();
  display.kill();
});

it('delivers the README curl to the display subscriber and lists the delivery', async () => {
  const response = await fetch(`${dev.url}/default/default`, {
    method: 'POST',
    headers: { 'ce-specversion': '1.0', 'ce-id': 'hello-1', 'ce-source': '/curl', 'ce-type': 'dev.eventyard.hello', 'content-type': 'application/json' },
    body: '{"hello":"world"}',
  });
  expect(response.status).toBe(202);
  for (let i = 0; i < 100 && !printed.includes('hello-1'); i++) await new Promise((r) => setTimeout(r, 20));
  const line = JSON.parse(printed.trim().split('\n')[0]!);
  expect(line).toMatchObject({ 'ce-id': 'hello-1', 'ce-type': 'dev.eventyard.hello', data: '{"hello":"world"}' });
  expect(line['ce-knativearrivaltime']).toBeDefined();
  // The subscriber prints the event before its answer reaches the broker: the record may lag.
  let deliveries: { eventId: string; fate: string; trigger: string }[] = [];
  for (let i = 0; i < 100 && deliveries.length === 0; i++) {
    deliveries = (await (await fetch(`${dev.url}/_/deliveries`)).json()) as typeof deliveries;
    if (deliveries.length === 0) await new Promise((r) => setTimeout(r, 20));
  }
  expect(deliveries[0]).toMatchObject({ eventId: 'hello-1', fate: 'delivered', trigger: 'default/hello-display' });
});
