import path from 'node:path';
import { celEnforcement } from '../filters/cel/cluster.js';
import { loadManifests } from '../manifests/load.js';
import { formatProblem } from '../manifests/problems.js';
import { parseFlags } from './usage.js';

/** `eventyard check`: every problem of every manifest, with file, document and field. */
export async function checkCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, { dir: { type: 'string', default: '.' } });
  const dir = path.resolve(values.dir);
  const manifests = await loadManifests(dir);
  const errors = manifests.problems.filter((p) => p.severity === 'error');
  for (const p of manifests.problems) process.stdout.write(`${formatProblem(p)}\n`);
  // Upstream Knative ignores eventyard.dev/cel: say how each CEL filter holds on a cluster.
  for (const e of celEnforcement(manifests, dir)) {
    const { file, document } = e.trigger.location;
    const name = `Trigger ${e.trigger.metadata.namespace}/${e.trigger.metadata.name}`;
    if (e.enforced) process.stdout.write(`cel: ${name} is enforced on a cluster: ${e.how}\n`);
    else process.stdout.write(`warning: ${file} (document ${document}) ${name} field metadata.annotations.eventyard.dev/cel: not enforced on a cluster: ${e.why}\n`);
  }
  const summary = `${manifests.files.length} files: ${manifests.brokers.length} brokers, ${manifests.triggers.length} triggers, ${manifests.services.length} services, ${manifests.sources.length} sources, ${manifests.others.length} other objects; ${manifests.functions.length} functions`;
  if (errors.length > 0) {
    process.stdout.write(`${summary}; ${errors.length} error(s)\n`);
    return 1;
  }
  process.stdout.write(`${summary}; no errors\n`);
  return 0;
}
