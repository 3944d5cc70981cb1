// eventyard under test (its own process): `eventyard dev` on generated manifests with N Triggers,
// mixed filters, of which a tenth (at least one) match the bench events.
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDev } from '../src/runtime/dev-server.js';

const triggers = Number(process.argv[2]);
const subscriberUrl = process.argv[3]!;

/** Filters for trigger i: every tenth matches type bench.event, the others never match. */
function filterFor(i: number): string {
  const t = i % 10 === 0 ? 'bench.event' : `other.${i}`;
  switch (Math.floor(i / 10) % 5) {
    case 0:
      return `  filters:\n    - exact:\n        type: ${t}`;
    case 1:
      return `  filters:\n    - prefix:\n        type: ${t.slice(0, -2)}\n    - suffix:\n        source: /bench`;
    case 2:
      return `  filters:\n    - cesql: "type = '${t}' AND source LIKE '/bench%'"`;
    case 3:
      return `  filter:\n    attributes:\n      type: ${t}`;
    default:
      return `  filters:\n    - any:\n        - exact:\n            type: ${t}\n        - exact:\n            type: never\n    - not:\n        exact:\n          source: /elsewhere`;
  }
}

const dir = await mkdtemp(path.join(tmpdir(), 'eventyard-bench-'));
await mkdir(path.join(dir, 'eventing'));
await mkdir(path.join(dir, 'triggers'));
await writeFile(path.join(dir, 'eventing/broker.yaml'), 'apiVersion: eventing.knative.dev/v1\nkind: Broker\nmetadata:\n  name: default\n  namespace: default\n');
let yaml = '';
for (let i = 0; i < triggers; i++) {
  yaml += `---\napiVersion: eventing.knative.dev/v1\nkind: Trigger\nmetadata:\n  name: t${i}\nspec:\n  broker: default\n${filterFor(i)}\n  subscriber:\n    uri: ${subscriberUrl}\n`;
}
await writeFile(path.join(dir, 'triggers/bench.yaml'), yaml);
const dev = await startDev({ dir, port: 0 });
process.send!({ ready: `${dev.url}/default/default`, matching: dev.runtime.dispatchers.filter((_, i) => i % 10 === 0).length });
process.on('SIGINT', () => process.exit(0));
process.on('message', (msg: { cmd: string }) => {
  if (msg.cmd === 'cpu') process.send!({ cpu: process.cpuUsage() });
});
