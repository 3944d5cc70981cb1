// The baseline (its own process): a raw Node HTTP relay — receive a request, forward it with undici
// to the subscriber, answer 202. What any broker must at least do, with nothing else.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const target = process.argv[2]!;
const pool = new Pool(new URL(target).origin, { connections: 64, pipelining: 1 });
const path = new URL(target).pathname;

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (k.startsWith('ce-') || k === 'content-type') headers[k] = v as string;
    try {
      const r = await pool.request({ method: 'POST', path, headers, body: Buffer.concat(chunks) });
      await r.body.dump();
      res.writeHead(202, { 'content-length': '0' }).end();
    } catch {
      res.writeHead(502).end();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send!({ ready: `http://127.0.0.1:${(server.address() as AddressInfo).port}/default/default` }));
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'cpu') process.send!({ cpu: process.cpuUsage() });
});
process.on('SIGINT', () => process.exit(0));
