import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeStructured } from '../events/json-format.js';
import { InvalidEventError } from '../events/validate.js';
import { formatExplanation } from '../filters/explain.js';
import { loadManifests } from '../manifests/load.js';
import { formatProblem } from '../manifests/problems.js';
import { explainTriggers } from '../runtime/explain-triggers.js';
import { UsageError, parseFlags } from './usage.js';

/** `eventyard explain`: for each Trigger, whether an event would be delivered, and why. */
export async function explainCommand(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    dir: { type: 'string', default: '.' },
    event: { type: 'string' },
    trigger: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (!values.event) throw new UsageError('--event FILE is required (a structured CloudEvent in JSON)');
  const dir = path.resolve(values.dir);
  const manifests = await loadManifests(dir);
  const errors = manifests.problems.filter((p) => p.severity === 'error');
  if (errors.length > 0) {
    for (const p of errors) process.stderr.write(`${formatProblem(p)}\n`);
    return 1;
  }
  let event;
  try {
    event = decodeStructured(await readFile(values.event));
  } catch (err) {
    if (err instanceof InvalidEventError || (err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write(`eventyard explain: ${values.event}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
  const wanted = values.trigger;
  const triggers = wanted ? manifests.triggers.filter((t) => t.metadata.name === wanted || `${t.metadata.namespace}/${t.metadata.name}` === wanted) : manifests.triggers;
  if (wanted && triggers.length === 0) {
    process.stderr.write(`eventyard explain: no Trigger named "${wanted}" in ${dir}\n`);
    return 1;
  }
  const results = explainTriggers(triggers, event);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return 0;
  }
  const a = event.attributes;
  process.stdout.write(`event ${a.id}: type ${a.type}, source ${a.source}${a.subject ? `, subject ${a.subject}` : ''}\n\n`);
  for (const r of results) {
    process.stdout.write(`Trigger ${r.trigger} (${r.file}, broker ${r.broker}): ${r.delivered ? 'DELIVERED' : 'not delivered'}\n`);
    process.stdout.write(`${formatExplanation(r.explanation, '  ').join('\n')}\n\n`);
  }
  const delivered = results.filter((r) => r.delivered).length;
  process.stdout.write(`${delivered} of ${results.length} Triggers deliver this event\n`);
  return 0;
}
