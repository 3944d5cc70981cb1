// Bench subscriber (its own process): answers 202, counts deliveries, and records the end-to-end
// latency of each event from the send time the load generator put in `ce-benchsent`.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const now = () => performance.timeOrigin + performance.now();
let count = 0;
let latencies: number[] = [];
let lastAt = 0;

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    count++;
    lastAt = now();
    const sent = Number(req.headers['ce-benchsent']);
    if (sent) latencies.push(now() - sent);
    res.writeHead(202, { 'content-length': '0' }).end();
  });
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  process.send!({ ready: (server.address() as AddressInfo).port });
});

process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'count') process.send!({ count, lastAt });
  if (msg.cmd === 'latencies') {
    process.send!({ latencies });
    latencies = [];
  }
  if (msg.cmd === 'reset') {
    count = 0;
    latencies = [];
    process.send!({ reset: true });
  }
});
