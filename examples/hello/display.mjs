// A subscriber that prints every CloudEvent it gets and answers 202 (like Knative's event-display).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 9000);
createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const ce = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('ce-')));
    console.log(JSON.stringify({ ...ce, data: Buffer.concat(chunks).toString() }));
    res.writeHead(202).end();
  });
}).listen(port, '127.0.0.1', () => console.error(`display: listening on http://127.0.0.1:${port}/`));
